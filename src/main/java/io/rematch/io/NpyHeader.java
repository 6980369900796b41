package io.rematch.io;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of a {@code .npy} file, for example
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}: parsing for the reader and
 * the exact text {@code numpy.save} writes for the writer.
 *
 * <p>The header is a Python literal. It is parsed as one (strings in either quote, integers with
 * an optional Python 2 {@code L}, {@code True}/{@code False}/{@code None}, tuples, lists, dicts),
 * so key order, spacing and trailing commas do not matter. As in NumPy, exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape} must be present.
 */
final class NpyHeader {

    /** Largest element count read into one Java array (the usual JVM array limit). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** NumPy leaves room after the shape so the first axis can grow in place (format.py). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    final DType dtype;
    /** The dtype string as the file spells it, for messages. */
    final String descr;
    final ByteOrder order;
    final int[] shape;
    final int size;

    private NpyHeader(DType dtype, String descr, ByteOrder order, int[] shape, int size) {
        this.dtype = dtype;
        this.descr = descr;
        this.order = order;
        this.shape = shape;
        this.size = size;
    }

    /**
     * The dictionary text {@code numpy.save} (format.py, 1.24) writes before padding: keys sorted,
     * each followed by {@code ", "}, then spaces so that the first dimension can grow to 21 digits.
     */
    static String format(DType dtype, int[] shape) {
        String text = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': "
                + NpyArray.shapeText(shape) + ", }";
        if (shape.length > 0) {
            text += " ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
        }
        return text;
    }

    /**
     * Parses and checks a header.
     *
     * @param text   the header text after the length field (including its padding)
     * @param source file name for messages
     * @throws NpyFormatException for malformed text, missing or extra keys, unsupported dtypes,
     *                            Fortran order, negative dimensions or a size too large
     */
    static NpyHeader parse(String text, String source) {
        Object value = new Parser(text, source).parseHeader();
        if (!(value instanceof Map)) {
            throw malformed(source, text, "the header is not a dict");
        }
        Map<?, ?> dict = (Map<?, ?>) value;
        for (String key : new String[] {"descr", "fortran_order", "shape"}) {
            if (!dict.containsKey(key)) {
                throw malformed(source, text, "the header has no '" + key + "' key");
            }
        }
        if (dict.size() != 3) {
            List<Object> extra = new ArrayList<>(dict.keySet());
            extra.removeAll(List.of("descr", "fortran_order", "shape"));
            throw malformed(source, text, "unexpected header keys " + extra
                    + "; expected exactly 'descr', 'fortran_order' and 'shape'");
        }

        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw malformed(source, text, "'fortran_order' must be True or False, got " + fortran);
        }

        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof List)) {
            throw malformed(source, text, "'shape' must be a tuple of integers, got " + shapeValue);
        }
        List<?> dims = (List<?>) shapeValue;
        long[] wide = new long[dims.size()];
        boolean tooWide = false;
        for (int d = 0; d < wide.length; d++) {
            Object dim = dims.get(d);
            if (!(dim instanceof BigInteger)) {
                throw malformed(source, text, "'shape' must be a tuple of integers, got element " + dim);
            }
            BigInteger big = (BigInteger) dim;
            tooWide |= big.bitLength() > 63;
            wide[d] = big.longValue();
        }
        String shapeText = tooWide ? tupleText(dims) : NpyArray.shapeText(wide);

        Object descrValue = dict.get("descr");
        if (descrValue instanceof List) {
            throw new NpyFormatException(source, "structured dtypes (descr " + descrValue
                    + ") are not supported; save a plain numeric array");
        }
        if (!(descrValue instanceof String)) {
            throw malformed(source, text, "'descr' must be a dtype string such as '<f8', got " + descrValue);
        }
        String descr = (String) descrValue;
        ByteOrder order = byteOrder(descr);
        String code = descr.isEmpty() || "<>=|".indexOf(descr.charAt(0)) < 0 ? descr : descr.substring(1);
        if (code.startsWith("O")) {
            throw new NpyFormatException(source, "dtype '" + descr
                    + "': object arrays (pickled) are not supported; save a numeric array");
        }
        DType dtype = null;
        if (code.length() >= 2 && code.substring(1).chars().allMatch(Character::isDigit) && code.length() <= 3) {
            dtype = DType.of(code.charAt(0), Integer.parseInt(code.substring(1)));
        }
        if (dtype == null) {
            throw new NpyFormatException(source, "unsupported dtype '" + descr
                    + "'; supported: <f8 <f4 <i8 <i4 |u1 |b1 (and big-endian >f8 >f4 >i8 >i4)");
        }
        if (dtype.itemSize() > 1 && descr.charAt(0) == '|') {
            throw new NpyFormatException(source, "dtype '" + descr + "' has no byte order ('|' is only"
                    + " meaningful for one-byte types); expected '<' or '>'");
        }

        if ((Boolean) fortran) {
            throw new NpyFormatException(source, "fortran_order=True is not supported; save with "
                    + "np.save(path, np.ascontiguousarray(a))");
        }

        for (int d = 0; d < wide.length; d++) {
            if (wide[d] < 0 && !tooWide) {
                throw new NpyFormatException(source, "negative dimension " + wide[d] + " in shape "
                        + shapeText);
            }
        }
        long size = 1;
        boolean overflow = tooWide;
        for (int d = 0; d < wide.length && !overflow; d++) {
            try {
                size = Math.multiplyExact(size, wide[d]);
            } catch (ArithmeticException e) {
                overflow = true;
            }
        }
        if (overflow || size > MAX_ELEMENTS) {
            throw new NpyFormatException(source, "size overflow: shape " + shapeText + " has "
                    + (overflow ? "more than 2^63" : String.valueOf(size)) + " elements; at most "
                    + MAX_ELEMENTS + " fit in one Java array");
        }
        int[] shape = new int[wide.length];
        for (int d = 0; d < wide.length; d++) {
            shape[d] = (int) wide[d]; // each <= size <= MAX_ELEMENTS, or the size is 0
            if (shape[d] != wide[d]) {
                throw new NpyFormatException(source, "size overflow: dimension " + wide[d] + " of shape "
                        + shapeText + " does not fit a Java int");
            }
        }
        return new NpyHeader(dtype, descr, order, shape, (int) size);
    }

    /**
     * {@code <} little, {@code >} big; {@code =} (native) and a missing character are taken as
     * little-endian, which is what every platform NumPy runs on in practice writes; {@code |}
     * (not applicable) is accepted for one-byte types only, checked by the caller.
     */
    private static ByteOrder byteOrder(String descr) {
        return !descr.isEmpty() && descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    private static String tupleText(List<?> dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int d = 0; d < dims.size(); d++) {
            sb.append(d > 0 ? ", " : "").append(dims.get(d));
        }
        return sb.append(dims.size() == 1 ? ",)" : ")").toString();
    }

    private static NpyFormatException malformed(String source, String text, String problem) {
        return new NpyFormatException(source, "malformed header: " + problem + "; header was "
                + quote(text));
    }

    private static String quote(String text) {
        String t = text.strip();
        if (t.length() > 200) {
            t = t.substring(0, 200) + "...";
        }
        return "\"" + t.replace("\n", "\\n") + "\"";
    }

    /** Python's {@code None}, distinct from every string. */
    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** Recursive-descent parser for the Python literals a header contains. */
    private static final class Parser {
        private final String text;
        private final String source;
        private int pos;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Object parseHeader() {
            Object value = value();
            skipSpace();
            if (pos < text.length()) {
                throw error("unexpected text after the dict");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end of header");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return dict();
                case '(':
                    return sequence('(', ')');
                case '[':
                    return sequence('[', ']');
                case '\'':
                case '"':
                    return string(c);
                default:
                    if (c == '-' || c == '+' || Character.isDigit(c)) {
                        return integer();
                    }
                    if (Character.isLetter(c)) {
                        return identifier();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Map<Object, Object> dict() {
            Map<Object, Object> map = new LinkedHashMap<>();
            pos++; // '{'
            while (true) {
                skipSpace();
                if (peek('}')) {
                    pos++;
                    return map;
                }
                Object key = value();
                if (!(key instanceof String)) {
                    throw error("dict keys must be strings, got " + key);
                }
                skipSpace();
                expect(':', "after key '" + key + "'");
                Object v = value();
                if (map.put(key, v) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else if (!peek('}')) {
                    throw error("expected ',' or '}' after the value of '" + key + "'");
                }
            }
        }

        private List<Object> sequence(char open, char close) {
            List<Object> items = new ArrayList<>();
            pos++; // open
            while (true) {
                skipSpace();
                if (peek(close)) {
                    pos++;
                    return items;
                }
                items.add(value());
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else if (!peek(close)) {
                    throw error("expected ',' or '" + close + "' in " + open + "..." + close);
                }
            }
        }

        private String string(char quote) {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                sb.append(c);
            }
            throw error("unterminated string");
        }

        private BigInteger integer() {
            int start = pos;
            if (peek('-') || peek('+')) {
                pos++;
            }
            int digits = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == digits) {
                throw error("expected digits");
            }
            BigInteger v = new BigInteger(text.substring(start, pos));
            if (peek('L') || peek('l')) {
                pos++; // Python 2 long literal, written by old NumPy versions
            }
            return v;
        }

        private Object identifier() {
            int start = pos;
            while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return NONE;
                default:
                    pos = start;
                    throw error("unknown name '" + word + "'");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void expect(char c, String where) {
            if (!peek(c)) {
                throw error("expected '" + c + "' " + where);
            }
            pos++;
        }

        private NpyFormatException error(String problem) {
            return malformed(source, text, problem + " at character " + pos);
        }
    }
}

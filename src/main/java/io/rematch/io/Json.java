package io.rematch.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON this project writes and reads back (run configurations, checkpoint states, logs): a
 * strict reader of RFC 8259 text into {@code Map<String, Object>} (insertion-ordered),
 * {@code List<Object>}, {@code Double}, {@code String}, {@code Boolean} and {@code null}, and the
 * two spellings a writer needs. Numbers are written with {@link Double#toString}, whose shortest
 * round-trip form {@link Double#parseDouble} reads back to the same bits: a checkpoint's
 * hyper-parameters come back exactly.
 */
public final class Json {

    private final String text;
    private final String source;
    private int at;

    private Json(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /**
     * Parses one JSON value.
     *
     * @param source how messages name the text (a file name)
     * @throws IllegalArgumentException naming {@code source} and the character position
     */
    public static Object parse(String text, String source) {
        Json p = new Json(text, source);
        p.space();
        Object v = p.value();
        p.space();
        if (p.at != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    /** Parses a JSON object; see {@link #parse}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, String source) {
        Object v = parse(text, source);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /** A JSON number; {@code null} for NaN and infinities, which JSON cannot spell. */
    public static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    /** A JSON string with quotes, backslashes and control characters escaped. */
    public static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    /**
     * One line of JSON for a {@code Map} (keys in its order), {@code List}, {@code Integer} or
     * {@code Long} (written whole), other {@code Number}s ({@link #number}), {@code String},
     * {@code Boolean} or {@code null}.
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ", ").append(string(String.valueOf(e.getKey()))).append(": ");
                write(e.getValue(), b);
                first = false;
            }
            b.append('}');
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int k = 0; k < list.size(); k++) {
                b.append(k == 0 ? "" : ", ");
                write(list.get(k), b);
            }
            b.append(']');
        } else if (v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Number n) {
            b.append(number(n.doubleValue()));
        } else if (v instanceof Boolean) {
            b.append(v);
        } else {
            b.append(string(v.toString()));
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(source + ": not valid JSON at character " + at + ": " + what);
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private Object value() {
        if (at >= text.length()) {
            throw error("the text ends where a value should be");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{': return object();
            case '[': return array();
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, at)) {
            throw error("expected " + word);
        }
        at += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        space();
        if (at < text.length() && text.charAt(at) == '}') {
            at++;
            return m;
        }
        while (true) {
            space();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw error("expected a quoted key");
            }
            int keyAt = at;
            String key = string();
            if (m.containsKey(key)) {
                at = keyAt;
                throw error("duplicate key '" + key + "'");
            }
            space();
            expect(':');
            space();
            m.put(key, value());
            space();
            if (at < text.length() && text.charAt(at) == ',') {
                at++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        at++;
        space();
        if (at < text.length() && text.charAt(at) == ']') {
            at++;
            return list;
        }
        while (true) {
            space();
            list.add(value());
            space();
            if (at < text.length() && text.charAt(at) == ',') {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private void expect(char c) {
        if (at >= text.length() || text.charAt(at) != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (at + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int digit = Character.digit(text.charAt(at + k), 16);
                        if (digit < 0 || text.charAt(at + k) > 'f') {   // ASCII hex digits only, no sign
                            throw error("bad \\u escape '\\u" + text.substring(at, at + 4) + "'");
                        }
                        code = code * 16 + digit;
                    }
                    b.append((char) code);
                    at += 4;
                    break;
                default:
                    throw error("unknown escape \\" + e);
            }
        }
    }

    private Double number() {
        int start = at;
        if (text.charAt(at) == '-') {
            at++;
        }
        while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String n = text.substring(start, at);
        if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            at = start;
            throw error("malformed number '" + n + "'");
        }
        double v = Double.parseDouble(n);
        if (Double.isInfinite(v)) {   // JSON has no infinity, and nothing this project writes is this large
            at = start;
            throw error("number '" + n + "' is out of the range of a double");
        }
        return v;
    }
}

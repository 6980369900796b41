package io.rematch.io;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of a parsed JSON object ({@link Json#parseObject}), each refusing a missing key or
 * a value of the wrong type with a message naming the source and the key.
 */
public final class JsonFields {

    private final Map<String, Object> map;
    private final String source;

    public JsonFields(Map<String, Object> map, String source) {
        this.map = map;
        this.source = source;
    }

    private Object get(String key) {
        if (!map.containsKey(key)) {
            throw new IllegalArgumentException(source + ": the key '" + key + "' is missing");
        }
        return map.get(key);
    }

    private IllegalArgumentException wrong(String key, String expected) {
        return new IllegalArgumentException(source + ": '" + key + "' must be " + expected + ", got "
                + Json.write(map.get(key)));
    }

    public boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    public String string(String key) {
        if (!(get(key) instanceof String s)) {
            throw wrong(key, "a string");
        }
        return s;
    }

    /** A string or {@code null}. */
    public String optionalString(String key) {
        Object v = map.get(key);
        if (v != null && !(v instanceof String)) {
            throw wrong(key, "a string or null");
        }
        return (String) v;
    }

    /** A number: a parsed {@code Double}, or any {@code Number} of a map built in memory. */
    public double number(String key) {
        if (!(get(key) instanceof Number n)) {
            throw wrong(key, "a number");
        }
        return n.doubleValue();
    }

    public int integer(String key) {
        return (int) whole(get(key), source + ": '" + key + "'");
    }

    /** A 64-bit integer written as a decimal string (JSON numbers are doubles). */
    public long longString(String key) {
        try {
            return Long.parseLong(string(key));
        } catch (NumberFormatException e) {
            throw wrong(key, "a whole number in a string");
        }
    }

    public boolean bool(String key) {
        if (!(get(key) instanceof Boolean b)) {
            throw wrong(key, "true or false");
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String key) {
        if (!(get(key) instanceof Map)) {
            throw wrong(key, "an object");
        }
        return (Map<String, Object>) map.get(key);
    }

    @SuppressWarnings("unchecked")
    public List<Object> list(String key) {
        if (!(get(key) instanceof List)) {
            throw wrong(key, "a list");
        }
        return (List<Object>) map.get(key);
    }

    /**
     * {@code value} (a parsed {@code Double}, or an {@code Integer} or {@code Long} of a map built in
     * memory, as {@code toMap()} methods make) as an int, refusing anything but a whole number in
     * int range.
     */
    public static long whole(Object value, String what) {
        double d = value instanceof Double || value instanceof Integer || value instanceof Long
                ? ((Number) value).doubleValue() : Double.NaN;
        if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be a whole number, got " + Json.write(value));
        }
        return (long) d;
    }
}

package io.rematch.cli;

/** The JSON spellings the commands print; see {@link io.rematch.io.Json}. */
final class Json {

    private Json() {
    }

    /** A JSON number; {@code null} for NaN and infinities, which JSON cannot spell. */
    static String number(double v) {
        return io.rematch.io.Json.number(v);
    }

    /** A JSON string with quotes and backslashes escaped. */
    static String string(String s) {
        return io.rematch.io.Json.string(s);
    }
}

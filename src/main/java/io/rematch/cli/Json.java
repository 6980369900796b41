package io.rematch.cli;

/** The few JSON spellings the commands print (no JSON library needed for one-line objects). */
final class Json {

    private Json() {
    }

    /** A JSON number; non-finite values, which JSON cannot spell, become strings such as "Infinity". */
    static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "\"" + v + "\"";
    }

    /** A JSON string with quotes and backslashes escaped. */
    static String string(String s) {
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
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support for the command tests: runs {@link Rematch#execute} in-process with captured
 * streams, checks the bad-input contract, and reads the commands' one-line JSON with a parser
 * small enough to trust (objects, strings, numbers, true/false/null; no JSON library needed).
 */
final class Cli {

    /** What a stack trace of this project looks like in stderr. */
    static final String OUR_STACK_FRAME = "at io.rematch";

    private Cli() {
    }

    /** Exit code and captured output of one run. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Rematch.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * The bad-input contract of a command: exit 2, nothing on stdout, stderr containing every
     * {@code phrase} (at least the option's name) and no stack frame; and with {@code --debug}
     * (given before the subcommand, or after it) the same message and a stack trace.
     */
    static void assertBadInput(String[] args, String... phrases) {
        Result r = run(args);
        assertEquals(Rematch.BAD_INPUT, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        for (String p : phrases) {
            assertTrue(r.err().contains(p), () -> "stderr should contain \"" + p + "\":\n" + r);
        }
        assertFalse(r.err().contains(OUR_STACK_FRAME), () -> "no stack trace without --debug:\n" + r);
        assertFalse(r.err().contains("internal error"), r::toString);

        List<String> before = new ArrayList<>(List.of("--debug"));
        before.addAll(List.of(args));
        List<String> after = new ArrayList<>(List.of(args));
        after.add(1, "--debug");
        for (List<String> debugArgs : List.of(before, after)) {
            Result d = run(debugArgs.toArray(new String[0]));
            assertEquals(Rematch.BAD_INPUT, d.code(), d::toString);
            for (String p : phrases) {
                assertTrue(d.err().contains(p), () -> "stderr should contain \"" + p + "\":\n" + d);
            }
            assertTrue(d.err().contains(OUR_STACK_FRAME), () -> "--debug prints the stack trace:\n" + d);
        }
    }

    /**
     * A command line picocli refuses before any command runs (unknown or malformed option):
     * exit 2, a message containing every {@code phrase}, a hint to {@code --help}, no stack trace.
     */
    static void assertUsageError(String[] args, String... phrases) {
        Result r = run(args);
        assertEquals(Rematch.BAD_INPUT, r.code(), r::toString);
        for (String p : phrases) {
            assertTrue(r.err().contains(p), () -> "stderr should contain \"" + p + "\":\n" + r);
        }
        assertTrue(r.err().contains("--help"), r::toString);
        assertFalse(r.err().contains(OUR_STACK_FRAME), r::toString);
    }

    /** The single line a {@code --json} run printed, parsed; fails unless it is exactly one line. */
    static Map<String, Object> jsonLine(Result r) {
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        assertTrue(r.out().endsWith("\n"), r::toString);
        assertEquals(1, r.out().lines().count(), () -> "one line of JSON:\n" + r);
        return json(r.out().strip());
    }

    /** A number member of a parsed object (nested keys allowed: "i2t", "r1"). */
    static double number(Map<String, Object> object, String... keys) {
        Object v = object;
        for (String k : keys) {
            assertTrue(v instanceof Map && ((Map<?, ?>) v).containsKey(k), () -> "no key " + k + " in " + object);
            v = ((Map<?, ?>) v).get(k);
        }
        assertTrue(v instanceof Double, () -> String.join(".", keys) + " is not a number: " + object);
        return (Double) v;
    }

    /** Parses one JSON object; throws {@link IllegalArgumentException} on anything else. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) {
        JsonParser p = new JsonParser(text);
        Object v = p.value();
        p.space();
        if (p.pos != text.length() || !(v instanceof Map)) {
            throw new IllegalArgumentException("not one JSON object: " + text);
        }
        return (Map<String, Object>) v;
    }

    private static final class JsonParser {
        final String s;
        int pos;

        JsonParser(String s) {
            this.s = s;
        }

        Object value() {
            space();
            char c = peek();
            if (c == '{') {
                return object();
            }
            if (c == '[') {
                return array();
            }
            if (c == '"') {
                return string();
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = pos;
            while (pos < s.length() && "+-.0123456789eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("a value");
            }
            return Double.parseDouble(s.substring(start, pos));
        }

        Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            expect('{');
            space();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                if (m.put(key, value()) != null) {
                    throw error("no duplicate key " + key);
                }
                space();
                if (peek() == '}') {
                    pos++;
                    return m;
                }
                expect(',');
            }
        }

        List<Object> array() {
            List<Object> list = new ArrayList<>();
            expect('[');
            space();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek() == ']') {
                    pos++;
                    return list;
                }
                expect(',');
            }
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (peek() != '"') {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 't': b.append('\t'); break;
                        case 'u': b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16)); pos += 4; break;
                        default: b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            pos++;
            return b.toString();
        }

        void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("more input");
            }
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "'");
            }
            pos++;
        }

        IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("expected " + expected + " at " + pos + " in: " + s);
        }
    }
}

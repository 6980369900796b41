package io.rematch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The project's JSON: what it writes it reads back (doubles bit for bit), and it refuses what
 * RFC 8259 does not allow with the position of the fault.
 */
class JsonTest {

    static final String TRICKY = "quote \" backslash \\ slash / newline \n tab \t return \r bell \u0007 nul \u0000"
            + " del \u007f e-acute \u00e9 snowman \u2603 face \ud83d\ude00";

    static Map<String, Object> sample() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("empty list", List.of());
        inner.put("empty map", Map.of());
        inner.put("nested", List.of(List.of(1.5, -2.0), List.of(Map.of("x", true))));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("string", TRICKY);
        m.put(TRICKY, "a key with escapes");
        m.put("int", 42);
        m.put("long", -9_007_199_254_740_992L);
        m.put("double", 0.1);
        m.put("tiny", 4.9e-324);
        m.put("big", 1.7976931348623157e308);
        m.put("negative zero", -0.0);
        m.put("true", true);
        m.put("false", false);
        m.put("null", null);
        m.put("inner", inner);
        m.put("list", Arrays.asList(1, "two", null, false, 3.25e-7));
        return m;
    }

    @Test
    void writtenValuesParseBackToTheSameStructure() {
        Map<String, Object> m = sample();
        String text = Json.write(m);
        assertTrue(text.lines().count() == 1, "one line: " + text);
        Map<String, Object> back = Json.parseObject(text, "sample");
        assertEquals(List.copyOf(m.keySet()), List.copyOf(back.keySet()), "keys in their order");
        assertEquals(TRICKY, back.get("string"));
        assertEquals("a key with escapes", back.get(TRICKY));
        assertEquals(42.0, back.get("int"), "numbers come back as Double");
        assertEquals(-9.007199254740992e15, back.get("long"));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) back.get("negative zero")));
        assertEquals(Boolean.TRUE, back.get("true"));
        assertEquals(Boolean.FALSE, back.get("false"));
        assertTrue(back.containsKey("null"));
        assertNull(back.get("null"));
        assertEquals(Arrays.asList(1.0, "two", null, false, 3.25e-7), back.get("list"));
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = (Map<String, Object>) back.get("inner");
        assertEquals(List.of(), inner.get("empty list"));
        assertEquals(Map.of(), inner.get("empty map"));
        assertEquals(List.of(List.of(1.5, -2.0), List.of(Map.of("x", true))), inner.get("nested"));
        // Integers come back as doubles, so the second writing is the fixed point.
        String again = Json.write(back);
        assertEquals(text.replace("\"int\": 42,", "\"int\": 42.0,").replace("-9007199254740992,",
                "-9.007199254740992E15,").replace("[1, \"two\"", "[1.0, \"two\""), again);
        assertEquals(again, Json.write(Json.parse(again, "again")));
    }

    @Test
    void everyEscapeOfTheStandardIsRead() {
        assertEquals("\"\\/\b\f\n\r\tA\u00e9\ud83d\ude00",
                Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00E9\\ud83d\\ude00\"", "t"));
        assertEquals("\u0001", Json.parse(Json.string("\u0001"), "t"));
        assertEquals("\\u0001", Json.string("\u0001").substring(1, 7));
    }

    @Test
    void doublesRoundTripBitForBit() {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<Object> values = new ArrayList<>(List.of(0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE,
                Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, 0.1, 1.0 / 3, 1e21, 1e-7, 123456789012345678.0,
                Math.nextUp(1.0), Math.nextDown(1.0), 2e-4));
        while (values.size() < 20_000) {
            double v = values.size() % 2 == 0 ? Double.longBitsToDouble(random.nextLong())
                    : random.nextDouble(-1e6, 1e6);
            if (Double.isFinite(v)) {
                values.add(v);
            }
        }
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) Json.parse(Json.write(values), "doubles");
        assertEquals(values.size(), back.size());
        for (int k = 0; k < values.size(); k++) {
            double want = (Double) values.get(k);
            double got = (Double) back.get(k);
            if (Double.doubleToRawLongBits(want) != Double.doubleToRawLongBits(got)) {
                throw new AssertionError("seed " + seed + ": " + want + " came back as " + got + " (written "
                        + Json.number(want) + ")");
            }
        }
    }

    @Test
    void nanAndInfinitiesAreWrittenAsNull() {
        assertEquals("[null, null, null, 1.0]", Json.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 1.0f)));
        assertEquals("null", Json.number(Double.NaN));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{} x`                  | 3  | unexpected text after the value",
        "`[1] ]`                 | 4  | unexpected text after the value",
        "`{\"a\": 1, \"a\": 2}`  | 9  | duplicate key 'a'",
        "`01`                    | 0  | malformed number '01'",
        "`1.`                    | 0  | malformed number '1.'",
        "`[1, 01]`               | 4  | malformed number '01'",
        "`-`                     | 0  | malformed number '-'",
        "`1e`                    | 0  | malformed number '1e'",
        "`1e400`                 | 0  | out of the range",
        "`.5`                    | 0  | unexpected character '.'",
        "`+1`                    | 0  | unexpected character '+'",
        "`\"abc`                 | 4  | unterminated string",
        "`\"abc\\`               | 5  | unterminated escape",
        "`\"\\x\"`               | 3  | unknown escape",
        "`\"\\u12\"`             | 3  | \\u escape",
        "`\"\\u+041\"`           | 3  | bad \\u escape",
        "`[1, 2`                 | 5  | expected ']'",
        "`[1,]`                  | 3  | unexpected character ']'",
        "`{\"a\": 1,}`           | 8  | expected a quoted key",
        "`{\"a\" 1}`             | 5  | expected ':'",
        "`{a: 1}`                | 1  | expected a quoted key",
        "`tru`                   | 0  | expected true",
        "`NaN`                   | 0  | unexpected character 'N'",
        "`Infinity`              | 0  | unexpected character 'I'",
        "``                      | 0  | the text ends where a value should be",
        "`   `                   | 3  | the text ends where a value should be",
    })
    void malformedTextIsRefusedAtItsPosition(String text, int at, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text, "run.json"));
        assertTrue(e.getMessage().startsWith("run.json: not valid JSON at character " + at + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void aControlCharacterInsideAStringIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("\"a\nb\"", "log.jsonl"));
        assertTrue(e.getMessage().contains("not valid JSON at character 3: control character"), e.getMessage());
    }

    @Test
    void parseObjectRefusesOtherValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.parseObject("[1, 2]", "checkpoint.json"));
        assertEquals("checkpoint.json: expected a JSON object", e.getMessage());
    }

    @Test
    void fieldsNameTheSourceAndTheKey() {
        JsonFields f = new JsonFields(Json.parseObject("{\"n\": 2.5, \"s\": \"x\", \"i\": 3, \"big\": 1e12,"
                + " \"seed\": \"-9223372036854775808\", \"none\": null}", "run.json"), "run.json");
        assertEquals(2.5, f.number("n"));
        assertEquals(3, f.integer("i"));
        assertEquals(Long.MIN_VALUE, f.longString("seed"));
        assertEquals("run.json: the key 'missing' is missing",
                assertThrows(IllegalArgumentException.class, () -> f.number("missing")).getMessage());
        assertEquals("run.json: 's' must be a number, got \"x\"",
                assertThrows(IllegalArgumentException.class, () -> f.number("s")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.integer("n")).getMessage()
                .contains("'n' must be a whole number, got 2.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.integer("big")).getMessage()
                .contains("'big' must be a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.longString("s")).getMessage()
                .contains("'s' must be a whole number in a string"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.bool("none")).getMessage()
                .contains("'none' must be true or false, got null"));
        assertNull(f.optionalString("none"));
        // A map built in memory holds Integers and Longs: they are numbers and whole numbers too.
        JsonFields memory = new JsonFields(Map.of("i", 7, "l", 8L, "d", 2.0, "s", "9"), "memory");
        assertEquals(7, memory.integer("i"));
        assertEquals(8, memory.integer("l"));
        assertEquals(7.0, memory.number("i"));
        assertEquals(2, memory.integer("d"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> memory.integer("s")).getMessage()
                .contains("'s' must be a whole number, got \"9\""));
        assertEquals(Integer.MIN_VALUE, JsonFields.whole((double) Integer.MIN_VALUE, "x"));
        assertThrows(IllegalArgumentException.class, () -> JsonFields.whole(1L << 40, "x"));
        assertTrue(f.has("n") && !f.has("none") && !f.has("missing"));
    }
}

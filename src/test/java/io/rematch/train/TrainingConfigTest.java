package io.rematch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Mismatch;
import io.rematch.io.Json;
import io.rematch.model.EncoderSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run's configuration: its JSON form (run.json) reads back to an equal record, a missing or
 * mistyped key is named, and every invalid value is refused naming the option a user types.
 */
class TrainingConfigTest {

    static TrainingConfig roundTrip(TrainingConfig c) {
        return TrainingConfig.fromJson(Json.parseObject(c.toJson(), "run.json"), "run.json");
    }

    /** A configuration that differs from the defaults in every field a with-er reaches. */
    static TrainingConfig modified() {
        return TrainingConfig.defaults("rcl").withLoss("infonce").withNegatives("ratio:0.3")
                .withMismatch(0.37, Mismatch.Protocol.CAPTION).withEpochs(7, 2).withOptimiser(64, 3.3e-4, 4)
                .withEncoder(new EncoderSpec("mlp", new int[] {32, 16}, 12)).withSeed(-1234567890123456789L)
                .withNoiseIndex("/data/noise_inx_0.2.npy").withCost("elementwise");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rcl", "l2rm", "hybrid"})
    void theDefaultsOfEachMethodRoundTrip(String method) {
        TrainingConfig c = TrainingConfig.defaults(method);
        assertEquals(method, c.method());
        TrainingConfig back = roundTrip(c);
        assertEquals(c, back);
        assertEquals(List.of(), c.differences(back));
        assertEquals(c.toJson(), back.toJson());
    }

    @Test
    void aModifiedConfigurationRoundTripsExactly() {
        TrainingConfig c = modified();
        TrainingConfig defaults = TrainingConfig.defaults("rcl");
        assertNotEquals(defaults, c);
        assertEquals(List.of("loss", "negatives", "mismatch", "protocol", "noise_index", "epochs", "warmup", "batch",
                "lr", "lr_decay_every", "encoder", "seed", "cost"), defaults.differences(c));
        TrainingConfig back = roundTrip(c);
        assertEquals(c, back);
        assertEquals(-1234567890123456789L, back.seed(), "a 64-bit seed survives JSON's doubles");
        assertEquals(3.3e-4, back.learningRate(), 0.0);
        assertEquals(new EncoderSpec("mlp", new int[] {32, 16}, 12), back.encoder());
        assertEquals("/data/noise_inx_0.2.npy", back.noiseIndex());
        assertEquals(Mismatch.Protocol.CAPTION, back.protocol());
    }

    @Test
    void theInMemoryMapReadsBackToo() {
        TrainingConfig c = modified();
        assertEquals(c, TrainingConfig.fromJson(c.toMap(), "toMap"), "Integer values of toMap() are whole numbers");
    }

    @Test
    void awkwardNumbersRoundTripBitForBit() {
        TrainingConfig c = TrainingConfig.defaults("l2rm").withOptimiser(33, 0.1 + 0.2, 1)
                .withMismatch(Math.nextDown(1.0), Mismatch.Protocol.IMAGE).withSeed(Long.MIN_VALUE);
        TrainingConfig back = roundTrip(c);
        assertEquals(Double.doubleToRawLongBits(0.1 + 0.2), Double.doubleToRawLongBits(back.learningRate()));
        assertEquals(Math.nextDown(1.0), back.mismatch(), 0.0);
        assertEquals(Long.MIN_VALUE, back.seed());
        assertEquals(c, back);
    }

    @Test
    void aMissingKeyIsNamed() {
        Map<String, Object> full = Json.parseObject(TrainingConfig.defaults("hybrid").toJson(), "run.json");
        int checked = 0;
        for (String key : full.keySet()) {
            if (key.equals("noise_index")) {
                continue;   // optional: null when mismatches are injected
            }
            Map<String, Object> m = new LinkedHashMap<>(full);
            m.remove(key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingConfig.fromJson(m, "out/run.json"), key);
            assertTrue(e.getMessage().contains("out/run.json") && e.getMessage().contains("'" + key + "' is missing"),
                    e.getMessage());
            checked++;
        }
        assertTrue(checked >= 25, "checked " + checked + " keys");
        @SuppressWarnings("unchecked")
        Map<String, Object> encoder = new LinkedHashMap<>((Map<String, Object>) full.get("encoder"));
        encoder.remove("embed");
        Map<String, Object> m = new LinkedHashMap<>(full);
        m.put("encoder", encoder);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromJson(m, "out/run.json"));
        assertTrue(e.getMessage().contains("encoder") && e.getMessage().contains("'embed' is missing"), e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsNamed() {
        Map<String, Object> m = Json.parseObject(TrainingConfig.defaults("rcl").toJson(), "run.json");
        m.put("tau", "0.05");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromJson(m, "run.json"));
        assertEquals("run.json: 'tau' must be a number, got \"0.05\"", e.getMessage());
        m.put("tau", 0.05);
        m.put("batch", 12.5);
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson(m, "run.json"));
        assertTrue(e.getMessage().contains("'batch' must be a whole number, got 12.5"), e.getMessage());
        m.put("batch", 128.0);
        m.put("seed", 7.0);
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson(m, "run.json"));
        assertTrue(e.getMessage().contains("'seed' must be a string"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"protocol", "mode", "split"})
    void anUnknownSpellingInRunJsonNamesTheFileAndTheKey(String key) {
        Map<String, Object> m = new LinkedHashMap<>(TrainingConfig.defaults("rcl").toMap());
        m.put(key, "bogus");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.fromJson(m, "out/run.json"));
        assertTrue(e.getMessage().contains("out/run.json") && e.getMessage().contains("'" + key + "'")
                && e.getMessage().contains("bogus"), e.getMessage());
    }

    @Test
    void invalidValuesAreRefusedNamingTheOption() {
        TrainingConfig d = TrainingConfig.defaults("rcl");
        refused(() -> d.withOptimiser(1, 2e-4, 15), "--batch must be at least 2", "got 1");
        refused(() -> d.withMismatch(1.0, Mismatch.Protocol.IMAGE), "--mismatch must be in [0, 1), got 1.0");
        refused(() -> d.withMismatch(-0.1, Mismatch.Protocol.IMAGE), "--mismatch must be in [0, 1), got -0.1");
        refused(() -> d.withMismatch(Double.NaN, Mismatch.Protocol.IMAGE), "--mismatch");
        refused(() -> d.withMismatch(0.2, null), "--protocol");
        refused(() -> TrainingConfig.defaults("foo"), "--method must be one of rcl, l2rm, hybrid, got 'foo'");
        refused(() -> d.withLoss("sym-kl"), "--loss sym-kl", "--method l2rm", "--rematch-loss");
        refused(() -> d.withLoss("no-such-loss"), "--loss");
        refused(() -> d.withEpochs(0, 0), "--epochs");
        refused(() -> d.withEpochs(3, -1), "--warmup");
        refused(() -> d.withOptimiser(128, 0, 15), "--lr");
        refused(() -> d.withOptimiser(128, 2e-4, 0), "--lr-decay-every");
        refused(() -> d.withCost("quadratic"), "--cost must be one of row-linear, elementwise");
        refused(() -> d.withEncoder(null), "--encoder");
        refused(() -> d.withNegatives("some"), "negatives");
    }

    @Test
    void theMethodIsCaseInsensitiveAndItsDefaultsAreTheReleases() {
        TrainingConfig l2rm = TrainingConfig.defaults("L2RM");
        assertEquals("l2rm", l2rm.method());
        assertEquals(40, l2rm.totalEpochs());
        assertEquals("tr-hn", l2rm.loss());
        assertEquals(30, TrainingConfig.defaults("rcl").totalEpochs());
        assertEquals(30, TrainingConfig.defaults("hybrid").totalEpochs());
        assertEquals(TrainingConfig.HYBRID_REMATCH_WEIGHT, TrainingConfig.defaults("hybrid").rematchWeight());
        TrainingConfig rcl = TrainingConfig.defaults("rcl");
        assertEquals(2e-4, rcl.learningRateAt(14), 0.0);
        assertEquals(2e-5, rcl.learningRateAt(15), 1e-20);
    }

    static void refused(Supplier<TrainingConfig> make, String... phrases) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), () -> "expected \"" + p + "\" in: " + e.getMessage());
        }
    }
}

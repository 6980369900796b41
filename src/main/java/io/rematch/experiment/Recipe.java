package io.rematch.experiment;

import io.rematch.data.Mismatch;
import io.rematch.model.EncoderSpec;
import io.rematch.train.TrainingConfig;
import java.util.Locale;
import java.util.Map;

/**
 * How the experiments train on the emoji set: linear towers to a 128-d embedding, tau 0.05,
 * batch 128, Adam at 1e-3 with a x0.1 step, image-level mismatches; L2RM and the hybrid first
 * warm up on all pairs. The prototype used Adam at 1e-4; at 1e-3 CCL reaches a higher
 * plateau within the epoch budget (docs/results.md shows both).
 *
 * @param epochs     epochs in all, the warm-up included
 * @param decayEvery epochs between the x0.1 steps of the learning rate
 * @param warmup     warm-up epochs of L2RM and the hybrid (RCL's losses have none)
 */
public record Recipe(int epochs, int decayEvery, int warmup) {

    /** The demo's budget: ten runs in about three minutes on two cores. */
    public static final Recipe DEMO = new Recipe(20, 12, 2);
    /** The experiments' default and {@code demo --full}. */
    public static final Recipe FULL = new Recipe(30, 15, 5);

    /** The learning rate of the retrieval model. */
    public static final double LEARNING_RATE = 1e-3;
    /** The embedding width. */
    public static final int EMBED = 128;

    /** The method and loss of each arm label. */
    static final Map<String, String[]> ARMS = Map.ofEntries(
            Map.entry("CL", new String[] {"rcl", "infonce"}),
            Map.entry("TR", new String[] {"rcl", "tr"}),
            Map.entry("TR-HN", new String[] {"rcl", "tr-hn"}),
            Map.entry("NL", new String[] {"rcl", "nl"}),
            Map.entry("CCL-log", new String[] {"rcl", "ccl-log"}),
            Map.entry("CCL-exp", new String[] {"rcl", "ccl-exp"}),
            Map.entry("CCL-gce", new String[] {"rcl", "ccl-gce"}),
            Map.entry("CCL-tan", new String[] {"rcl", "ccl-tan"}),
            Map.entry("MAE", new String[] {"rcl", "ccl-mae"}),
            Map.entry("L2RM", new String[] {"l2rm", "tr-hn"}),
            Map.entry("hybrid", new String[] {"hybrid", "ccl-log"}));

    /**
     * This recipe with {@code e} epochs in all: the step of the learning rate and the warm-up
     * scale with it (the warm-up to at most half the epochs).
     */
    public Recipe withEpochs(int e) {
        if (e < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + e);
        }
        return new Recipe(e, Math.max(1, (int) Math.round((double) e * decayEvery / epochs)),
                Math.min(e / 2, Math.max(1, (int) Math.round((double) e * warmup / epochs))));
    }

    /**
     * The configuration of one arm.
     *
     * @param label one of {@link #ARMS}' keys
     */
    public TrainingConfig config(String label, double rate, long seed) {
        String[] m = ARMS.get(label);
        if (m == null) {
            throw new IllegalArgumentException("no experiment arm '" + label + "'; known: " + ARMS.keySet());
        }
        TrainingConfig c = TrainingConfig.defaults(m[0]);
        if (!m[0].equals("l2rm")) {
            c = c.withLoss(m[1]);
        }
        boolean warms = !m[0].equals("rcl");
        return c.withEncoder(new EncoderSpec("linear", null, EMBED))
                .withOptimiser(128, LEARNING_RATE, decayEvery)
                .withEpochs(warms ? epochs - warmup : epochs, warms ? warmup : 0)
                .withMismatch(rate, Mismatch.Protocol.IMAGE)
                .withSeed(seed);
    }

    /** A folder name for an arm: label, rate and seed. */
    static String folder(String label, double rate, long seed) {
        return String.format(Locale.ROOT, "%s-r%.2f-s%d", label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "_"),
                rate, seed);
    }
}

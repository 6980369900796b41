package io.rematch.experiment;

import io.rematch.train.TrainingConfig;

/**
 * One training run of an experiment.
 *
 * @param label  what the tables call it (a loss or method: {@code CL}, {@code CCL-log}, {@code L2RM})
 * @param group  the row it averages into over seeds (the label, or the label with its varied setting)
 * @param config its configuration (rate and seed included)
 * @param folder its run folder's name under the experiment's {@code runs/}
 */
public record Arm(String label, String group, TrainingConfig config, String folder) {

    /** The arm {@code label} of {@code recipe} at {@code rate} and {@code seed}. */
    public static Arm of(Recipe recipe, String label, double rate, long seed) {
        return new Arm(label, label, recipe.config(label, rate, seed), Recipe.folder(label, rate, seed));
    }

    /** The mismatch rate. */
    public double rate() {
        return config.mismatch();
    }

    /** The seed. */
    public long seed() {
        return config.seed();
    }
}

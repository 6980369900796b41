package io.rematch.cli;

import io.rematch.check.Checks;
import picocli.CommandLine.Option;

/**
 * The loss hyper-parameters shared by {@code rematch loss} and {@code rematch compare}, as a
 * picocli mixin: one place for their names, defaults (the papers') and checks.
 */
final class LossParameters {

    @Option(names = "--tau", defaultValue = "0.05", paramLabel = "T", order = 10,
            description = "Softmax temperature > 0 (default: ${DEFAULT-VALUE}, as in RCL and L2RM).")
    double tau;

    @Option(names = "--q", defaultValue = "0.5", paramLabel = "Q", order = 11,
            description = "The exponent in (0, 1] of ccl-gce (default: ${DEFAULT-VALUE}).")
    double q;

    @Option(names = "--margin", defaultValue = "0.2", paramLabel = "M", order = 12,
            description = "The margin >= 0 of tr, tr-hn and tr-mean (default: ${DEFAULT-VALUE}, as in VSE++).")
    double margin;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED", order = 13,
            description = "The seed of random negatives (nl; ccl-* with ratio:R or single) (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Checks every value, naming the option: the library's messages name its own parameters. */
    void validate() {
        Checks.positive("--tau", tau);
        Checks.inHalfOpen("--q", q, 0.0, 1.0);
        Checks.nonNegative("--margin", margin);
    }
}

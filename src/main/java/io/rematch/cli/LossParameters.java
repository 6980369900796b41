package io.rematch.cli;

import io.rematch.check.Checks;
import picocli.CommandLine.Option;

/**
 * The loss hyper-parameters shared by {@code rematch loss} and {@code rematch compare}, as a
 * picocli mixin: one place for their names, defaults (the papers') and checks.
 */
final class LossParameters {

    @Option(names = "--tau", defaultValue = "0.05",
            description = "Softmax temperature > 0 (default: ${DEFAULT-VALUE}, as RCL and L2RM).")
    double tau;

    @Option(names = "--q", defaultValue = "0.5", description = "GCE exponent in (0, 1] for ccl-gce (default: ${DEFAULT-VALUE}).")
    double q;

    @Option(names = "--margin", defaultValue = "0.2",
            description = "Margin >= 0 of tr, tr-hn and tr-mean (default: ${DEFAULT-VALUE}, as VSE++).")
    double margin;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of random negatives (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Checks every value, naming the option: the library's messages name its own parameters. */
    void validate() {
        Checks.positive("--tau", tau);
        Checks.inHalfOpen("--q", q, 0.0, 1.0);
        Checks.nonNegative("--margin", margin);
    }
}

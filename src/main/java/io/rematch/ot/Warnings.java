package io.rematch.ot;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Where the solvers report non-convergence: the result's warning and this logger. */
final class Warnings {

    /** The {@code io.rematch.ot} logger; the command line silences it and prints the result's warning. */
    static final Logger LOG = Logger.getLogger("io.rematch.ot");

    private Warnings() {
    }

    /** Logs {@code message} at {@code WARNING} and returns it. */
    static String warn(String message) {
        LOG.log(Level.WARNING, message);
        return message;
    }

    /**
     * The usual message when the iteration cap is reached; none (null) when the tolerance is 0,
     * i.e. when the caller asked for exactly that many iterations.
     */
    static String notConverged(String solver, int iterations, double error, double tolerance, String hint) {
        if (tolerance == 0) {
            return null;
        }
        return warn(String.format("%s did not converge: %d iterations, last error %.3g (tolerance %.3g); %s",
                solver, iterations, error, tolerance, hint));
    }
}

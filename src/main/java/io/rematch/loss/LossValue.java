package io.rematch.loss;

import io.rematch.numeric.Mode;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * A loss value and its analytic gradient with respect to the score matrix \(S\) (the raw
 * similarities, before any division by a temperature); the gradient has the shape of \(S\).
 *
 * <p>In {@link Mode#STABLE} both are finite: a loss whose true value is beyond the double range
 * is refused instead ({@link #checked}). In {@link Mode#FAITHFUL} they are what the release's
 * arithmetic gives, overflow included, and {@link #warning()} then says so.
 *
 * @param value    the loss
 * @param gradient \(\partial L / \partial S\) (when computed with a {@link LossWorkspace}, its
 *                 buffer: valid until the workspace's next use)
 * @param warning  {@code null}, or why the value or gradient is not finite (faithful mode only)
 */
public record LossValue(double value, DMatrixRMaj gradient, String warning) {

    /** A finite value and gradient, nothing to report. */
    public LossValue(double value, DMatrixRMaj gradient) {
        this(value, gradient, null);
    }

    /** Whether the value and every gradient entry are finite. */
    public boolean isFinite() {
        return Double.isFinite(value) && nonFinite(gradient) == 0;
    }

    /**
     * The result of a loss, checked: finite results pass; a non-finite faithful result passes
     * with a warning naming the release's arithmetic; a non-finite stable result is refused.
     *
     * @param what       the loss's name in messages
     * @param parameters how the scores were scaled, for the message (e.g. {@code "tau = 0.05"})
     * @throws IllegalArgumentException naming {@code scores} (and the parameters) when stable
     *                                  arithmetic cannot represent the loss
     */
    static LossValue checked(double value, DMatrixRMaj gradient, Mode mode, String what, String parameters) {
        return checked(value, gradient, mode, what, parameters, "the scores differ by more than the double range allows"
                + " once divided by the temperature");
    }

    /** As {@link #checked(double, DMatrixRMaj, Mode, String, String)}, with the reason in words. */
    static LossValue checked(double value, DMatrixRMaj gradient, Mode mode, String what, String parameters, String reason) {
        int bad = nonFinite(gradient);
        if (Double.isFinite(value) && bad == 0) {
            return new LossValue(value, gradient);
        }
        String found = String.format(Locale.ROOT, "the %s loss is %s and %d of its %d gradient entries are not finite",
                what, value, bad, gradient.getNumElements());
        if (mode == Mode.FAITHFUL) {
            return new LossValue(value, gradient, found + ": the release's arithmetic (e^(S/tau) without"
                    + " max-subtraction, 1e-10 added to denominators and logs) overflows on these scores, as the"
                    + " release does; --mode stable evaluates the same formula without overflow");
        }
        throw new IllegalArgumentException("scores: " + found + " at " + parameters + ", because its true value is"
                + " beyond double precision (" + reason + "); rescale the scores");
    }

    private static int nonFinite(DMatrixRMaj g) {
        int bad = 0;
        for (int k = 0; k < g.getNumElements(); k++) {
            bad += Double.isFinite(g.data[k]) ? 0 : 1;
        }
        return bad;
    }
}

package io.rematch.numeric;

/**
 * How a formula is evaluated: with the textbook's stable arithmetic, or with exactly the
 * arithmetic of the papers' released code. The mode never changes which function is computed;
 * where a release computes a <em>different</em> function (L2RM's Jensen-Shannon form, RCE's
 * diagonal label, the policy for a target row without mass, a solver's stopping rule), the
 * class offers that choice under its own name.
 *
 * <ul>
 *   <li>{@link #STABLE} (the default): max-subtracted softmax rows, \(1 - p\) and
 *       \(\log(1 - p)\) without cancellation or underflow, no added epsilons; log-domain
 *       transport kernels with forbidden entries at \(-\infty\).</li>
 *   <li>{@link #FAITHFUL}: the release's arithmetic, operation for operation. RCL
 *       ({@code RCL-SGRAF/model.py}, commit 1096a24): \(E = e^{S/\tau}\) without max-subtraction,
 *       probabilities \(E / (\sum E + 10^{-10})\), \(\log(1 - x + 10^{-10})\) and
 *       \((1 - x + 10^{-10})^q\). L2RM (hhc1997/L2RM, commit a766c22): softmaxes with
 *       \(+10^{-10}\) denominators, a log-sum-exp with \(10^{-10}\) inside the log, forbidden
 *       transport entries at \(-10^{6}\). Use it to reproduce published numbers. It overflows
 *       where the release does (\(S/\tau > 709\)); results then say so in their warning.</li>
 * </ul>
 * The two agree to rounding wherever both are finite and the \(10^{-10}\) terms are negligible
 * (tested).
 */
public enum Mode {
    STABLE,
    FAITHFUL;

    /**
     * The constant the RCL release adds to softmax denominators and inside {@code log(1 - x)}
     * ({@code RCL-SGRAF/model.py}, class {@code CCL}); L2RM's softmaxes use the same value.
     */
    public static final double RELEASE_EPSILON = 1e-10;

    /** Parses {@code stable} or {@code faithful} (case-insensitive), naming the argument on error. */
    public static Mode parse(String name, String value) {
        for (Mode m : values()) {
            if (m.name().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException(name + " must be 'stable' or 'faithful', got '" + value + "'");
    }

    /** The lower-case name, as the command line spells it. */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

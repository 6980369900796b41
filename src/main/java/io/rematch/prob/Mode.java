package io.rematch.prob;

/**
 * How a formula is evaluated where the papers' released code differs from the clean math.
 *
 * <ul>
 *   <li>{@link #STABLE} (the default): the textbook formula, evaluated stably. Softmax rows are
 *       max-subtracted; \(1 - p\) is computed without cancellation; no epsilons are added.</li>
 *   <li>{@link #FAITHFUL}: exactly what the RCL release computes ({@code RCL-SGRAF/model.py},
 *       commit 1096a24): \(E = e^{S/\tau}\) without max-subtraction, probabilities
 *       \(E / (\sum E + 10^{-10})\), and \(\log(1 - x + 10^{-10})\), \((1 - x + 10^{-10})^q\) in
 *       the complementary losses. Use it to reproduce published numbers; it overflows when
 *       \(S/\tau > 709\).</li>
 * </ul>
 * Both modes agree to rounding wherever both are finite and the \(10^{-10}\) terms are
 * negligible (tested).
 */
public enum Mode {
    STABLE,
    FAITHFUL;

    /**
     * The constant the RCL release adds to softmax denominators and inside {@code log(1 - x)}
     * ({@code RCL-SGRAF/model.py}, class {@code CCL}).
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
}

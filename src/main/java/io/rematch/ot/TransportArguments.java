package io.rematch.ot;

import io.rematch.check.Checks;
import io.rematch.mask.PairMask;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * The argument checks every solver runs before iterating. Each throws
 * {@link IllegalArgumentException} naming the argument ({@code cost}, {@code a}, {@code b},
 * {@code mass}, {@code reg}, {@code mask}) and the offending value.
 */
final class TransportArguments {

    /**
     * Relative slack allowed when comparing a mass with \(\min(\|a\|_1, \|b\|_1)\): summing
     * {@code n} entries of {@code 1/n} may give {@code 0.9999999999999999}, and a caller asking for
     * the full mass 1 must not be rejected for it.
     */
    static final double MASS_SLACK = 1e-12;

    /**
     * The smallest \(\varepsilon / \max|C|\) accepted. The solvers exponentiate \(-C/\varepsilon\)
     * (shifted or not), whose rounding error is about \(2\cdot10^{-16}\max|C|/\varepsilon\); at this
     * ratio that is \(2\cdot10^{-6}\), a relative error of the same size in every plan entry. Below it
     * the plan is rounding noise (at \(\varepsilon = 10^{-300}\) its entries overflow).
     */
    static final double MIN_RELATIVE_REG = 1e-10;

    private TransportArguments() {
    }

    /** A non-empty, finite cost matrix. */
    static DMatrixRMaj cost(DMatrixRMaj cost) {
        return Checks.finite("cost", cost);
    }

    /** A histogram of the given length: finite, \(\ge 0\), positive total. Returns its sum. */
    static double histogram(String name, double[] h, int length) {
        if (h == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (h.length != length) {
            throw new IllegalArgumentException(name + " must have length " + length + " (the cost is n x m, "
                    + (name.equals("a") ? "n" : "m") + " = " + length + "), got " + h.length);
        }
        double total = 0;
        for (int k = 0; k < h.length; k++) {
            double v = h[k];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s[%d] is %s; expected finite masses", name, k, v));
            }
            if (v < 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s[%d] = %s is negative; masses must be >= 0", name, k, v));
            }
            total += v;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(name + " has total mass 0; expected a positive total");
        }
        if (Double.isInfinite(total)) {
            throw new IllegalArgumentException(name + " has a total mass that overflows; rescale the masses");
        }
        return total;
    }

    /** {@code 1/n} repeated {@code n} times (POT's default {@code a = ones(n) / n}). */
    static double[] uniform(int n) {
        double[] h = new double[n];
        java.util.Arrays.fill(h, 1.0 / n);
        return h;
    }

    /**
     * \(0 < \mathfrak m \le \min(\|a\|_1, \|b\|_1)\) (POT: "Problem infeasible"), up to
     * {@link #MASS_SLACK}; {@code +infinity} asks for that minimum. Returns the mass to move.
     */
    static double mass(double mass, double sumA, double sumB) {
        double cap = Math.min(sumA, sumB);
        if (mass == Double.POSITIVE_INFINITY) {
            return cap;
        }
        if (!Double.isFinite(mass) || !(mass > 0) || mass > cap * (1 + MASS_SLACK)) {
            throw new IllegalArgumentException("mass must be in (0, min(sum a, sum b)] = (0, " + cap + "], got " + mass);
        }
        return Math.min(mass, cap);
    }

    /** A solver's transported mass parameter: \(> 0\), finite or {@code +infinity} (all that fits). */
    static double massParameter(double mass) {
        if (!(mass > 0)) {
            throw new IllegalArgumentException("mass must be > 0 (or infinity: all that the marginals allow), got " + mass);
        }
        return mass;
    }

    /** Totals that differ by at most this, relative, differ by float32 rounding: reconciled, not refused. */
    static final double RECONCILED_TOTALS = 1e-6;

    /**
     * The checks of a balanced problem: finite cost, histograms of its shape with equal totals, no
     * mask, a regularisation the cost's scale allows. Returns the column masses to use: {@code b}
     * itself when the totals agree to \(\max(\text{tolerance}, 10^{-9})\) relative; {@code b}
     * scaled to the total of {@code a} when they differ by no more than float32 rounding
     * ({@link #RECONCILED_TOTALS}: histograms normalised in float32 and saved by NumPy); otherwise
     * the problem has no solution and is refused.
     */
    static double[] balanced(DMatrixRMaj cost, double[] a, double[] b, PairMask mask, double reg, Stopping stopping) {
        cost(cost);
        double sumA = histogram("a", a, cost.numRows);
        double sumB = histogram("b", b, cost.numCols);
        if (mask != null) {
            throw new IllegalArgumentException("mask: balanced Sinkhorn takes no forbidden entries (they can make"
                    + " its marginals infeasible); use partial OT (partial, partial-log or l2rm)");
        }
        double gap = Math.abs(sumA - sumB);
        double scale = Math.max(sumA, sumB);
        if (gap <= Math.max(stopping.tolerance(), 1e-9) * scale) {
            regForCost(reg, maxAbs(cost), null);
            return b;
        }
        if (gap > RECONCILED_TOTALS * scale) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "a, b: balanced transport needs equal totals of a and b, got sum a = %.17g and sum b = %.17g;"
                            + " normalise them, or use partial OT to move only the smaller total", sumA, sumB));
        }
        regForCost(reg, maxAbs(cost), null);
        double[] reconciled = new double[b.length];
        for (int j = 0; j < b.length; j++) {
            reconciled[j] = b[j] * (sumA / sumB);
        }
        return reconciled;
    }

    /**
     * The checks of a partial problem: finite cost, histograms a and b of its shape, the mass
     * within \((0, \min(\|a\|_1, \|b\|_1)]\), a mask of the cost's shape that leaves room for
     * the mass, a regularisation the cost's scale allows. Returns the mass to move.
     */
    static double partial(DMatrixRMaj cost, double[] a, double[] b, double mass, PairMask mask, double reg) {
        cost(cost);
        double sumA = histogram("a", a, cost.numRows);
        double sumB = histogram("b", b, cost.numCols);
        double m = mass(mass, sumA, sumB);
        if (mask != null) {
            requireRoom(mask, a, b, m, cost.numRows, cost.numCols);
        }
        regForCost(reg, maxAbs(cost), null);
        return m;
    }

    /**
     * Throws, naming {@code mask}, unless the mask has the cost's shape and the rows and columns
     * with an allowed entry can hold mass {@code m}. A row (or column) with every entry forbidden
     * is allowed: partial transport need not use every row. (The test is necessary, not sufficient,
     * for feasibility; a problem that still cannot carry the mass ends with an infeasible plan and
     * {@code converged = false}.)
     */
    static void requireRoom(PairMask mask, double[] a, double[] b, double m, int n, int cols) {
        if (mask.rows() != n || mask.cols() != cols) {
            throw new IllegalArgumentException("mask must be " + n + " x " + cols + " like the cost, got "
                    + mask.rows() + " x " + mask.cols());
        }
        double rowRoom = 0, colRoom = 0;
        for (int i = 0; i < n; i++) {
            rowRoom += mask.rowCount(i) < cols ? a[i] : 0;
        }
        for (int j = 0; j < cols; j++) {
            colRoom += mask.colCount(j) < n ? b[j] : 0;
        }
        double room = Math.min(rowRoom, colRoom);
        if (room == 0) {
            throw new IllegalArgumentException("mask forbids every entry that has mass on both sides; nothing can be transported");
        }
        if (m > room * (1 + MASS_SLACK)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "mask leaves room for a mass of %.6g only (the rows"
                    + " and columns with an allowed entry hold no more), below the mass %.6g to transport; lower the mass"
                    + " or forbid less", room, m));
        }
    }

    /** A finite regularisation \(\varepsilon > 0\). */
    static double reg(double reg) {
        return Checks.positive("reg", reg);
    }

    /**
     * Throws, naming {@code reg}, if \(\varepsilon < 10^{-10} \max|C|\) ({@link #MIN_RELATIVE_REG}).
     *
     * @param note null, or what the scale includes (L2RM's dummy entries)
     */
    static void regForCost(double reg, double maxAbsCost, String note) {
        double least = MIN_RELATIVE_REG * maxAbsCost;
        if (reg < least) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "reg = %s is too small for costs of magnitude %.3g%s: the exponents -cost/reg would carry rounding"
                            + " errors above 1e-6 and the plan would be noise; use reg >= %.3g (1e-10 x that magnitude)"
                            + " or rescale the cost", reg, maxAbsCost, note == null ? "" : " (" + note + ")", least));
        }
    }

    /**
     * Throws, naming {@code reg}, if some row or column of the Gibbs kernel \(e^{-C/\varepsilon}\)
     * (shifted so that its largest entry is 1) has no normal entry: the scaling-domain iteration
     * would divide by 0 and return NaN there (POT issue #723). Rows and columns whose entries
     * are all forbidden are 0 by design and skipped.
     */
    static void requireKernelRepresentable(double[] kernel, int n, int m, double reg, double costShift,
                                           DMatrixRMaj cost, String logMethod, PairMask forbidden) {
        double[] colMax = new double[m];
        for (int i = 0; i < n; i++) {
            double rowMax = 0;
            for (int j = 0; j < m; j++) {
                double k = kernel[i * m + j];
                rowMax = Math.max(rowMax, k);
                colMax[j] = Math.max(colMax[j], k);
            }
            boolean closed = forbidden != null && forbidden.rowCount(i) == m;
            if (rowMax < Double.MIN_NORMAL && !closed) {
                throw underflow("row", i, rowMin(cost, i, forbidden) - costShift, reg, logMethod);
            }
        }
        for (int j = 0; j < m; j++) {
            boolean closed = forbidden != null && forbidden.colCount(j) == n;
            if (colMax[j] < Double.MIN_NORMAL && !closed) {
                throw underflow("column", j, colMin(cost, j, forbidden) - costShift, reg, logMethod);
            }
        }
    }

    private static IllegalArgumentException underflow(String what, int index, double gap, double reg, String logMethod) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "reg = %s is too small for the scaling-domain solver: exp(-cost/reg) underflows to 0 on every"
                        + " allowed entry of %s %d (its cheapest cost exceeds the overall cheapest by %.6g, and"
                        + " %.6g / reg = %.6g > 708); use the log-domain method (%s) or a larger reg",
                reg, what, index, gap, gap, gap / reg, logMethod));
    }

    private static double rowMin(DMatrixRMaj c, int i, PairMask forbidden) {
        double v = Double.POSITIVE_INFINITY;
        for (int j = 0; j < c.numCols; j++) {
            if (forbidden == null || !forbidden.contains(i, j)) {
                v = Math.min(v, c.data[i * c.numCols + j]);
            }
        }
        return v;
    }

    private static double colMin(DMatrixRMaj c, int j, PairMask forbidden) {
        double v = Double.POSITIVE_INFINITY;
        for (int i = 0; i < c.numRows; i++) {
            if (forbidden == null || !forbidden.contains(i, j)) {
                v = Math.min(v, c.data[i * c.numCols + j]);
            }
        }
        return v;
    }

    /** The smallest entry of the cost (the scaling solvers shift by it so that \(\max K = 1\)). */
    static double min(DMatrixRMaj c) {
        double v = Double.POSITIVE_INFINITY;
        for (int k = 0; k < c.numRows * c.numCols; k++) {
            v = Math.min(v, c.data[k]);
        }
        return v;
    }

    /** \(\max |C_{ij}|\). */
    static double maxAbs(DMatrixRMaj c) {
        double v = 0;
        for (int k = 0; k < c.numRows * c.numCols; k++) {
            v = Math.max(v, Math.abs(c.data[k]));
        }
        return v;
    }
}

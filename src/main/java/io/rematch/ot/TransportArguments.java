package io.rematch.ot;

import io.rematch.check.Checks;
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
            throw new IllegalArgumentException(name + " must have length " + length + " (the cost is "
                    + (name.equals("a") || name.equals("p") ? "n x m, n = " : "n x m, m = ") + length + "), got " + h.length);
        }
        double total = 0;
        for (int k = 0; k < h.length; k++) {
            double v = h[k];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(String.format("%s[%d] is %s; expected finite masses", name, k, v));
            }
            if (v < 0) {
                throw new IllegalArgumentException(String.format("%s[%d] = %s is negative; masses must be >= 0", name, k, v));
            }
            total += v;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(name + " has total mass 0; expected a positive total");
        }
        return total;
    }

    /** {@code 1/n} repeated {@code n} times (POT's default {@code a = ones(n) / n}). */
    static double[] uniform(int n) {
        double[] h = new double[n];
        java.util.Arrays.fill(h, 1.0 / n);
        return h;
    }

    /** \(0 < m \le \min(\|a\|_1, \|b\|_1)\) (POT: "Problem infeasible"), up to {@link #MASS_SLACK}. */
    static double mass(double mass, double sumA, double sumB) {
        double cap = Math.min(sumA, sumB);
        if (!Double.isFinite(mass) || !(mass > 0) || mass > cap * (1 + MASS_SLACK)) {
            throw new IllegalArgumentException("mass must be in (0, min(sum a, sum b)] = (0, " + cap + "], got " + mass);
        }
        return Math.min(mass, cap);
    }

    /** A solver's transported mass parameter: finite and \(> 0\) (checked against a, b at solve time). */
    static double massParameter(double mass) {
        return Checks.positive("mass", mass);
    }

    /** The checks of a balanced problem: finite cost, histograms a and b of its shape. */
    static void balanced(DMatrixRMaj cost, double[] a, double[] b) {
        cost(cost);
        histogram("a", a, cost.numRows);
        histogram("b", b, cost.numCols);
    }

    /**
     * The checks of a partial problem: finite cost, histograms a and b of its shape, the mass
     * within \((0, \min(\|a\|_1, \|b\|_1)]\), a feasible mask (or none). Returns the mass to move.
     */
    static double partial(DMatrixRMaj cost, double[] a, double[] b, double mass, TransportMask mask) {
        cost(cost);
        double sumA = histogram("a", a, cost.numRows);
        double sumB = histogram("b", b, cost.numCols);
        double m = mass(mass, sumA, sumB);
        if (mask != null) {
            mask.requireFeasible("mask", cost.numRows, cost.numCols);
        }
        return m;
    }

    /** A finite regularisation \(\varepsilon > 0\). */
    static double reg(double reg) {
        return Checks.positive("reg", reg);
    }

    /** An iteration cap \(\ge 1\). */
    static int maxIterations(int maxIterations) {
        return Checks.atLeast("maxIterations", maxIterations, 1);
    }

    /** A stopping tolerance \(\ge 0\) (0 runs exactly the iteration cap). */
    static double tolerance(double tol) {
        return Checks.nonNegative("tolerance", tol);
    }

    /**
     * Throws, naming {@code reg}, if some row or column of the Gibbs kernel \(e^{-C/\varepsilon}\)
     * (shifted so that its largest entry is 1) has no normal entry: the scaling-domain iteration
     * would divide by 0 and return NaN there (POT issue #723). Forbidden entries are 0 and ignored.
     */
    static void requireKernelRepresentable(double[] kernel, int n, int m, double reg, double costShift,
                                           DMatrixRMaj cost, String logMethod) {
        double[] colMax = new double[m];
        for (int i = 0; i < n; i++) {
            double rowMax = 0;
            for (int j = 0; j < m; j++) {
                double k = kernel[i * m + j];
                rowMax = Math.max(rowMax, k);
                colMax[j] = Math.max(colMax[j], k);
            }
            if (rowMax < Double.MIN_NORMAL) {
                throw underflow("row", i, rowMin(cost, i) - costShift, reg, logMethod);
            }
        }
        for (int j = 0; j < m; j++) {
            if (colMax[j] < Double.MIN_NORMAL) {
                throw underflow("column", j, colMin(cost, j) - costShift, reg, logMethod);
            }
        }
    }

    private static IllegalArgumentException underflow(String what, int index, double gap, double reg, String logMethod) {
        return new IllegalArgumentException(String.format(
                "reg = %s is too small for the scaling-domain solver: exp(-cost/reg) underflows to 0 on every"
                        + " allowed entry of %s %d (its cheapest cost exceeds the overall cheapest by %.6g, and"
                        + " %.6g / reg = %.6g > 708); use the log-domain method (%s) or a larger reg",
                reg, what, index, gap, gap, gap / reg, logMethod));
    }

    private static double rowMin(DMatrixRMaj c, int i) {
        double v = Double.POSITIVE_INFINITY;
        for (int j = 0; j < c.numCols; j++) {
            v = Math.min(v, c.data[i * c.numCols + j]);
        }
        return v;
    }

    private static double colMin(DMatrixRMaj c, int j) {
        double v = Double.POSITIVE_INFINITY;
        for (int i = 0; i < c.numRows; i++) {
            v = Math.min(v, c.data[i * c.numCols + j]);
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
}

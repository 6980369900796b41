package io.rematch.ot;

import io.rematch.mask.PairMask;
import org.ejml.data.DMatrixRMaj;

/**
 * L2RM's balanced extension of a partial transport problem (Han et al., CVPR 2024, Sec. 3.2;
 * release hhc1997/L2RM a766c22, {@code SGRAF.partial_ot}): one dummy row and one dummy column
 * that absorb the mass not transported,
 * \[ C' = \begin{pmatrix} C & \xi \mathbf 1 \\ \xi \mathbf 1^\top & 2\xi + A \end{pmatrix},\quad
 *    \xi = 100 \max C,\ A = \max C,\qquad
 *    a' = \begin{pmatrix} a \\ \|a\|_1 - s \end{pmatrix},\ b' = \begin{pmatrix} b \\ \|b\|_1 - s \end{pmatrix}, \]
 * with the forbidden entries of the real block (a {@link PairMask}); the dummy row, column
 * and corner are never forbidden. Arrays are row-major {@code (n+1) x (m+1)}; the fields keep
 * the release's names \(p = a'\), \(q = b'\).
 */
final class DummyExtension {

    final int n;
    final int m;
    final int n1;
    final int m1;
    /** \(C'\). */
    final double[] cost;
    /** Forbidden entries of \(C'\) (real block only). */
    final boolean[] forbidden;
    /** \(a'\) (the release's p), \(b'\) (its q) and their logarithms. */
    final double[] p;
    final double[] q;
    final double[] logp;
    final double[] logq;
    /** \(\max |C'_{ij}| = 2\xi + \max C\): the scale the regularisation is compared with. */
    double maxCost;

    private DummyExtension(int n, int m) {
        this.n = n;
        this.m = m;
        this.n1 = n + 1;
        this.m1 = m + 1;
        this.cost = new double[n1 * m1];
        this.forbidden = new boolean[n1 * m1];
        this.p = new double[n1];
        this.q = new double[m1];
        this.logp = new double[n1];
        this.logq = new double[m1];
    }

    /**
     * Builds the extension, checking the arguments.
     *
     * @throws IllegalArgumentException naming {@code cost} (non-finite, negative, all 0, or so large
     *                                  that the dummy cost overflows), {@code a}, {@code b},
     *                                  {@code mass} (must be below both totals) or {@code mask}
     */
    static DummyExtension of(DMatrixRMaj cost, double[] a, double[] b, double mass, PairMask mask,
                             double dummyCostFactor) {
        TransportArguments.cost(cost);
        final int n = cost.numRows;
        final int m = cost.numCols;
        double sumP = TransportArguments.histogram("a", a, n);
        double sumQ = TransportArguments.histogram("b", b, m);
        double maxC = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n * m; k++) {
            double c = cost.data[k];
            if (c < 0) {
                throw new IllegalArgumentException(String.format("cost[%d,%d] = %s is negative; the dummy construction"
                        + " (xi = 100 max cost) needs costs >= 0 (L2RM clips them at 1e-10)", k / m, k % m, c));
            }
            maxC = Math.max(maxC, c);
        }
        if (!(maxC > 0)) {
            throw new IllegalArgumentException("cost is all 0; the dummy construction (xi = 100 max cost) needs max cost > 0"
                    + " (L2RM clips costs at 1e-10)");
        }
        double corner = (2 * dummyCostFactor + 1) * maxC;
        if (Double.isInfinite(corner)) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "cost: its largest entry %.6g is too large"
                    + " for L2RM's dummy construction (the dummy entries xi = %s x max and the corner 2 xi + max ="
                    + " %s x max must be finite); rescale the cost below %.6g", maxC, (long) dummyCostFactor, (long) (2 * dummyCostFactor + 1),
                    Double.MAX_VALUE / (2 * dummyCostFactor + 1)));
        }
        if (!(mass < Math.min(sumP, sumQ))) {
            throw new IllegalArgumentException("mass must be < min(sum a, sum b) = " + Math.min(sumP, sumQ)
                    + " so that the dummy row and column carry sum(a) - mass > 0 and sum(b) - mass > 0, got " + mass);
        }
        if (mask != null) {
            TransportArguments.requireRoom(mask, a, b, mass, n, m);
        }
        DummyExtension x = new DummyExtension(n, m);
        x.maxCost = corner;
        final double xi = dummyCostFactor * maxC;
        for (int i = 0; i < x.n1; i++) {
            for (int j = 0; j < x.m1; j++) {
                int e = i * x.m1 + j;
                if (i < n && j < m) {
                    x.cost[e] = cost.data[i * m + j];
                    x.forbidden[e] = mask != null && mask.contains(i, j);
                } else {
                    x.cost[e] = i == n && j == m ? 2 * xi + maxC : xi;
                }
            }
        }
        System.arraycopy(a, 0, x.p, 0, n);
        System.arraycopy(b, 0, x.q, 0, m);
        x.p[n] = sumP - mass;
        x.q[m] = sumQ - mass;
        for (int i = 0; i < x.n1; i++) {
            x.logp[i] = Math.log(x.p[i]);
        }
        for (int j = 0; j < x.m1; j++) {
            x.logq[j] = Math.log(x.q[j]);
        }
        return x;
    }

    /** \(-C'/\varepsilon\), \(-\infty\) where forbidden. */
    double[] logKernel(double reg) {
        double[] l = new double[n1 * m1];
        for (int e = 0; e < l.length; e++) {
            l[e] = forbidden[e] ? Double.NEGATIVE_INFINITY : -cost[e] / reg;
        }
        return l;
    }

    /** Whether row i (column j) of \(C'\) has a forbidden entry. */
    boolean[] rowHasForbidden() {
        boolean[] r = new boolean[n1];
        for (int e = 0; e < forbidden.length; e++) {
            r[e / m1] |= forbidden[e];
        }
        return r;
    }

    boolean[] colHasForbidden() {
        boolean[] c = new boolean[m1];
        for (int e = 0; e < forbidden.length; e++) {
            c[e % m1] |= forbidden[e];
        }
        return c;
    }

    /**
     * How far the extended plan \(e^{((-C'_{ij} + u_i) + v_j)/\varepsilon}\) is from its
     * marginals \(a', b'\): the largest row or column deviation relative to \(\|a\|_1\) (one pass
     * of exponentials; for a plan that a change-based rule stopped on).
     */
    Convergence.Violation extendedViolation(double[] u, double[] v, double reg) {
        double[] rows = new double[n1];
        double[] cols = new double[m1];
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < m1; j++) {
                int e = i * m1 + j;
                double pi = forbidden[e] ? 0 : Math.exp(((-cost[e] + u[i]) + v[j]) / reg);
                rows[i] += pi;
                cols[j] += pi;
            }
        }
        double rowDev = 0, colDev = 0, mass = 0;
        for (int i = 0; i < n1; i++) {
            rowDev = Math.max(rowDev, Math.abs(rows[i] - p[i]));
            mass += p[i];
        }
        for (int j = 0; j < m1; j++) {
            colDev = Math.max(colDev, Math.abs(cols[j] - q[j]));
        }
        double worst = Math.max(rowDev, colDev) / mass;
        return new Convergence.Violation(worst, String.format(java.util.Locale.ROOT,
                "the plan extended by L2RM's dummy row and column misses its row masses (a, sum a - mass) by up to"
                        + " %.3g and its column masses (b, sum b - mass) by up to %.3g", rowDev, colDev));
    }

    /**
     * The real block of the plan \(e^{((-C'_{ij} + u_i) + v_j)/\varepsilon}\) (the release's order of
     * operations), exactly 0 where forbidden; the dummy row and column are dropped.
     */
    DMatrixRMaj realPlan(double[] u, double[] v, double reg) {
        double[] plan = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                int e = i * m1 + j;
                plan[i * m + j] = forbidden[e] ? 0 : Math.exp(((-cost[e] + u[i]) + v[j]) / reg);
            }
        }
        return DMatrixRMaj.wrap(n, m, plan);
    }
}

package io.rematch.ot;

/**
 * L2RM's partial optimal transport with masked positives (Han et al., CVPR 2024, Sec. 3.2; the
 * release's {@code partial_ot} and {@code sinkhorn_log_domain}) written step by step: the
 * dummy row and column built as a matrix, the log-kernel {@code M} formed anew for every update,
 * a fixed number of iterations. The reference form of {@link MaskedPartialTransport} in
 * {@link io.rematch.numeric.Mode#STABLE} (which reduces a cached, absorbed kernel in one pass per
 * iteration); {@code LiteralTransportTest} checks that the two agree.
 */
public final class LiteralMaskedPartialTransport {

    private LiteralMaskedPartialTransport() {
    }

    /**
     * The real block of the plan after {@code iterations} rounds.
     *
     * <ol>
     *   <li>The balanced problem: {@code C' = [[C, xi 1], [xi 1^T, 2 xi + A]]} with
     *       {@code xi = 100 max C} and {@code A = max C}; {@code a' = (a, |a| - s)},
     *       {@code b' = (b, |b| - s)}: the dummies absorb all but mass {@code s}.</li>
     *   <li>The log-kernel {@code M_ij = (-C'_ij + u_i + v_j) / reg}, {@code -Infinity} where
     *       {@code forbidden[i][j]} (the given pairs: they carry exactly nothing).</li>
     *   <li>From {@code u = v = 0}: {@code u_i <- reg (log a'_i - lse_j M_ij) + u_i}, then, with
     *       the new {@code u}, {@code v_j <- reg (log b'_j - lse_i M_ij) + v_j}.</li>
     *   <li>The plan {@code exp(M)} without the dummy row and column.</li>
     * </ol>
     *
     * @param forbidden {@code n x m}, or {@code null} for none
     */
    public static double[][] plan(double[][] c, double[] a, double[] b, double reg, double s, boolean[][] forbidden,
                                  int iterations) {
        int n = a.length;
        int m = b.length;
        double max = 0;
        for (double[] row : c) {
            for (double x : row) {
                max = Math.max(max, x);
            }
        }
        double xi = MaskedPartialTransport.DUMMY_COST_FACTOR * max;
        double[][] cx = new double[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= m; j++) {
                cx[i][j] = i < n && j < m ? c[i][j] : i < n || j < m ? xi : 2 * xi + max;
            }
        }
        double[] ax = java.util.Arrays.copyOf(a, n + 1);
        double[] bx = java.util.Arrays.copyOf(b, m + 1);
        ax[n] = sum(a) - s;
        bx[m] = sum(b) - s;
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        double[] terms = new double[Math.max(n, m) + 1];
        for (int it = 0; it < iterations; it++) {
            double[][] lk = logKernel(cx, u, v, reg, forbidden, n, m);
            for (int i = 0; i <= n; i++) {
                System.arraycopy(lk[i], 0, terms, 0, m + 1);
                u[i] = reg * (Math.log(ax[i]) - LiteralSinkhorn.lse(terms, m + 1)) + u[i];
            }
            lk = logKernel(cx, u, v, reg, forbidden, n, m);
            for (int j = 0; j <= m; j++) {
                for (int i = 0; i <= n; i++) {
                    terms[i] = lk[i][j];
                }
                v[j] = reg * (Math.log(bx[j]) - LiteralSinkhorn.lse(terms, n + 1)) + v[j];
            }
        }
        double[][] lk = logKernel(cx, u, v, reg, forbidden, n, m);
        double[][] pi = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                pi[i][j] = Math.exp(lk[i][j]);
            }
        }
        return pi;
    }

    /** {@code M_ij = (-C'_ij + u_i + v_j) / reg}, {@code -Infinity} at the forbidden entries of the real block. */
    static double[][] logKernel(double[][] cx, double[] u, double[] v, double reg, boolean[][] forbidden, int n, int m) {
        double[][] lk = new double[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= m; j++) {
                boolean masked = forbidden != null && i < n && j < m && forbidden[i][j];
                lk[i][j] = masked ? Double.NEGATIVE_INFINITY : (-cx[i][j] + u[i] + v[j]) / reg;
            }
        }
        return lk;
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double e : x) {
            s += e;
        }
        return s;
    }
}

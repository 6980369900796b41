package io.rematch.ot;

/**
 * Balanced entropic optimal transport, Sinkhorn's iteration written the way the textbooks write
 * it (Cuturi, NIPS 2013, Algorithm 1; Peyré and Cuturi, "Computational Optimal Transport", 2019,
 * Eq. 4.43-4.44): plain loops, a fixed number of iterations, no stopping test, no fused pass. The
 * reference forms of {@link SinkhornKnopp} and {@link LogSinkhorn}, which compute the same
 * iterates in one pass over a shifted or cached kernel; {@code LiteralTransportTest} checks that
 * they agree, and shows where the scaling form underflows and the log form does not.
 *
 * <p>The problem: {@code min <C, pi> - reg H(pi)} over plans with row sums {@code a} and column
 * sums {@code b}; its solution is {@code pi = diag(u) K diag(v)}, {@code K = exp(-C / reg)}.
 */
public final class LiteralSinkhorn {

    private LiteralSinkhorn() {
    }

    /**
     * The scaling form: from {@code u = 1/n}, {@code v = 1/m}, each iteration
     * {@code v_j = b_j / sum_i K_ij u_i}, then {@code u_i = a_i / sum_j K_ij v_j} (POT's order);
     * the plan {@code pi_ij = u_i K_ij v_j}.
     */
    public static double[][] scaling(double[][] c, double[] a, double[] b, double reg, int iterations) {
        int n = a.length;
        int m = b.length;
        double[][] k = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                k[i][j] = Math.exp(-c[i][j] / reg);                // the Gibbs kernel
            }
        }
        double[] u = new double[n];
        double[] v = new double[m];
        java.util.Arrays.fill(u, 1.0 / n);
        java.util.Arrays.fill(v, 1.0 / m);
        for (int it = 0; it < iterations; it++) {
            for (int j = 0; j < m; j++) {
                double ktu = 0;
                for (int i = 0; i < n; i++) {
                    ktu += k[i][j] * u[i];
                }
                v[j] = b[j] / ktu;                                  // column j meets b_j
            }
            for (int i = 0; i < n; i++) {
                double kv = 0;
                for (int j = 0; j < m; j++) {
                    kv += k[i][j] * v[j];
                }
                u[i] = a[i] / kv;                                   // row i meets a_i
            }
        }
        double[][] pi = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                pi[i][j] = u[i] * k[i][j] * v[j];
            }
        }
        return pi;
    }

    /**
     * The log form: with {@code f = log u}, {@code g = log v} and {@code M = -C / reg}, from
     * {@code f = g = 0}, each iteration {@code g_j = log b_j - lse_i(M_ij + f_i)}, then
     * {@code f_i = log a_i - lse_j(M_ij + g_j)}; the plan {@code pi_ij = exp(M_ij + f_i + g_j)}.
     */
    public static double[][] logDomain(double[][] c, double[] a, double[] b, double reg, int iterations) {
        int n = a.length;
        int m = b.length;
        double[] f = new double[n];
        double[] g = new double[m];
        double[] terms = new double[Math.max(n, m)];
        for (int it = 0; it < iterations; it++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    terms[i] = -c[i][j] / reg + f[i];
                }
                g[j] = Math.log(b[j]) - lse(terms, n);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    terms[j] = -c[i][j] / reg + g[j];
                }
                f[i] = Math.log(a[i]) - lse(terms, m);
            }
        }
        double[][] pi = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                pi[i][j] = Math.exp(-c[i][j] / reg + f[i] + g[j]);
            }
        }
        return pi;
    }

    /**
     * {@code log sum_k exp(x_k)} over the first {@code count} entries, as
     * {@code max + log sum_k exp(x_k - max)}: the shift by the largest term is what keeps the
     * log form finite where {@code exp(-C / reg)} underflows. All {@code -Infinity}: {@code -Infinity}.
     */
    public static double lse(double[] x, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, x[k]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int k = 0; k < count; k++) {
            s += Math.exp(x[k] - max);
        }
        return max + Math.log(s);
    }
}

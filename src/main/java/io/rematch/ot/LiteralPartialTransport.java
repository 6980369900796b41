package io.rematch.ot;

/**
 * Entropic partial optimal transport as POT 0.8.2's {@code entropic_partial_wasserstein} and
 * Benamou et al. (SIAM J. Sci. Comput. 37(2), 2015, Proposition 5) write it: three Bregman (KL)
 * projections per iteration, one per constraint set (rows at most {@code a}, columns at most
 * {@code b}, total mass {@code m}), each with Dykstra's correction array {@code q1}, {@code q2},
 * {@code q3} kept as a full n x m matrix. The reference form of {@link EntropicPartialTransport},
 * which proves that the three corrections are a column vector, a row vector and a scalar and so
 * iterates three vectors in one pass ({@code LiteralTransportTest} checks that the two agree, and
 * this form against POT's own plans).
 *
 * <p>O(nm) memory per array and no stabilisation: {@code exp(-C / reg)} must not underflow
 * anywhere (a zero entry makes its correction 0 / 0), which is what the fast form's shift by
 * {@code min C} and {@link LogEntropicPartialTransport} are for.
 */
public final class LiteralPartialTransport {

    private LiteralPartialTransport() {
    }

    /** The plan after {@code iterations} rounds of the three projections, moving mass {@code mass}. */
    public static double[][] plan(double[][] c, double[] a, double[] b, double reg, double mass, int iterations) {
        int n = a.length;
        int m = b.length;
        double[][] k = new double[n][m];
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                k[i][j] = Math.exp(-c[i][j] / reg);
                total += k[i][j];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                k[i][j] *= mass / total;                  // start from the kernel at mass m
            }
        }
        double[][] q1 = ones(n, m);
        double[][] q2 = ones(n, m);
        double[][] q3 = ones(n, m);
        for (int it = 0; it < iterations; it++) {
            // 1. rows: K1 = diag(min(a / rowsum(K q1), 1)) (K q1); q1 <- q1 K / K1
            double[][] kq = times(k, q1);
            double[][] k1 = new double[n][m];
            for (int i = 0; i < n; i++) {
                double row = 0;
                for (int j = 0; j < m; j++) {
                    row += kq[i][j];
                }
                double scale = Math.min(a[i] / row, 1);
                for (int j = 0; j < m; j++) {
                    k1[i][j] = scale * kq[i][j];
                }
            }
            q1 = times(q1, divide(k, k1));
            // 2. columns: K2 = (K1 q2) diag(min(b / colsum(K1 q2), 1)); q2 <- q2 K1 / K2
            double[][] k1q = times(k1, q2);
            double[][] k2 = new double[n][m];
            for (int j = 0; j < m; j++) {
                double col = 0;
                for (int i = 0; i < n; i++) {
                    col += k1q[i][j];
                }
                double scale = Math.min(b[j] / col, 1);
                for (int i = 0; i < n; i++) {
                    k2[i][j] = k1q[i][j] * scale;
                }
            }
            q2 = times(q2, divide(k1, k2));
            // 3. mass: K = m (K2 q3) / sum(K2 q3); q3 <- q3 K2 / K
            double[][] k2q = times(k2, q3);
            double sum = 0;
            for (double[] row : k2q) {
                for (double x : row) {
                    sum += x;
                }
            }
            double[][] next = new double[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    next[i][j] = k2q[i][j] * mass / sum;
                }
            }
            q3 = times(q3, divide(k2, next));
            k = next;
        }
        return k;
    }

    private static double[][] ones(int n, int m) {
        double[][] x = new double[n][m];
        for (double[] row : x) {
            java.util.Arrays.fill(row, 1);
        }
        return x;
    }

    /** The entrywise product. */
    private static double[][] times(double[][] x, double[][] y) {
        double[][] z = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                z[i][j] = x[i][j] * y[i][j];
            }
        }
        return z;
    }

    /** The entrywise quotient. */
    private static double[][] divide(double[][] x, double[][] y) {
        double[][] z = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                z[i][j] = x[i][j] / y[i][j];
            }
        }
        return z;
    }
}

import io.rematch.course.SinkhornExercise;

/**
 * Reference solution of exercise 4: Greenkhorn (Altschuler, Weed and Rigollet, NeurIPS 2017), in
 * the log domain. Sinkhorn rescales every row, then every column; Greenkhorn rescales one row or
 * one column at a time, the one whose sum is furthest from its target, and keeps the row and
 * column sums up to date in O(n + m) per step.
 *
 * The plan is kept through the dual potentials, P_ij = exp((f_i + g_j - C_ij) / reg), never
 * through exp(-C_ij / reg) alone, which underflows to 0 when reg is small (at reg = 0.001 and
 * C = 1: exp(-1000)). Rescaling row i to sum a_i is f_i += reg (log a_i - log r_i).
 */
public class Exercise4 implements SinkhornExercise.Answer {

    @Override
    public double[][] plan(double[][] cost, double[] a, double[] b, double reg) {
        int n = a.length, m = b.length;
        double[] f = new double[n], g = new double[m];
        double[][] p = new double[n][m];
        double[] r = new double[n], c = new double[m];
        // start with every row exact (one log-domain row update from f = g = 0)
        for (int i = 0; i < n; i++) {
            f[i] = reg * (Math.log(a[i]) - logSumExpRow(cost, g, i, reg));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                p[i][j] = Math.exp((f[i] + g[j] - cost[i][j]) / reg);
                r[i] += p[i][j];
                c[j] += p[i][j];
            }
        }
        for (int step = 0; step < 2_000_000; step++) {
            // the most violated row or column, by |sum - target|
            int best = -1;
            double worst = 0;
            for (int i = 0; i < n; i++) {
                if (Math.abs(r[i] - a[i]) > worst) {
                    worst = Math.abs(r[i] - a[i]);
                    best = i;
                }
            }
            for (int j = 0; j < m; j++) {
                if (Math.abs(c[j] - b[j]) > worst) {
                    worst = Math.abs(c[j] - b[j]);
                    best = n + j;
                }
            }
            if (worst < 1e-13) {
                break;
            }
            if (best < n) {
                int i = best;
                f[i] = reg * (Math.log(a[i]) - logSumExpRow(cost, g, i, reg));
                r[i] = 0;
                for (int j = 0; j < m; j++) {
                    double v = Math.exp((f[i] + g[j] - cost[i][j]) / reg);
                    c[j] += v - p[i][j];
                    p[i][j] = v;
                    r[i] += v;
                }
            } else {
                int j = best - n;
                g[j] = reg * (Math.log(b[j]) - logSumExpCol(cost, f, j, reg));
                c[j] = 0;
                for (int i = 0; i < n; i++) {
                    double v = Math.exp((f[i] + g[j] - cost[i][j]) / reg);
                    r[i] += v - p[i][j];
                    p[i][j] = v;
                    c[j] += v;
                }
            }
        }
        return p;
    }

    /** log sum_j exp((g_j - C_ij) / reg), shifted by its largest term. */
    private static double logSumExpRow(double[][] cost, double[] g, int i, double reg) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < g.length; j++) {
            max = Math.max(max, (g[j] - cost[i][j]) / reg);
        }
        double sum = 0;
        for (int j = 0; j < g.length; j++) {
            sum += Math.exp((g[j] - cost[i][j]) / reg - max);
        }
        return max + Math.log(sum);
    }

    /** log sum_i exp((f_i - C_ij) / reg), shifted by its largest term. */
    private static double logSumExpCol(double[][] cost, double[] f, int j, double reg) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < f.length; i++) {
            max = Math.max(max, (f[i] - cost[i][j]) / reg);
        }
        double sum = 0;
        for (int i = 0; i < f.length; i++) {
            sum += Math.exp((f[i] - cost[i][j]) / reg - max);
        }
        return max + Math.log(sum);
    }
}

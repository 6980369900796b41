import io.rematch.course.GradientExercise;

/**
 * Reference solution of exercise 2: CCL with the log bound (RCL Eq. 15), all negatives, and its
 * gradient with respect to the scores.
 *
 * Derivation, image-to-text direction (the text-to-image one is the same on the transpose). Row k
 * has p_kj = exp(s_kj / tau) / Z_k, and dp_kj / ds_kl = p_kj ([j = l] - p_kl) / tau. Its term is
 *   L_k = sum_{j != k} -log(1 - p_kj),  dL_k / dp_kj = 1 / (1 - p_kj) = w_kj  (w_kk = 0),
 * so
 *   dL_k / ds_kl = sum_j w_kj p_kj ([j = l] - p_kl) / tau = p_kl (w_kl - sum_j w_kj p_kj) / tau.
 * With the 1/N in front, and the same for columns: dL/ds_kl = (row part + column part) / N.
 *
 * Numerics: 1 - p_kj is computed as the sum of row k's other probabilities, not by subtracting
 * p_kj from 1: when a negative takes almost all of a row (p_kj = 1 - 1e-6), 1 - p_kj would keep
 * only about 10 of its 16 digits, and log(1 - p) with it.
 */
public class Exercise2 implements GradientExercise.Answer {

    @Override
    public double loss(double[][] s, double tau) {
        int n = s.length;
        double[][] row = softmaxRows(s, tau), col = softmaxRows(transpose(s), tau);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                if (j != k) {
                    sum += -Math.log(complement(row[k], j)) - Math.log(complement(col[k], j));
                }
            }
        }
        return sum / n;
    }

    @Override
    public double[][] gradient(double[][] s, double tau) {
        int n = s.length;
        double[][] g = new double[n][n];
        double[][] rowPart = part(softmaxRows(s, tau), tau);
        double[][] colPart = part(softmaxRows(transpose(s), tau), tau); // indexed [column][row]
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] = (rowPart[i][j] + colPart[j][i]) / n;
            }
        }
        return g;
    }

    /** p_kl (w_kl - sum_j w_kj p_kj) / tau for every k, l, with w_kj = 1/(1 - p_kj) off the diagonal. */
    private static double[][] part(double[][] p, double tau) {
        int n = p.length;
        double[][] d = new double[n][n];
        for (int k = 0; k < n; k++) {
            double mean = 0;
            for (int j = 0; j < n; j++) {
                if (j != k) {
                    mean += p[k][j] / complement(p[k], j);
                }
            }
            for (int l = 0; l < n; l++) {
                double w = l == k ? 0 : 1 / complement(p[k], l);
                d[k][l] = p[k][l] * (w - mean) / tau;
            }
        }
        return d;
    }

    /** 1 - p[j], as the sum of the other entries of the probability vector p. */
    private static double complement(double[] p, int j) {
        double sum = 0;
        for (int l = 0; l < p.length; l++) {
            if (l != j) {
                sum += p[l];
            }
        }
        return sum;
    }

    /** Softmax of each row of s / tau, shifted by the row's maximum so that exp cannot overflow. */
    private static double[][] softmaxRows(double[][] s, double tau) {
        int n = s.length;
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : s[i]) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (int j = 0; j < n; j++) {
                p[i][j] = Math.exp((s[i][j] - max) / tau);
                z += p[i][j];
            }
            for (int j = 0; j < n; j++) {
                p[i][j] /= z;
            }
        }
        return p;
    }

    private static double[][] transpose(double[][] s) {
        int n = s.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j][i] = s[i][j];
            }
        }
        return t;
    }
}

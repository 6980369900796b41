package io.rematch.loss;

/**
 * Complementary contrastive learning (RCL, Hu et al., TPAMI 2023, Eq. 1-2 and 14-18) written the
 * way the paper writes it, to be read beside the equations: plain loops over an N x N score
 * matrix, one line per term, no shifts, no fused sweeps. It is the reference form of
 * {@link ComplementaryContrastiveLoss} (whose engine, {@code TwoWaySoftmaxObjective}, computes
 * the same numbers in three cancellation-safe sweeps); {@code LiteralFormsTest} checks that the
 * two agree on random batches, and shows where this form overflows and the fast one does not.
 *
 * <p>Scores {@code s[i][j]} are image i against text j, the given pairs on the diagonal; all
 * {@code N - 1} negatives of each anchor are complementary labels.
 */
public final class LiteralCcl {

    private LiteralCcl() {
    }

    /**
     * Eq. 1, the probability that image i matches text j:
     * {@code p_v2t[i][j] = exp(s[i][j] / tau) / sum_l exp(s[i][l] / tau)} (a softmax of row i).
     */
    public static double[][] imageToText(double[][] s, double tau) {
        int n = s.length;
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int l = 0; l < n; l++) {
                z += Math.exp(s[i][l] / tau);
            }
            for (int j = 0; j < n; j++) {
                p[i][j] = Math.exp(s[i][j] / tau) / z;
            }
        }
        return p;
    }

    /**
     * Eq. 2, the probability that text j matches image i, indexed {@code p_t2v[j][i]}:
     * {@code exp(s[i][j] / tau) / sum_l exp(s[l][j] / tau)} (a softmax of column j).
     */
    public static double[][] textToImage(double[][] s, double tau) {
        int n = s.length;
        double[][] p = new double[n][n];
        for (int j = 0; j < n; j++) {
            double z = 0;
            for (int l = 0; l < n; l++) {
                z += Math.exp(s[l][j] / tau);
            }
            for (int i = 0; i < n; i++) {
                p[j][i] = Math.exp(s[i][j] / tau) / z;
            }
        }
        return p;
    }

    /** Eq. 14-18: MAE {@code p}, and its bounds {@code -log(1-p)}, {@code e^-(1-p)}, {@code (1-(1-p)^q)/q}, {@code tan p}. */
    public static double phi(ComplementaryBound bound, double p) {
        switch (bound.kind()) {
            case MAE:
                return p;                                            // Eq. 14
            case LOG:
                return -Math.log(1 - p);                             // Eq. 15
            case EXP:
                return Math.exp(-(1 - p));                           // Eq. 16
            case GCE:
                return (1 - Math.pow(1 - p, bound.q())) / bound.q(); // Eq. 17
            case TAN:
            default:
                return Math.tan(p);                                  // Eq. 18
        }
    }

    /** The derivative of {@link #phi}: 1, {@code 1/(1-p)}, {@code e^-(1-p)}, {@code (1-p)^(q-1)}, {@code 1/cos^2 p}. */
    public static double phiPrime(ComplementaryBound bound, double p) {
        switch (bound.kind()) {
            case MAE:
                return 1;
            case LOG:
                return 1 / (1 - p);
            case EXP:
                return Math.exp(-(1 - p));
            case GCE:
                return Math.pow(1 - p, bound.q() - 1);
            case TAN:
            default:
                return 1 / (Math.cos(p) * Math.cos(p));
        }
    }

    /**
     * The CCL loss: {@code L = (1/N) sum_k sum_{i != k} [phi(p_v2t[k][i]) + phi(p_t2v[k][i])]},
     * every wrong text of image k and every wrong image of text k pushed down.
     */
    public static double loss(double[][] s, double tau, ComplementaryBound bound) {
        int n = s.length;
        double[][] pv = imageToText(s, tau);
        double[][] pt = textToImage(s, tau);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                if (i != k) {
                    sum += phi(bound, pv[k][i]);     // image k's negative text i
                    sum += phi(bound, pt[k][i]);     // text k's negative image i
                }
            }
        }
        return sum / n;
    }

    /**
     * {@code dL/ds} by the chain rule through each softmax: a probability of row k moves with every
     * score of row k, {@code d p_v2t[k][i] / d s[k][b] = p_v2t[k][i] (delta_ib - p_v2t[k][b]) / tau};
     * one of text k with every score of column k, {@code d p_t2v[k][i] / d s[a][k] = p_t2v[k][i]
     * (delta_ia - p_t2v[k][a]) / tau}. O(N^3): for reading and checking, not for training.
     */
    public static double[][] gradient(double[][] s, double tau, ComplementaryBound bound) {
        int n = s.length;
        double[][] pv = imageToText(s, tau);
        double[][] pt = textToImage(s, tau);
        double[][] g = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                if (i == k) {
                    continue;
                }
                double dv = phiPrime(bound, pv[k][i]) / n;      // dL / d p_v2t[k][i]
                double dt = phiPrime(bound, pt[k][i]) / n;      // dL / d p_t2v[k][i]
                for (int b = 0; b < n; b++) {
                    g[k][b] += dv * pv[k][i] * ((i == b ? 1 : 0) - pv[k][b]) / tau;   // row k of s
                    g[b][k] += dt * pt[k][i] * ((i == b ? 1 : 0) - pt[k][b]) / tau;   // column k of s
                }
            }
        }
        return g;
    }
}

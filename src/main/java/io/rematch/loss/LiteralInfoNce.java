package io.rematch.loss;

/**
 * Cross-modal contrastive learning (CL, InfoNCE; RCL, Hu et al., TPAMI 2023, Eq. 6-8) written the
 * way the paper writes it: the reference form of {@link ContrastiveLoss}, which forms
 * {@code log p} in the log domain instead ({@code LiteralFormsTest} checks that they agree, and
 * shows the temperature at which this form overflows).
 */
public final class LiteralInfoNce {

    private LiteralInfoNce() {
    }

    /**
     * Eq. 8: {@code R = -(1/N) sum_i [log p_v2t[i][i] + log p_t2v[i][i]]}, the given pair's
     * probability in both directions (Eq. 1-2, {@link LiteralCcl#imageToText},
     * {@link LiteralCcl#textToImage}).
     */
    public static double loss(double[][] s, double tau) {
        int n = s.length;
        double[][] pv = LiteralCcl.imageToText(s, tau);
        double[][] pt = LiteralCcl.textToImage(s, tau);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.log(pv[i][i]) + Math.log(pt[i][i]);
        }
        return -sum / n;
    }

    /** {@code dR/ds[i][j] = (p_v2t[i][j] + p_t2v[j][i] - 2 delta_ij) / (N tau)}: each softmax's probabilities minus its target. */
    public static double[][] gradient(double[][] s, double tau) {
        int n = s.length;
        double[][] pv = LiteralCcl.imageToText(s, tau);
        double[][] pt = LiteralCcl.textToImage(s, tau);
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] = (pv[i][j] + pt[j][i] - (i == j ? 2 : 0)) / (n * tau);
            }
        }
        return g;
    }
}

package io.rematch.loss;

import io.rematch.numeric.Mode;

/**
 * Soft InfoNCE: the cross-entropy between the soft targets and the matching probabilities,
 * one of L2RM's rematch losses (Han et al., CVPR 2024, Section 3.3 and Table 5; release
 * {@code models.py} commit a766c22, class {@code Soft_InfoNCE}):
 * \[ L = -\frac1n\sum_{i,j} A_{ij}\log P_{ij} \;-\; \frac1m\sum_{j,i} B_{ji}\log Q_{ji}, \]
 * with \(P\), \(Q\) the two softmax directions of \(S/\tau\) and \(A\), \(B\) the
 * {@link SoftTargets}. With one-hot targets on the diagonal it is InfoNCE ({@link ContrastiveLoss}).
 *
 * <p><b>Gradient.</b> With \(g_j = -a_j/p_j\), \(\partial D/\partial z_k = p_k\sum_j a_j - a_k\),
 * i.e. \(\partial L/\partial S_{ij} = \frac{1}{n\tau}(P_{ij} - A_{ij}) + \frac{1}{m\tau}(Q_{ji} - B_{ji})\)
 * (\(\sum_j a_j = 1\); the computed sum is used, as autograd does).
 *
 * <p>Both modes use the same formula; they differ in the softmax arithmetic only (see {@link SoftTargetLoss}).
 */
public final class SoftContrastiveLoss extends SoftTargetLoss {

    /**
     * @param tau  temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode stable or faithful
     */
    public SoftContrastiveLoss(double tau, Mode mode) {
        this(tau, mode, SoftTargets.EmptyRows.REFUSE);
    }

    /**
     * @param tau       temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode      stable or faithful arithmetic
     * @param emptyRows what a plan row without mass becomes (the release: uniform)
     */
    public SoftContrastiveLoss(double tau, Mode mode, SoftTargets.EmptyRows emptyRows) {
        super(tau, mode, emptyRows);
    }

    @Override
    double divergence(int len, double[] p, double[] logP, double[] a, double[] logA,
                      double targetSum, double kappa, double[] dz) {
        double d = 0;
        for (int k = 0; k < len; k++) {
            d -= a[k] * logP[k];
            dz[k] = p[k] * targetSum - a[k];
        }
        return d;
    }

    @Override
    public String name() {
        return "soft-infonce";
    }
}

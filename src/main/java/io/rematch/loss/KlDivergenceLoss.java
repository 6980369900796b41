package io.rematch.loss;

import io.rematch.numeric.Mode;

/**
 * The forward Kullback-Leibler rematch loss of L2RM (Han et al., CVPR 2024, Table 5; release
 * {@code models.py} commit a766c22, class {@code KL_Divergence}):
 * \[ L = \frac1n\sum_i \mathrm{KL}(A_{i\cdot}\,\|\,P_{i\cdot}) + \frac1m\sum_j \mathrm{KL}(B_{j\cdot}\,\|\,Q_{j\cdot}),
 *    \qquad \mathrm{KL}(a\|p) = \sum_k a_k (\log a_k - \log p_k), \]
 * PyTorch's {@code KLDivLoss(reduction="batchmean")(log P, A)}: it divides by the number of
 * rows, not of entries.
 *
 * <p><b>Gradient.</b> The entropy of the targets is a constant, so the gradient is that of
 * {@link SoftContrastiveLoss}: \(\partial D/\partial z_k = p_k\sum_j a_j - a_k\).
 */
public final class KlDivergenceLoss extends SoftTargetLoss {

    /**
     * @param tau  temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode stable or faithful
     */
    public KlDivergenceLoss(double tau, Mode mode) {
        this(tau, mode, SoftTargets.EmptyRows.REFUSE);
    }

    /**
     * @param tau       temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode      stable or faithful arithmetic
     * @param emptyRows what a plan row without mass becomes (the release: uniform)
     */
    public KlDivergenceLoss(double tau, Mode mode, SoftTargets.EmptyRows emptyRows) {
        super(tau, mode, emptyRows);
    }

    @Override
    double divergence(int len, double[] p, double[] logP, double[] a, double[] logA,
                      double targetSum, double kappa, double[] dz) {
        return forward(len, p, logP, a, logA, targetSum, dz);
    }

    /** \(\mathrm{KL}(a\|p)\) and its logit gradient \(p_k \sum a - a_k\), written to {@code dz}. */
    static double forward(int len, double[] p, double[] logP, double[] a, double[] logA, double targetSum, double[] dz) {
        double d = 0;
        for (int k = 0; k < len; k++) {
            d += a[k] * (logA[k] - logP[k]);
            dz[k] = p[k] * targetSum - a[k];
        }
        return d;
    }

    @Override
    public String name() {
        return "kl";
    }
}

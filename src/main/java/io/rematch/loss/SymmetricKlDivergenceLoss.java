package io.rematch.loss;

import io.rematch.numeric.Mode;

/**
 * L2RM's default rematch loss, the symmetric Kullback-Leibler divergence (Han et al., CVPR
 * 2024, Eq. 12; release {@code models.py} commit a766c22, class {@code sym_KL_Divergence}):
 * \[ L = \frac12\Big[\frac1n\sum_i \big(\mathrm{KL}(A_{i\cdot}\|P_{i\cdot}) + \mathrm{KL}(P_{i\cdot}\|A_{i\cdot})\big)
 *      + \frac1m\sum_j \big(\mathrm{KL}(B_{j\cdot}\|Q_{j\cdot}) + \mathrm{KL}(Q_{j\cdot}\|B_{j\cdot})\big)\Big]. \]
 * The release evaluates the reverse terms as {@code KLDivLoss(log A, P)}: the model
 * distribution is the {@code target} argument, and the gradient flows through it.
 *
 * <p><b>Gradient.</b> Forward term: \(p_k\sum_j a_j - a_k\) ({@link KlDivergenceLoss}).
 * Reverse term \(R = \sum_j p_j d_j\), \(d_j = \log p_j - \log a_j\): \(\partial R/\partial p_j = d_j + 1\),
 * so \(\partial R/\partial z_k = p_k\big(d_k - \sum_j p_j d_j + (1 - \sum_j p_j)\big)
 * = p_k (d_k - R + \kappa)\), with \(\kappa = 1 - \sum_j p_j\) taken exactly from the softmax
 * normaliser (\(\varepsilon/Z\) in faithful mode, 0 in stable mode) rather than by cancellation.
 * The result is half the sum of the two.
 */
public final class SymmetricKlDivergenceLoss extends SoftTargetLoss {

    /**
     * @param tau  temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode stable or faithful
     */
    public SymmetricKlDivergenceLoss(double tau, Mode mode) {
        this(tau, mode, SoftTargets.EmptyRows.REFUSE);
    }

    /**
     * @param tau       temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode      stable or faithful arithmetic
     * @param emptyRows what a plan row without mass becomes (the release: uniform)
     */
    public SymmetricKlDivergenceLoss(double tau, Mode mode, SoftTargets.EmptyRows emptyRows) {
        super(tau, mode, emptyRows);
    }

    @Override
    double divergence(int len, double[] p, double[] logP, double[] a, double[] logA,
                      double targetSum, double kappa, double[] dz) {
        double forward = KlDivergenceLoss.forward(len, p, logP, a, logA, targetSum, dz);
        double reverse = 0;
        for (int k = 0; k < len; k++) {
            reverse += p[k] * (logP[k] - logA[k]);
        }
        for (int k = 0; k < len; k++) {
            double dr = p[k] * ((logP[k] - logA[k]) - reverse + kappa);
            dz[k] = 0.5 * (dz[k] + dr);
        }
        return 0.5 * (forward + reverse);
    }

    @Override
    public String name() {
        return "sym-kl";
    }
}

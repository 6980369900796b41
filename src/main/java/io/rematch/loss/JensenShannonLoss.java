package io.rematch.loss;

import io.rematch.numeric.Mode;

/**
 * The Jensen-Shannon rematch loss of L2RM (Han et al., CVPR 2024, Table 5; release
 * {@code models.py} commit a766c22, class {@code JS_Divergence}), in two definitions.
 *
 * <p>With \(M = \frac12(P + A)\) per distribution and the two directions combined as in
 * {@link SoftTargetLoss} (\(\frac1n\sum_i\) over image rows plus \(\frac1m\sum_j\) over caption rows):
 * <ul>
 *   <li>{@link Form#MIXTURE_FIRST} — the release's formula, which is <em>not</em> the textbook JS: it
 *       calls {@code 0.5 * (KLDivLoss(log P, M) + KLDivLoss(log A, M))}, i.e. the mixture is the
 *       first argument of both divergences:
 *       \[ D = \tfrac12\big(\mathrm{KL}(M\|P) + \mathrm{KL}(M\|A)\big)
 *            = \sum_k \big(M_k\log M_k - \tfrac12 M_k\log P_k - \tfrac12 M_k\log A_k\big). \]
 *       It is non-negative (by Jensen, \(\log M_k \ge \tfrac12(\log P_k+\log A_k)\)) but unbounded,
 *       unlike JS. Gradient: with \(w_k = \log M_k - \frac12(\log P_k + \log A_k)\),
 *       \(\partial D/\partial p_k = \frac12(w_k + 1 - M_k/p_k)\), hence
 *       \(\partial D/\partial z_k = \frac12\big[p_k(w_k - \sum_j p_j w_j) + \frac12(p_k - a_k)
 *       - \frac12 p_k(\sum_j p_j - \sum_j a_j)\big]\), the last sum being \(-\kappa\) up to the
 *       rounding of \(\sum a\) (taken exactly from the normaliser and the computed target sum).</li>
 *   <li>{@link Form#TEXTBOOK} — the textbook Jensen-Shannon divergence
 *       \[ D = \tfrac12\big(\mathrm{KL}(P\|M) + \mathrm{KL}(A\|M)\big) \in [0, \log 2], \]
 *       with \(\partial D/\partial p_k = \frac12\log(p_k/M_k)\) (the other terms cancel because
 *       \((p_k + a_k)/(2M_k) = 1\)) and so \(\partial D/\partial z_k = p_k(g_k - \sum_j p_j g_j)\),
 *       \(g_k = \frac12(\log p_k - \log M_k)\).</li>
 * </ul>
 * The two are different functions, not two evaluations of one: they agree only where \(P = A\).
 * Which one is a {@link Form}, independent of the arithmetic {@link Mode} of the softmax.
 */
public final class JensenShannonLoss extends SoftTargetLoss {

    /** Which divergence the loss computes. */
    public enum Form {
        /** \(\frac12(\mathrm{KL}(P\|M) + \mathrm{KL}(A\|M))\), bounded by \(\log 2\). */
        TEXTBOOK,
        /** \(\frac12(\mathrm{KL}(M\|P) + \mathrm{KL}(M\|A))\), the L2RM release's. */
        MIXTURE_FIRST
    }

    private final Form form;

    /** The textbook divergence. */
    public JensenShannonLoss(double tau, Mode mode) {
        this(tau, mode, Form.TEXTBOOK, SoftTargets.EmptyRows.REFUSE);
    }

    /**
     * @param tau       temperature \(\tau > 0\) (0.05 in L2RM)
     * @param mode      stable or faithful arithmetic of the softmax
     * @param form      the textbook divergence or the release's mixture-first form
     * @param emptyRows what a plan row without mass becomes (the release: uniform)
     */
    public JensenShannonLoss(double tau, Mode mode, Form form, SoftTargets.EmptyRows emptyRows) {
        super(tau, mode, emptyRows);
        this.form = io.rematch.check.Checks.present("form", form);
    }

    /** The divergence computed. */
    public Form form() {
        return form;
    }

    @Override
    double divergence(int len, double[] p, double[] logP, double[] a, double[] logA,
                      double targetSum, double kappa, double[] dz) {
        return form == Form.MIXTURE_FIRST
                ? mixtureFirst(len, p, logP, a, logA, targetSum, kappa, dz)
                : textbook(len, p, logP, a, logA, dz);
    }

    private static double mixtureFirst(int len, double[] p, double[] logP, double[] a, double[] logA,
                                       double targetSum, double kappa, double[] dz) {
        double d = 0, pw = 0;
        for (int k = 0; k < len; k++) {
            double mix = 0.5 * (p[k] + a[k]);
            double logMix = Math.log(mix);
            // The release's two KLDivLoss terms, as written there.
            d += 0.5 * (mix * (logMix - logP[k]) + mix * (logMix - logA[k]));
            double w = logMix - 0.5 * (logP[k] + logA[k]);
            dz[k] = w; // keep w_k until the sum is known
            pw += p[k] * w;
        }
        // sum_j p_j - sum_j a_j = (1 - kappa) - targetSum
        double massGap = (1.0 - targetSum) - kappa;
        for (int k = 0; k < len; k++) {
            dz[k] = 0.5 * (p[k] * (dz[k] - pw) + 0.5 * (p[k] - a[k]) - 0.5 * p[k] * massGap);
        }
        return d;
    }

    private static double textbook(int len, double[] p, double[] logP, double[] a, double[] logA, double[] dz) {
        double d = 0, pg = 0;
        for (int k = 0; k < len; k++) {
            double logMix = Math.log(0.5 * (p[k] + a[k]));
            d += 0.5 * (p[k] * (logP[k] - logMix) + a[k] * (logA[k] - logMix));
            double gk = 0.5 * (logP[k] - logMix);
            dz[k] = gk;
            pg += p[k] * gk;
        }
        for (int k = 0; k < len; k++) {
            dz[k] = p[k] * (dz[k] - pg);
        }
        return d;
    }

    @Override
    public String name() {
        return "js";
    }
}

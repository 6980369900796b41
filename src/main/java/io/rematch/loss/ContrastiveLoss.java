package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.numeric.RowBlocks;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * Cross-modal contrastive learning (CL / InfoNCE): RCL's CMCL risk (Hu et al., TPAMI 2023,
 * Eq. 6-8) with the cross-entropy loss.
 *
 * <p>Eq. 6 is the retrieval risk of the decision function \(h\) in both directions,
 * \(R(h) = \mathbb E[\mathcal L(h(\mathbf V_i), \mathbf Y_i)] + \mathbb E[\mathcal L(h(\mathbf T_i), \mathbf Y_i)]\);
 * Eq. 7 is its mini-batch estimate \(\frac1N\sum_i[\mathcal L(h(\mathbf V_i), \mathbf Y_i) +
 * \mathcal L(h(\mathbf T_i), \mathbf Y_i)]\) with the batch softmax standing in for \(h\)
 * (Eq. 3-5); with cross-entropy this is Eq. 8:
 * \[ \hat R(h) = -\frac1N\Big(\sum_i \log p^{v2t}_{ii} + \sum_i \log p^{t2v}_{ii}\Big), \qquad
 *    \frac{\partial \hat R}{\partial S_{ij}} = \frac{1}{N\tau}\big(p^{v2t}_{ij} + p^{t2v}_{ji} - 2\delta_{ij}\big). \]
 * It trusts every given pair, so mismatched pairs pull their wrong partners together: the
 * overfitting that the complementary losses avoid.
 *
 * <p>In {@link Mode#STABLE} \(\log p\) is formed in the log domain, \((S_{ii} - m_i)/\tau - \log Z_i\)
 * (finite even where \(p\) underflows or \(S/\tau\) overflows); {@link Mode#FAITHFUL} takes the log
 * of the release's \(+10^{-10}\) probabilities (no epsilon inside the log, as in the release).
 *
 * <p>Literal form: {@link LiteralInfoNce} ({@code LiteralFormsTest} checks that the two agree).
 */
public final class ContrastiveLoss implements ScoreLoss {

    private final double tau;
    private final Mode mode;

    /**
     * @param tau  temperature \(\tau > 0\) (0.05 in RCL)
     * @param mode stable or faithful
     */
    public ContrastiveLoss(double tau, Mode mode) {
        this.tau = Checks.positive("tau", tau);
        this.mode = Checks.present("mode", mode);
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.square("scores", scores);
        int n = scores.numRows;
        DMatrixRMaj gradient = workspace.gradient(n, n);
        double[] g = gradient.data;
        double[] colTerms = workspace.first(n * n);
        SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode, g, colTerms);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double sii = scores.data[i * n + i];
            // each term over N before summing: the sum of large terms may overflow where their mean does not
            if (mode == Mode.FAITHFUL) {
                loss -= (Math.log(st.rowProbability(i, sii)) + Math.log(st.colProbability(i, sii))) / n;
            } else {
                loss -= (st.rowLogProbability(i, sii) + st.colLogProbability(i, sii)) / n;
            }
        }
        double scale = 1.0 / (n * tau);
        // row-local: on all cores for a large batch (RowBlocks), the same bits either way
        RowBlocks.forEach(n, n, c -> {
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                double rowNorm = st.rowNorm(i);
                for (int j = 0; j < n; j++) {
                    int k = i * n + j;
                    double p = g[k] / rowNorm;
                    double q = colTerms[k] / st.colNorm(j);
                    // on the diagonal p - 1 = -(1 - p), from the sum of the other terms: p -> 1 cancels
                    g[k] = (i == j ? -(st.rowComplement(i, i, p) + st.colComplement(i, i, q)) : p + q) * scale;
                }
            }
        });
        return LossValue.checked(loss, gradient, mode, name(), "tau = " + tau);
    }

    /** The temperature \(\tau\). */
    public double tau() {
        return tau;
    }

    /** The arithmetic mode. */
    public Mode mode() {
        return mode;
    }

    @Override
    public String name() {
        return "infonce";
    }
}

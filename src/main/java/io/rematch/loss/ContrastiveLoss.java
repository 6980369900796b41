package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.prob.Mode;
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
 * \[ \hat R(h) = -\frac1N\Big(\sum_i \log p^{v2t}_{ii} + \sum_i \log p^{t2v}_{ii}\Big). \]
 * It trusts every given pair, so mismatched pairs pull their wrong partners together: the
 * overfitting that the complementary losses avoid.
 *
 * <p>In {@link Mode#STABLE} \(\log p\) is formed in the log domain (finite even where \(p\)
 * underflows); {@link Mode#FAITHFUL} takes the log of the release's \(+10^{-10}\) probabilities.
 */
public final class ContrastiveLoss implements ScoreLoss {

    private static final EntryPenalty NEGATIVE_LOG = new EntryPenalty() {
        @Override
        public double value(double p, double oneMinusP, double logP, Mode mode) {
            return mode == Mode.FAITHFUL ? -Math.log(p) : -logP;
        }

        @Override
        public double pTimesDerivative(double p, double oneMinusP, Mode mode) {
            return -1.0; // p * d(-log p)/dp
        }
    };

    private final double tau;
    private final Mode mode;

    /**
     * @param tau  temperature \(\tau > 0\) (0.05 in RCL)
     * @param mode stable or faithful
     */
    public ContrastiveLoss(double tau, Mode mode) {
        this.tau = Checks.positive("tau", tau);
        this.mode = mode;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores) {
        Checks.squareFinite("scores", scores);
        return TwoWaySoftmaxObjective.evaluate(scores, tau, mode, NEGATIVE_LOG, PairMask.diagonal(scores.numRows));
    }

    @Override
    public String name() {
        return "infonce";
    }
}

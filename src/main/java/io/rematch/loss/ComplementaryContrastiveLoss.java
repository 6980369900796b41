package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import org.ejml.data.DMatrixRMaj;

/**
 * Complementary contrastive learning (CCL), RCL's robust loss (Hu et al., TPAMI 2023,
 * Eq. 14-18):
 * \[ \mathcal L = \frac1N \sum_{k=1}^N \sum_{p \in \bar{\mathcal P}_k} \phi(p), \qquad
 *    \bar{\mathcal P}_k = \{p^{v2t}_{ki} : \bar Y_{ki} = 1\} \cup \{p^{t2v}_{ki} : \bar Y_{ki} = 1\}, \]
 * where \(\phi\) is MAE or one of its upper bounds ({@link ComplementaryBound}) and
 * \(\bar Y\) the complementary labels ({@link Negatives}: all \(N-1\) negatives by default).
 * It never uses the given pair's own probability, so a mismatched pair cannot pull its wrong
 * partner closer; the positive is raised only because its negatives are pushed down.
 *
 * <p>With MAE this is Eq. 12's unbiased complementary risk divided by \(\alpha = 2(N-1)/C\)
 * (Eq. 13; see {@link ComplementaryRisk}). With {@link Negatives#single} and the log bound it is
 * negative learning (NL), a baseline of the paper.
 *
 * <p>Literal form: {@link LiteralCcl}, the same loss as plain loops over the matrix, to be read
 * beside Eq. 14-18 ({@code LiteralFormsTest} checks that the two agree).
 */
public final class ComplementaryContrastiveLoss implements ScoreLoss {

    private final ComplementaryBound bound;
    private final double tau;
    private final Negatives negatives;
    private final Mode mode;

    /**
     * @param bound     the per-probability term (Eq. 14-18)
     * @param tau       temperature \(\tau > 0\) (0.05 in RCL)
     * @param negatives which complementary labels each anchor gets
     * @param mode      stable or faithful
     */
    public ComplementaryContrastiveLoss(ComplementaryBound bound, double tau, Negatives negatives, Mode mode) {
        this.bound = Checks.present("bound", bound);
        this.tau = Checks.positive("tau", tau);
        this.negatives = Checks.present("negatives", negatives);
        this.mode = Checks.present("mode", mode);
    }

    /** RCL's default: the log bound over all negatives, \(\tau = 0.05\), stable. */
    public static ComplementaryContrastiveLoss rclDefault() {
        return new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05, Negatives.all(), Mode.STABLE);
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.square("scores", scores);
        return evaluate(scores, workspace, name());
    }

    /** Evaluates under another name in messages (nl is this loss with one random negative). */
    LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace, String name) {
        Checks.square("scores", scores);
        return TwoWaySoftmaxObjective.evaluate(scores, tau, mode, bound, negatives.draw(scores.numRows),
                Checks.present("workspace", workspace), name);
    }

    /** Evaluates with an explicit mask of negatives instead of drawing one. */
    public LossValue evaluate(DMatrixRMaj scores, PairMask mask) {
        Checks.square("scores", scores);
        return TwoWaySoftmaxObjective.evaluate(scores, tau, mode, bound, Checks.present("mask", mask), new LossWorkspace(), name());
    }

    /** The temperature \(\tau\). */
    public double tau() {
        return tau;
    }

    /** The negatives each anchor gets. */
    public Negatives negatives() {
        return negatives;
    }

    /** The arithmetic mode. */
    public Mode mode() {
        return mode;
    }

    /** The bound this loss applies. */
    public ComplementaryBound bound() {
        return bound;
    }

    @Override
    public String name() {
        return "ccl-" + bound.shortName();
    }
}

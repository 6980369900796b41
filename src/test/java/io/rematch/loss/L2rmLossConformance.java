package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.Mode;
import io.rematch.reference.ReferenceCases.Case;
import io.rematch.reference.ReferenceCases;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance with the L2RM release (hhc1997/L2RM a766c22, {@code models.py}): loss values and
 * gradients of {@code Soft_InfoNCE}, {@code KL_Divergence}, {@code sym_KL_Divergence},
 * {@code JS_Divergence}, {@code RCE}, {@code InfoNCE} and the three {@code ContrastiveLoss}
 * forms, evaluated in float64 by torch autograd on the partial-OT plans the release feeds them
 * ({@code src/test/resources/reference/l2rm_losses}, see PROVENANCE.md there). Faithful mode
 * matches to 1e-9 relative (losses and gradients).
 */
class L2rmLossConformance {

    static final double FAITHFUL_TOLERANCE = 1e-9;
    /** Stable mode drops the softmax epsilon (and RCE's log(1 + 1e-7) diagonal label): far below this. */
    static final double STABLE_TOLERANCE = 1e-6;

    static Stream<Case> cases() {
        return ReferenceCases.load("l2rm_losses").stream();
    }

    static Stream<Case> softTargetCases() {
        return cases().filter(c -> targeted(c.get("loss_class")) != null);
    }

    private static TargetedLoss targeted(String cls) {
        return targeted(cls, Mode.FAITHFUL);
    }

    private static TargetedLoss targeted(String cls, Mode mode) {
        switch (cls) {
            case "Soft_InfoNCE": return new SoftContrastiveLoss(0.05, mode);
            case "KL_Divergence": return new KlDivergenceLoss(0.05, mode);
            case "sym_KL_Divergence": return new SymmetricKlDivergenceLoss(0.05, mode);
            case "JS_Divergence": return new JensenShannonLoss(0.05, mode, mode == Mode.FAITHFUL ? JensenShannonLoss.Form.MIXTURE_FIRST
                    : JensenShannonLoss.Form.TEXTBOOK, mode == Mode.FAITHFUL ? SoftTargets.EmptyRows.UNIFORM : SoftTargets.EmptyRows.REFUSE);
            default: return null;
        }
    }

    /** The loss of a case in faithful mode, fixed to the case's targets where it has them. */
    private static ScoreLoss faithful(Case c) {
        double tau = c.number("tau");
        String cls = c.get("loss_class");
        TargetedLoss t = targeted(cls);
        if (t != null) {
            assertEquals(0.05, tau, "the loss factory assumes tau 0.05");
            return t.withTargets(c.matrix("targets"));
        }
        switch (cls) {
            case "RCE": return new SymmetricCrossEntropyLoss(tau, SymmetricCrossEntropyLoss.DiagonalLabel.RELEASE);
            // L2RM's InfoNCE has no epsilon in the denominators: that is ContrastiveLoss in stable mode.
            case "InfoNCE": return new ContrastiveLoss(tau, Mode.STABLE);
            case "ContrastiveLoss_warmup": return new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.MEAN);
            case "ContrastiveLoss_max_violation": return new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.HARDEST);
            default: throw new IllegalStateException("no loss for " + cls);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void faithfulModeReproducesTheRelease(Case c) {
        DMatrixRMaj scores = c.matrix("scores");
        if (c.get("loss_class").equals("ContrastiveLoss_eval_loss")) {
            double[] want = c.vector("vector");
            double[] got = new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.MEAN).perPairLoss(scores);
            assertEquals(want.length, got.length);
            for (int k = 0; k < want.length; k++) {
                assertEquals(want[k], got[k], FAITHFUL_TOLERANCE * Math.abs(want[k]), c + ": eval_loss[" + k + "]");
            }
            return;
        }
        check(c, faithful(c).evaluate(scores), FAITHFUL_TOLERANCE);
    }

    /**
     * Stable mode: the same divergences without the release's 1e-10 in the softmax denominators
     * (whose relative effect is 1e-10 / sum_l exp(S_il / tau), below 1e-12 here). JS is excluded:
     * stable mode computes the textbook JS, a different function (checked by the unit tests).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("softTargetCases")
    void stableModeAgreesExceptForJs(Case c) {
        if (c.get("loss_class").equals("JS_Divergence")) {
            return;
        }
        TargetedLoss stable = targeted(c.get("loss_class"), Mode.STABLE);
        check(c, stable.evaluate(c.matrix("scores"), c.matrix("targets")), STABLE_TOLERANCE);
    }

    private static void check(Case c, LossValue v, double tol) {
        double expected = c.number("loss");
        assertEquals(expected, v.value(), tol * Math.abs(expected), c + ": loss");
        DMatrixRMaj g = c.matrix("grad");
        assertEquals(g.numRows, v.gradient().numRows);
        assertEquals(g.numCols, v.gradient().numCols);
        double scale = 0;
        for (int k = 0; k < g.getNumElements(); k++) {
            scale = Math.max(scale, Math.abs(g.data[k]));
        }
        double worst = 0;
        for (int k = 0; k < g.getNumElements(); k++) {
            double want = g.data[k];
            double got = v.gradient().data[k];
            // relative per entry, with a floor at tol * 1e-3 * max|grad| for entries that are ~0
            double allowed = tol * Math.max(Math.abs(want), scale * 1e-3) + 1e-300;
            worst = Math.max(worst, Math.abs(got - want) / allowed * tol);
            final int kk = k;
            assertTrue(Math.abs(got - want) <= allowed, () -> c + ": grad[" + kk / g.numCols + "," + kk % g.numCols
                    + "] = " + got + ", release " + want + " (|diff| " + Math.abs(got - want) + " > " + allowed + ")");
        }
        System.out.printf("%s: loss rel err %.2e, grad worst rel err %.2e%n", c,
                Math.abs(v.value() - expected) / Math.abs(expected), worst);
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Bad input, the zero-row rule of the two modes, and the registry of L2RM's losses. */
class RematchLossTest {

    private static final DMatrixRMaj S = TestMatrices.scores(4, 0.3, 1);
    private static final DMatrixRMaj T = RematchLossProperties.targets(4, 4, 2);

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should name '" + p + "'");
        }
    }

    @Test
    void refusesBadScoresTargetsAndTau() {
        for (Mode mode : Mode.values()) {
            for (TargetedLoss l : RematchLossProperties.losses(0.05, mode)) {
                DMatrixRMaj nan = S.copy();
                nan.set(1, 2, Double.NaN);
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(nan, T)), "scores[1,2]", "NaN");
                DMatrixRMaj badT = T.copy();
                badT.set(2, 3, Double.POSITIVE_INFINITY);
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, badT)), "targets[2,3]");
                DMatrixRMaj negative = T.copy();
                negative.set(0, 1, -1e-3);
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, negative)), "targets[0,1]", ">= 0");
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, new DMatrixRMaj(4, 3))),
                        "targets", "4 x 4", "4 x 3");
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, null)), "targets");
                assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(new DMatrixRMaj(0, 0), T)), "scores");
            }
        }
        for (double tau : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new SymmetricKlDivergenceLoss(tau, Mode.STABLE)), "tau");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new KlDivergenceLoss(tau, Mode.STABLE)), "tau");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new JensenShannonLoss(tau, Mode.STABLE)), "tau");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new SoftContrastiveLoss(tau, Mode.STABLE)), "tau");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> new SymmetricCrossEntropyLoss(tau)), "tau");
        }
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new SymmetricKlDivergenceLoss(0.05, null)), "mode");
        DMatrixRMaj rect = TestMatrices.uniform(3, 4, 1, 5);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new SymmetricCrossEntropyLoss(0.05).evaluate(rect)), "scores", "square");
    }

    /**
     * A plan row without mass: refused by default (no target distribution); the release's
     * policy (EmptyRows.UNIFORM) floors it to 1e-10 everywhere, i.e. a uniform target row.
     */
    @Test
    void zeroRowOrColumnOfTheTargets() {
        DMatrixRMaj zeroRow = T.copy();
        DMatrixRMaj zeroCol = T.copy();
        for (int k = 0; k < 4; k++) {
            zeroRow.set(2, k, 0);
            zeroCol.set(k, 1, 0);
        }
        for (TargetedLoss l : RematchLossProperties.losses(0.05, Mode.STABLE)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, zeroRow)), "targets row 2", "all zero");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> l.evaluate(S, zeroCol)), "targets column 1", "all zero");
        }
        SoftTargets st = SoftTargets.of(zeroRow, SoftTargets.EmptyRows.UNIFORM);
        for (int k = 0; k < 4; k++) {
            assertEquals(0.25, st.imageToText().get(2, k), 1e-15);
        }
        for (TargetedLoss l : RematchLossProperties.losses(0.05, Mode.FAITHFUL)) {
            double v = l.evaluate(S, zeroRow).value();
            assertEquals(RematchLossProperties.naiveLoss(l, Mode.FAITHFUL, 0.05, S, zeroRow), v, 1e-11 * Math.max(1, v), l.name());
        }
    }

    @Test
    void softTargetsAreTheNormalisedFlooredPlan() {
        DMatrixRMaj plan = new DMatrixRMaj(new double[][] {{0, 2, 6}, {1e-12, 3, 0}});
        SoftTargets st = SoftTargets.of(plan, SoftTargets.EmptyRows.REFUSE);
        DMatrixRMaj a = st.imageToText();
        assertEquals(1e-10 / (8 + 1e-10), a.get(0, 0), 1e-25);
        assertEquals(0.75, a.get(0, 2), 1e-9);
        DMatrixRMaj b = st.textToImage(); // 3 x 2, row j = caption j
        assertEquals(3, b.numRows);
        assertEquals(0.5, b.get(0, 0), 1e-15); // column 0 is (1e-10, 1e-10) after the floor
        assertEquals(0.4, b.get(1, 0), 1e-15);
        assertEquals(0.6, b.get(1, 1), 1e-15);
    }

    @Test
    void withTargetsCopiesTheTargets() {
        DMatrixRMaj t = T.copy();
        ScoreLoss fixed = new SymmetricKlDivergenceLoss(0.05, Mode.STABLE).withTargets(t);
        double before = fixed.evaluate(S).value();
        t.set(0, 0, 100);
        assertEquals(before, fixed.evaluate(S).value(), 0.0);
        assertNotEquals(before, new SymmetricKlDivergenceLoss(0.05, Mode.STABLE).evaluate(S, t).value());
        assertEquals("sym-kl", fixed.name());
    }

    @Test
    void registryMakesEveryL2rmLoss() {
        Losses.Settings s = Losses.Settings.defaults().asReleased();
        for (String name : Losses.TARGETED_NAMES) {
            assertTrue(Losses.needsTargets(name));
            assertTrue(Losses.NAMES.contains(name));
            assertEquals(name, Losses.createTargeted(name, s).name());
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Losses.create(name, s)), name, "targets");
        }
        assertEquals("rce", Losses.create("rce", s).name());
        assertEquals("tr-mean", Losses.create("tr-mean", s).name());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Losses.createTargeted("rce", s)), "rce");
    }
}

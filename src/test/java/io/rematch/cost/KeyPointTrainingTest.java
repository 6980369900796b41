package io.rematch.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.optim.Adam;
import io.rematch.testing.TestMatrices;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Key points as the release draws them, and the self-supervised cost update. */
class KeyPointTrainingTest {

    @Test
    void drawsBetweenOneAndATenthOfTheBatchDistinctSlotsAndPairs() {
        qt().forAll(integers().between(1, 300), longs().all()).checkAssert((b, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            KeyPoints kp = KeyPoints.draw(b, b, r);
            int most = Math.max(1, b / 10);
            assertTrue(kp.count() >= 1 && kp.count() <= most, "k = " + kp.count() + " for B = " + b);
            DMatrixRMaj y = kp.supervision();
            double ones = 0;
            for (double v : y.data) {
                ones += v;
            }
            assertEquals(kp.count(), ones, "distinct (slot, pair) cells");
            int[] slots = kp.slots(), clean = kp.cleanIndices();
            for (int t = 0; t < kp.count(); t++) {
                assertEquals(1.0, y.get(slots[t], clean[t]));
                for (int u = 0; u < t; u++) {
                    assertTrue(slots[t] != slots[u] && clean[t] != clean[u], "repeated slot or pair");
                }
            }
        });
    }

    /** At B = 128, k takes every value 1..12 (uniform: each about 1/12 of 6000 draws). */
    @Test
    void countIsUniformOnItsRange() {
        SplittableRandom r = new SplittableRandom(42);
        int[] hits = new int[13];
        for (int t = 0; t < 6000; t++) {
            hits[KeyPoints.draw(128, 128, r).count()]++;
        }
        assertEquals(0, hits[0]);
        for (int k = 1; k <= 12; k++) {
            assertTrue(Math.abs(hits[k] - 500) < 5 * Math.sqrt(500 * 11.0 / 12), "k = " + k + ": " + hits[k]);
        }
    }

    /** Steps on the key-point loss lower the cost of the known-true pairs, for both costs. */
    @Test
    void trainingLowersTheCostOfTheKeyPoints() {
        qt().withExamples(20).forAll(integers().between(2, 24), longs().all()).checkAssert((b, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            DMatrixRMaj s = TestMatrices.scores(b, 0.0, seed);
            KeyPoints kp = KeyPoints.draw(b, b, r);
            for (LearnableCost cost : new LearnableCost[] {new RowLinearCost(b), new MonotoneElementwiseCost()}) {
                Adam adam = new Adam(cost.parameters().length, Adam.Settings.withLearningRate(1e-2));
                double first = KeyPointTraining.loss(cost, s, kp.supervision());
                assertTrue(first > 0, "uniform([-0.5, 0.5]) similarities cost ReLU(1 - s) > 0 at the start");
                double last = first;
                for (int t = 0; t < 50; t++) {
                    double before = KeyPointTraining.step(cost, s, kp.supervision(), adam);
                    assertEquals(last, before, 1e-12, "step returns the loss before its update");
                    last = KeyPointTraining.loss(cost, s, kp.supervision());
                }
                assertTrue(last < 0.8 * first, cost.name() + ": " + first + " -> " + last);
            }
        });
    }

    /** At the release's rate 2e-6 one step moves each parameter by at most 2e-6 (Adam's first step). */
    @Test
    void defaultRateStepIsTiny() {
        RowLinearCost cost = new RowLinearCost(16);
        double[] before = cost.parameters();
        KeyPoints kp = KeyPoints.draw(16, 16, new SplittableRandom(1));
        KeyPointTraining.step(cost, TestMatrices.scores(16, 0.3, 2), kp.supervision(),
                new Adam(before.length, Adam.Settings.withLearningRate(KeyPointTraining.DEFAULT_LEARNING_RATE)));
        double[] after = cost.parameters();
        double most = 0;
        for (int k = 0; k < before.length; k++) {
            most = Math.max(most, Math.abs(after[k] - before[k]));
        }
        assertTrue(most > 1.9e-6 && most <= 2e-6 + 1e-18, "largest change " + most);
    }

    @Test
    void badInput() {
        RowLinearCost cost = new RowLinearCost(4);
        DMatrixRMaj s = TestMatrices.scores(4, 0.3, 1);
        Adam adam = new Adam(20, Adam.Settings.withLearningRate(1e-3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyPointTraining.step(cost, s, new DMatrixRMaj(4, 3), adam))
                .getMessage().contains("supervision"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KeyPointTraining.step(cost, s, new DMatrixRMaj(4, 4), new Adam(3, Adam.Settings.withLearningRate(1e-3))))
                .getMessage().contains("adam"));
        assertThrows(IllegalArgumentException.class, () -> new KeyPoints(4, 4, new int[] {1, 1}, new int[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> new KeyPoints(4, 4, new int[] {4}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new KeyPoints(4, 4, new int[] {0}, new int[] {-1}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KeyPoints(4, 4, new int[] {0, 1}, new int[] {2, 2}))
                .getMessage().contains("repeated"));
        assertThrows(IllegalArgumentException.class, () -> KeyPoints.draw(0, 4, new SplittableRandom(1)));
    }
}

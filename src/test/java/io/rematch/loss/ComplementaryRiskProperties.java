package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.prob.MatchingProbabilities;
import io.rematch.testing.TestMatrices;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Theorem 1 of RCL (Eq. 9-10) by exhaustive enumeration, Eq. 11 = Eq. 12, and Eq. 13's MAE
 * identity linking the unbiased risk to the CCL-MAE loss (Eq. 14). QuickTheories prints the
 * seed of a failing example; replay it with {@code -DQT_SEED=...}.
 */
class ComplementaryRiskProperties {

    /** Theorem 1: averaging Eq. 10 over ALL size-k complementary sets gives the true label's loss. */
    @Test
    void complementaryLossIsUnbiasedOverAllComplementarySets() {
        qt().forAll(integers().between(2, 9), integers().between(0, 1000), longs().all())
                .checkAssert((kLabels, pick, seed) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    double[] losses = new double[kLabels];
                    for (int y = 0; y < kLabels; y++) {
                        losses[y] = 10 * r.nextDouble() - 2; // any real losses, even negative
                    }
                    int truth = pick % kLabels;
                    int setSize = 1 + (pick / kLabels) % (kLabels - 1);
                    double sum = 0;
                    long count = 0;
                    for (int bits = 0; bits < (1 << kLabels); bits++) {
                        if (Integer.bitCount(bits) != setSize || (bits & (1 << truth)) != 0) {
                            continue;
                        }
                        boolean[] set = new boolean[kLabels];
                        for (int y = 0; y < kLabels; y++) {
                            set[y] = (bits & (1 << y)) != 0;
                        }
                        sum += ComplementaryRisk.complementaryLoss(losses, set);
                        count++;
                    }
                    assertEquals(binomial(kLabels - 1, setSize), count);
                    assertEquals(losses[truth], sum / count, 1e-12 * Math.max(1, Math.abs(losses[truth]) * kLabels),
                            "K=" + kLabels + " k=" + setSize + " true label " + truth);
                });
    }

    /** A set that contains the true label makes the estimate biased: the theorem's hypothesis matters. */
    @Test
    void setsContainingTheTrueLabelAreBiased() {
        double[] losses = {0.1, 2.0, 3.0, 4.0};
        double sum = 0;
        int count = 0;
        for (int other = 1; other < 4; other++) {
            boolean[] set = new boolean[4];
            set[0] = true;
            set[other] = true;
            sum += ComplementaryRisk.complementaryLoss(losses, set);
            count++;
        }
        assertNotClose(losses[0], sum / count);
    }

    /** Eq. 13: with MAE, L(p, y) = 2(1 - p_y), Eq. 10 equals alpha * sum over the set of p, alpha = 2(N-1)/C. */
    @Test
    void maeComplementaryLossIsAlphaTimesNegativeProbabilities() {
        qt().forAll(integers().between(2, 12), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] p = new double[n];
            double total = 0;
            for (int y = 0; y < n; y++) {
                p[y] = r.nextDouble() + 1e-3;
                total += p[y];
            }
            double[] mae = new double[n];
            for (int y = 0; y < n; y++) {
                p[y] /= total;
                mae[y] = 2 * (1 - p[y]);
            }
            boolean[] set = new boolean[n];
            int c = 0;
            double sumP = 0;
            for (int y = 1; y < n; y++) { // label 0 is the true one
                if (r.nextBoolean() || (y == n - 1 && c == 0)) {
                    set[y] = true;
                    c++;
                    sumP += p[y];
                }
            }
            double expected = ComplementaryRisk.maeCoefficient(n, c) * sumP;
            assertEquals(expected, ComplementaryRisk.complementaryLoss(mae, set), 1e-12 * Math.max(1, expected));
        });
    }

    /** Eq. 11 (grouped by set size with q_k estimated) equals Eq. 12 (plain average). */
    @Test
    void stratifiedRiskEqualsEmpiricalRisk() {
        qt().forAll(integers().between(3, 10), longs().all()).checkAssert((n, seed) -> {
            DMatrixRMaj li = TestMatrices.uniform(n, n, 3, seed);
            DMatrixRMaj lt = TestMatrices.uniform(n, n, 3, seed + 1);
            SplittableRandom r = new SplittableRandom(seed);
            DMatrixRMaj m = new DMatrixRMaj(n, n);
            for (int i = 0; i < n; i++) {
                int k = 1 + r.nextInt(n - 1); // each anchor its own set size
                for (int t = 0, j = (i + 1) % n; t < k; t++, j = (j + 1) % n) {
                    m.data[i * n + j] = 1;
                }
            }
            PairMask mask = PairMask.of("mask", m);
            double a = ComplementaryRisk.empiricalRisk(li, lt, mask);
            double b = ComplementaryRisk.stratifiedRisk(li, lt, mask);
            assertEquals(a, b, 1e-12 * Math.max(1, Math.abs(a)));
        });
    }

    /**
     * Eq. 12-14 end to end: the unbiased empirical risk with MAE losses on the batch softmax
     * equals alpha times the CCL-MAE loss (Eq. 14) computed by ComplementaryContrastiveLoss.
     */
    @Test
    void unbiasedMaeRiskIsAlphaTimesCclMae() {
        qt().forAll(integers().between(2, 12), longs().all()).checkAssert((n, seed) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.4, seed);
            double tau = 0.1;
            DMatrixRMaj p = MatchingProbabilities.imageToText(s, tau, Mode.STABLE);
            DMatrixRMaj q = MatchingProbabilities.textToImage(s, tau, Mode.STABLE);
            DMatrixRMaj li = new DMatrixRMaj(n, n);
            DMatrixRMaj lt = new DMatrixRMaj(n, n);
            for (int k = 0; k < n * n; k++) {
                li.data[k] = 2 * (1 - p.data[k]);
                lt.data[k] = 2 * (1 - q.data[k]);
            }
            PairMask all = PairMask.offDiagonal(n);
            double risk = ComplementaryRisk.empiricalRisk(li, lt, all);
            double ccl = new ComplementaryContrastiveLoss(ComplementaryBound.mae(), tau, Negatives.all(), Mode.STABLE)
                    .evaluate(s).value();
            double alpha = ComplementaryRisk.maeCoefficient(n, n - 1);
            assertEquals(risk, alpha * ccl, 1e-10 * Math.max(1, risk));
        });
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComplementaryRisk.complementaryLoss(new double[] {1, 2}, new boolean[] {false, false}));
        assertEquals("complementary must contain at least one label", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ComplementaryRisk.complementaryLoss(new double[] {1, Double.NaN}, new boolean[] {false, true}));
        assertEquals("losses[1] is NaN; expected finite values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ComplementaryRisk.maeCoefficient(5, 5));
        assertEquals("C must be in [1, N-1] = [1, 4], got 5", e.getMessage());
    }

    private static long binomial(int n, int k) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    private static void assertNotClose(double a, double b) {
        if (Math.abs(a - b) < 1e-6) {
            throw new AssertionError("expected a biased estimate, got " + b + " == " + a);
        }
    }
}

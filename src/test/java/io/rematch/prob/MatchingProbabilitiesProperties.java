package io.rematch.prob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** RCL Eq. 1-2: softmax rows, the two directions, and the two modes. */
class MatchingProbabilitiesProperties {

    @Test
    void rowsAreProbabilityDistributions() {
        qt().forAll(integers().between(1, 12), integers().between(1, 12), longs().all(), doubles().between(0.01, 2))
                .checkAssert((n, m, seed, tau) -> {
                    DMatrixRMaj s = TestMatrices.uniform(n, m, 1, seed);
                    for (DMatrixRMaj p : new DMatrixRMaj[] {MatchingProbabilities.imageToText(s, tau, Mode.STABLE),
                            MatchingProbabilities.textToImage(s, tau, Mode.STABLE)}) {
                        for (int r = 0; r < p.numRows; r++) {
                            double sum = 0;
                            for (int c = 0; c < p.numCols; c++) {
                                double v = p.get(r, c);
                                assertTrue(v >= 0 && v <= 1, "entry " + v);
                                sum += v;
                            }
                            assertEquals(1.0, sum, 1e-12);
                        }
                    }
                });
    }

    /** Eq. 2 is Eq. 1 applied to S transposed. */
    @Test
    void textToImageIsImageToTextOfTranspose() {
        qt().forAll(integers().between(1, 10), integers().between(1, 10), longs().all()).checkAssert((n, m, seed) -> {
            DMatrixRMaj s = TestMatrices.uniform(n, m, 1, seed);
            DMatrixRMaj viaT = MatchingProbabilities.imageToText(CommonOps_DDRM.transpose(s, null), 0.05, Mode.STABLE);
            DMatrixRMaj direct = MatchingProbabilities.textToImage(s, 0.05, Mode.STABLE);
            assertTrue(TestMatrices.maxAbsDiff(viaT, direct) <= 1e-14, "max diff " + TestMatrices.maxAbsDiff(viaT, direct));
        });
    }

    /**
     * Faithful (no max-subtraction, +1e-10) and stable agree where both are finite: the release's
     * +1e-10 changes p to p * Z / (Z + 1e-10), a relative change of at most 1e-10 / Z, where
     * Z = sum_l exp(S_il / tau).
     */
    @Test
    void faithfulAgreesWithStableWhereFinite() {
        qt().forAll(integers().between(1, 12), longs().all(), doubles().between(0.02, 1)).checkAssert((n, seed, tau) -> {
            DMatrixRMaj s = TestMatrices.uniform(n, n, 1, seed);
            DMatrixRMaj a = MatchingProbabilities.imageToText(s, tau, Mode.STABLE);
            DMatrixRMaj b = MatchingProbabilities.imageToText(s, tau, Mode.FAITHFUL);
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int j = 0; j < n; j++) {
                    z += Math.exp(s.get(i, j) / tau);
                }
                double relative = Mode.RELEASE_EPSILON / z;
                // the exponents are formed as S/tau (faithful) and (S - max)/tau (stable): each rounds
                // to half an ulp of magnitudes up to 2 max|S| / tau, a relative error of e^that in p
                double exponentRounding = 4 * Math.ulp(1.0) * 2 / tau;
                for (int j = 0; j < n; j++) {
                    double expected = a.get(i, j);
                    assertEquals(expected, b.get(i, j), expected * (1.01 * relative + 1e-14 + exponentRounding),
                            "row " + i + " Z=" + z);
                }
            }
        });
    }

    /**
     * Both ways of forming the column terms (from the row terms by per-row/per-column factors when
     * the shifts span < 600, by a second exponential otherwise) equal a naive column softmax.
     */
    @Test
    void columnProbabilitiesEqualNaiveColumnSoftmaxForSmallAndHugeSpreads() {
        qt().forAll(integers().between(1, 9), longs().all(), doubles().between(1e-4, 1)).checkAssert((n, seed, tau) -> {
            DMatrixRMaj s = TestMatrices.uniform(n, n + 1, 1, seed); // tau 1e-4: spread up to 2e4
            DMatrixRMaj q = MatchingProbabilities.textToImage(s, tau, Mode.STABLE);
            for (int j = 0; j < s.numCols; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, s.get(i, j) / tau);
                }
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += Math.exp(s.get(i, j) / tau - max);
                }
                for (int i = 0; i < n; i++) {
                    double naive = Math.exp(s.get(i, j) / tau - max) / sum;
                    assertEquals(naive, q.get(j, i), 1e-14 + 1e-12 * naive, "tau " + tau);
                }
            }
        });
    }

    /** Stable mode stays finite where the release's formula overflows (S / tau > 709). */
    @Test
    void stableSurvivesLargeScoresFaithfulDoesNot() {
        DMatrixRMaj s = new DMatrixRMaj(new double[][] {{40, 39}, {0, 40}});
        DMatrixRMaj stable = MatchingProbabilities.imageToText(s, 0.05, Mode.STABLE);
        assertEquals(1 / (1 + Math.exp(-20)), stable.get(0, 0), 1e-15);
        DMatrixRMaj faithful = MatchingProbabilities.imageToText(s, 0.05, Mode.FAITHFUL);
        assertTrue(Double.isNaN(faithful.get(0, 0)), "exp(800) overflows in the release's formula");
    }

    @Test
    void rejectsBadInput() {
        DMatrixRMaj s = new DMatrixRMaj(2, 2);
        assertEquals("tau must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> MatchingProbabilities.imageToText(s, 0, Mode.STABLE)).getMessage());
        s.set(1, 0, Double.POSITIVE_INFINITY);
        assertEquals("scores[1,0] is Infinity; expected finite values", assertThrows(IllegalArgumentException.class,
                () -> MatchingProbabilities.textToImage(s, 0.05, Mode.STABLE)).getMessage());
        assertEquals("scores is empty (0 x 3); expected at least 1 x 1", assertThrows(IllegalArgumentException.class,
                () -> MatchingProbabilities.textToImage(new DMatrixRMaj(0, 3), 0.05, Mode.STABLE)).getMessage());
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.testing.TestMatrices;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** TR and TR-HN against brute-force definitions (the release's reference cases cover TR only). */
class TripletRankingLossTest {

    @Test
    void hardestNegativeIsTheMaximumHingePerQuery() {
        qt().forAll(integers().between(2, 12), longs().all()).checkAssert((n, seed) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.2, seed);
            double margin = 0.2, sum = 0, hardest = 0;
            for (int i = 0; i < n; i++) {
                double rowMax = 0, colMax = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    double cs = Math.max(0, margin + s.get(i, j) - s.get(i, i)); // image i, text j
                    double cim = Math.max(0, margin + s.get(j, i) - s.get(i, i)); // text i, image j
                    sum += cs + cim;
                    rowMax = Math.max(rowMax, cs);
                    colMax = Math.max(colMax, cim);
                }
                hardest += rowMax + colMax;
            }
            assertEquals(sum, new TripletRankingLoss(margin, false).evaluate(s).value(), 1e-12 * Math.max(1, sum));
            assertEquals(hardest, new TripletRankingLoss(margin, true).evaluate(s).value(), 1e-12 * Math.max(1, hardest));
            assertTrue(hardest <= sum + 1e-12);
        });
    }

    @Test
    void wellSeparatedPairsCostNothing() {
        DMatrixRMaj s = TestMatrices.scores(6, 5.0, 1); // diagonal 5 above every negative
        for (boolean hn : new boolean[] {false, true}) {
            LossValue v = new TripletRankingLoss(0.2, hn).evaluate(s);
            assertEquals(0.0, v.value());
            assertEquals(0.0, TestMatrices.maxAbs(v.gradient()));
        }
    }

    /** L2RM's warm-up form divides every query's hinge sum by N: it is TR / N, gradient included. */
    @Test
    void meanFormIsSumOverN() {
        qt().forAll(integers().between(2, 12), longs().all()).checkAssert((n, seed) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.2, seed);
            LossValue sum = new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.SUM).evaluate(s);
            LossValue mean = new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.MEAN).evaluate(s);
            assertEquals(sum.value() / n, mean.value(), 1e-12 * Math.max(1, sum.value()));
            for (int k = 0; k < n * n; k++) {
                assertEquals(sum.gradient().data[k] / n, mean.gradient().data[k], 1e-15);
            }
        });
    }

    /**
     * perPairLoss splits the loss by given pair (image k's row and text k's column) and sums to it;
     * for MEAN it is L2RM's eval_loss, checked here against its definition.
     */
    @Test
    void perPairLossSumsToTheLossAndFollowsEvalLoss() {
        qt().forAll(integers().between(1, 12), longs().all()).checkAssert((n, seed) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.2, seed);
            for (TripletRankingLoss.Aggregation agg : TripletRankingLoss.Aggregation.values()) {
                TripletRankingLoss l = new TripletRankingLoss(0.2, agg);
                double total = 0;
                for (double v : l.perPairLoss(s)) {
                    assertTrue(v >= 0);
                    total += v;
                }
                assertEquals(l.evaluate(s).value(), total, 1e-12 * Math.max(1, total), agg.toString());
            }
            double[] eval = new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.MEAN).perPairLoss(s);
            for (int k = 0; k < n; k++) {
                double want = 0;
                for (int j = 0; j < n; j++) {
                    if (j != k) {
                        want += Math.max(0, 0.2 + s.get(k, j) - s.get(k, k)) / n; // image k's row
                        want += Math.max(0, 0.2 + s.get(j, k) - s.get(k, k)) / n; // text k's column
                    }
                }
                assertEquals(want, eval[k], 1e-13);
            }
        });
    }
}

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
}

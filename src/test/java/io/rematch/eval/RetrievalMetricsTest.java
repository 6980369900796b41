package io.rematch.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Hand-computed examples, argument checks, output formats and speed. */
class RetrievalMetricsTest {

    /**
     * Two images with two captions each; ties everywhere.
     * <pre>
     *            c0   c1   c2   c3      (c0, c1 describe image 0; c2, c3 image 1)
     * image 0   0.5  0.9  0.9  0.1
     * image 1   0.3  0.3  0.3  0.2
     * </pre>
     * i2t: image 0's best caption c1 (0.9) ties with c2: optimistic rank 0, pessimistic 1.
     * Image 1's best caption c2 (0.3) ties with c0, c1: optimistic 0, pessimistic 2.
     * t2i: only c2 is beaten (0.9 > 0.3 in its column): ranks 0, 0, 1, 0 under both rules.
     */
    static final DMatrixRMaj TIES = new DMatrixRMaj(new double[][] {
        {0.5, 0.9, 0.9, 0.1},
        {0.3, 0.3, 0.3, 0.2}});

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void handExampleWithTies() {
        RetrievalReport pes = RetrievalMetrics.evaluate(TIES, 2);
        assertArrayEquals(new int[] {1, 2}, pes.i2t().ranks());
        assertArrayEquals(new int[] {1, 0}, pes.i2t().top1(), "ties go to the smallest caption index");
        assertEquals(0.0, pes.i2t().r1());
        assertEquals(100.0, pes.i2t().r5());
        assertEquals(2.0, pes.i2t().medr(), "median of {1, 2} is 1.5: floor + 1 = 2");
        assertEquals(2.5, pes.i2t().meanr());
        assertArrayEquals(new int[] {0, 0, 1, 0}, pes.t2i().ranks());
        assertArrayEquals(new int[] {0, 0, 0, 1}, pes.t2i().top1());
        assertEquals(75.0, pes.t2i().r1());
        assertEquals(1.0, pes.t2i().medr());
        assertEquals(1.25, pes.t2i().meanr());
        assertEquals(475.0, pes.rsum());

        RetrievalReport opt = RetrievalMetrics.evaluate(TIES, 2, TieRule.OPTIMISTIC);
        assertArrayEquals(new int[] {0, 0}, opt.i2t().ranks());
        assertArrayEquals(new int[] {1, 0}, opt.i2t().top1());
        assertEquals(100.0, opt.i2t().r1());
        assertEquals(pes.t2i(), opt.t2i());
        assertEquals(575.0, opt.rsum());
    }

    @Test
    void groundTruthCaptionsTiedWithEachOtherDoNotPushEachOtherDown() {
        DMatrixRMaj s = new DMatrixRMaj(new double[][] {{0.7, 0.7, 0.7, 0.1}, {0, 0, 0, 1}});
        // Image 0's captions c0 and c1 share the best score 0.7 with the non-ground-truth c2.
        assertEquals(1, RetrievalMetrics.imageToText(s, 2, TieRule.PESSIMISTIC).ranks()[0]);
        assertEquals(0, RetrievalMetrics.imageToText(s, 2, TieRule.OPTIMISTIC).ranks()[0]);
    }

    @Test
    void allEqualScoresAreWorstCaseWhenPessimistic() {
        DMatrixRMaj s = new DMatrixRMaj(3, 15); // all zero
        RetrievalReport r = RetrievalMetrics.evaluate(s, 5);
        assertArrayEquals(new int[] {10, 10, 10}, r.i2t().ranks());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, r.t2i().ranks());
        assertEquals(0.0, r.i2t().r10(), "rank 10 is outside the top 10");
        assertEquals(200.0, r.rsum(), "t2i ranks 2: inside R@5 and R@10");
        assertEquals(600.0, RetrievalMetrics.evaluate(s, 5, TieRule.OPTIMISTIC).rsum());
    }

    @Test
    void summaryFollowsEvaluationPy() {
        // Recall@K counts rank < K: rank 4 is inside R@5, 9 inside R@10, 10 outside.
        DirectionMetrics m = DirectionMetrics.fromRanks(new int[] {0, 4, 9, 10}, new int[4]);
        assertEquals(25.0, m.r1());
        assertEquals(50.0, m.r5());
        assertEquals(75.0, m.r10());
        assertEquals(7.0, m.medr(), "median (4 + 9) / 2 = 6.5: floor + 1 = 7");
        assertEquals(6.75, m.meanr(), "23 / 4 + 1");
        DirectionMetrics odd = DirectionMetrics.fromRanks(new int[] {5, 0, 3}, new int[3]);
        assertEquals(4.0, odd.medr());
        assertEquals(100.0 * 1 / 3, odd.r1(), 0.0, "same double as numpy's 100.0 * count / n");
        assertEquals(3, odd.queries());
    }

    @Test
    void singleCaptionPerImageAsInCc152k() {
        DMatrixRMaj s = new DMatrixRMaj(new double[][] {{3, 1, 2}, {0, 1, 5}, {2, 2, 4}});
        RetrievalReport r = RetrievalMetrics.evaluate(s, 1);
        assertArrayEquals(new int[] {0, 1, 0}, r.i2t().ranks());
        // Column 1 = (1, 1, 2): image 2 scores higher and image 0 ties with the ground truth.
        assertArrayEquals(new int[] {0, 2, 1}, r.t2i().ranks());
        assertArrayEquals(new int[] {0, 1, 1}, RetrievalMetrics.textToImage(s, 1, TieRule.OPTIMISTIC).ranks());
        assertArrayEquals(new int[] {0, 2, 2}, r.i2t().top1());
        assertArrayEquals(new int[] {0, 2, 1}, r.t2i().top1());
    }

    @Test
    void directionMethodsAgreeWithEvaluate() {
        DMatrixRMaj s = random(7, 3, 11);
        for (TieRule t : TieRule.values()) {
            RetrievalReport r = RetrievalMetrics.evaluate(s, 3, t);
            assertEquals(r.i2t(), RetrievalMetrics.imageToText(s, 3, t));
            assertEquals(r.t2i(), RetrievalMetrics.textToImage(s, 3, t));
        }
    }

    // ------------------------------------------------------------ argument checks

    @Test
    void refusesWidthThatIsNotImagesTimesCaptions() {
        assertEquals("sims has 5 rows and 24 columns; 24 is not 5 x captions-per-image (5): expected one"
                        + " row per image and one column per caption, caption j belonging to image j /"
                        + " captions-per-image",
                message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(5, 24), 5)));
        assertTrue(message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(25, 5), 5))
                .startsWith("sims has 25 rows and 5 columns; 5 is not 25 x captions-per-image (5)"));
        assertTrue(message(() -> RetrievalMetrics.textToImage(new DMatrixRMaj(3, 4), 1, TieRule.OPTIMISTIC))
                .startsWith("sims has 3 rows and 4 columns"));
        // 4 x 1073741825 wraps around to 4 in int arithmetic; the check must not.
        assertTrue(message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(4, 4), 1073741825))
                .startsWith("sims has 4 rows and 4 columns; 4 is not 4 x captions-per-image (1073741825)"));
    }

    @Test
    void refusesBadCaptionsPerImageTiesAndValues() {
        assertEquals("captions-per-image must be >= 1, got 0",
                message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(2, 2), 0)));
        assertTrue(message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(2, 2), 1, null))
                .startsWith("ties is missing"));
        DMatrixRMaj nan = new DMatrixRMaj(2, 10);
        nan.set(1, 7, Double.NaN);
        assertEquals("sims[1,7] is NaN; expected finite values", message(() -> RetrievalMetrics.evaluate(nan, 5)));
        DMatrixRMaj inf = new DMatrixRMaj(1, 1);
        inf.set(0, 0, Double.NEGATIVE_INFINITY);
        assertEquals("sims[0,0] is -Infinity; expected finite values",
                message(() -> RetrievalMetrics.imageToText(inf, 1, TieRule.PESSIMISTIC)));
        assertEquals("sims is missing", message(() -> RetrievalMetrics.evaluate(null, 5)));
        assertTrue(message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(0, 0), 5)).startsWith("sims is empty"));
    }

    @Test
    void resultsRefuseInconsistentContents() {
        assertTrue(message(() -> DirectionMetrics.fromRanks(new int[0], new int[0])).startsWith("ranks is empty"));
        assertTrue(message(() -> DirectionMetrics.fromRanks(new int[] {0, -1}, new int[2]))
                .startsWith("ranks[1] is -1"));
        assertTrue(message(() -> DirectionMetrics.fromRanks(new int[] {0, 1}, new int[3]))
                .startsWith("top1 must have one entry per query (2), got 3"));
        DirectionMetrics m = DirectionMetrics.fromRanks(new int[] {0}, new int[1]);
        assertTrue(message(() -> new RetrievalReport(m, m, 1.0)).startsWith("rsum must be the sum of the six"));
        assertEquals(600.0, RetrievalReport.of(m, m).rsum());
    }

    @Test
    void resultsAreImmutable() {
        int[] ranks = {3, 0};
        int[] top1 = {1, 1};
        DirectionMetrics m = DirectionMetrics.fromRanks(ranks, top1);
        ranks[0] = 0;
        top1[0] = 0;
        m.ranks()[1] = 9;
        m.top1()[1] = 9;
        assertArrayEquals(new int[] {3, 0}, m.ranks());
        assertArrayEquals(new int[] {1, 1}, m.top1());
    }

    // ------------------------------------------------------------------ output

    @Test
    void jsonIsOneLineWithJavaDoubles() {
        RetrievalReport r = RetrievalMetrics.evaluate(TIES, 2);
        assertEquals("{\"i2t\": {\"r1\": 0.0, \"r5\": 100.0, \"r10\": 100.0, \"medr\": 2.0, \"meanr\": 2.5},"
                + " \"t2i\": {\"r1\": 75.0, \"r5\": 100.0, \"r10\": 100.0, \"medr\": 1.0, \"meanr\": 1.25},"
                + " \"rsum\": 475.0}", r.toJson());
        DirectionMetrics third = DirectionMetrics.fromRanks(new int[] {0, 7, 20}, new int[3]);
        assertTrue(RetrievalReport.of(third, third).toJson().contains("\"r1\": 33.333333333333336"));
    }

    @Test
    void tableIsReadable() {
        String nl = System.lineSeparator();
        assertEquals(
                "            R@1     R@5    R@10    medr   meanr  queries" + nl
                + "i2t        0.00  100.00  100.00    2.00    2.50        2" + nl
                + "t2i       75.00  100.00  100.00    1.00    1.25        4" + nl
                + "rsum     475.00" + nl,
                RetrievalMetrics.evaluate(TIES, 2).toTable());
    }

    // ------------------------------------------------------------------- speed

    static DMatrixRMaj random(int images, int k, long seed) {
        Random r = new Random(seed);
        DMatrixRMaj s = new DMatrixRMaj(images, images * k);
        for (int q = 0; q < s.data.length; q++) {
            s.data[q] = r.nextDouble();
        }
        return s;
    }

    @Test
    void thousandImagesAndFiveThousandCaptions() { // speed: RetrievalMetricsBenchmark (JMH)
        DMatrixRMaj s = random(1000, 5, 7);
        RetrievalReport r = RetrievalMetrics.evaluate(s, 5);
        assertEquals(1000, r.i2t().queries());
        assertEquals(5000, r.t2i().queries());
        // Random scores: ranks are roughly uniform, so about 1% of captions find their image first.
        assertTrue(r.t2i().r1() < 5, r.toJson());
    }
}

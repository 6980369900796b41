package io.rematch.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.function.IntPredicate;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of {@link RetrievalMetrics} over random similarity matrices: agreement with a naive
 * sort-based reference, ordering of the tie rules and of the recalls, invariance to per-row shifts,
 * perfect retrieval for dominant ground truth, and the i2t/t2i duality of square matrices.
 *
 * <p>Matrices come from {@link #matrix}: {@code levels == 0} gives continuous scores (ties almost
 * surely absent), {@code levels >= 1} integer scores in {@code [0, levels)} (many ties).
 */
class RetrievalMetricsProperties {

    static final Gen<Integer> IMAGES = integers().between(1, 12);
    static final Gen<Integer> CAPTIONS = integers().between(1, 5);
    static final Gen<Integer> LEVELS = integers().between(0, 5);
    static final Gen<Long> SEEDS = longs().all();

    static DMatrixRMaj matrix(int images, int k, int levels, long seed) {
        Random r = new Random(seed);
        DMatrixRMaj s = new DMatrixRMaj(images, images * k);
        for (int q = 0; q < s.data.length; q++) {
            s.data[q] = levels == 0 ? r.nextGaussian() : r.nextInt(levels);
        }
        return s;
    }

    static boolean hasTies(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        for (int q = 1; q < sorted.length; q++) {
            if (sorted[q] == sorted[q - 1]) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------ naive reference

    /**
     * The 0-based position of the first ground-truth item when the items are sorted by descending
     * score, tied items ordered ground truth first ({@code truthFirst}) or last, then by index.
     */
    static int naiveRank(double[] scores, IntPredicate truth, boolean truthFirst) {
        Integer[] order = new Integer[scores.length];
        for (int q = 0; q < order.length; q++) {
            order[q] = q;
        }
        Comparator<Integer> byScore = Comparator.comparingDouble(q -> -scores[q]);
        Comparator<Integer> byTruth = Comparator.comparingInt(q -> truth.test(q) == truthFirst ? 0 : 1);
        Arrays.sort(order, byScore.thenComparing(byTruth).thenComparingInt(q -> q));
        for (int pos = 0; ; pos++) {
            if (truth.test(order[pos])) {
                return pos;
            }
        }
    }

    /** Index of the first item of a descending sort that breaks ties by index. */
    static int naiveTop1(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int q = 0; q < order.length; q++) {
            order[q] = q;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(q -> -scores[q]).thenComparingInt(q -> q));
        return order[0];
    }

    static double[] row(DMatrixRMaj s, int i) {
        return Arrays.copyOfRange(s.data, i * s.numCols, (i + 1) * s.numCols);
    }

    static double[] column(DMatrixRMaj s, int j) {
        double[] c = new double[s.numRows];
        for (int i = 0; i < s.numRows; i++) {
            c[i] = s.get(i, j);
        }
        return c;
    }

    // ----------------------------------------------------------- properties

    @Test
    void withoutTiesBothRulesEqualASortBasedReference() {
        qt().withExamples(300)
                .forAll(IMAGES, CAPTIONS, SEEDS)
                .assuming((n, k, seed) -> !hasTies(matrix(n, k, 0, seed).data))
                .checkAssert((n, k, seed) -> {
                    DMatrixRMaj s = matrix(n, k, 0, seed);
                    RetrievalReport opt = RetrievalMetrics.evaluate(s, k, TieRule.OPTIMISTIC);
                    RetrievalReport pes = RetrievalMetrics.evaluate(s, k, TieRule.PESSIMISTIC);
                    assertEquals(opt, pes);
                    for (int i = 0; i < n; i++) {
                        int image = i;
                        assertEquals(naiveRank(row(s, i), j -> j / k == image, true), opt.i2t().ranks()[i]);
                        assertEquals(naiveTop1(row(s, i)), opt.i2t().top1()[i]);
                    }
                    for (int j = 0; j < n * k; j++) {
                        int image = j / k;
                        assertEquals(naiveRank(column(s, j), i -> i == image, true), opt.t2i().ranks()[j]);
                        assertEquals(naiveTop1(column(s, j)), opt.t2i().top1()[j]);
                    }
                });
    }

    @Test
    void withTiesEachRuleEqualsASortPlacingGroundTruthFirstOrLast() {
        qt().withExamples(300)
                .forAll(IMAGES, CAPTIONS, integers().between(1, 4), SEEDS)
                .checkAssert((n, k, levels, seed) -> {
                    DMatrixRMaj s = matrix(n, k, levels, seed);
                    for (TieRule t : TieRule.values()) {
                        boolean first = t == TieRule.OPTIMISTIC;
                        RetrievalReport r = RetrievalMetrics.evaluate(s, k, t);
                        for (int i = 0; i < n; i++) {
                            int image = i;
                            assertEquals(naiveRank(row(s, i), j -> j / k == image, first), r.i2t().ranks()[i],
                                    t + " i2t " + i);
                            assertEquals(naiveTop1(row(s, i)), r.i2t().top1()[i]);
                        }
                        for (int j = 0; j < n * k; j++) {
                            int image = j / k;
                            assertEquals(naiveRank(column(s, j), i -> i == image, first), r.t2i().ranks()[j],
                                    t + " t2i " + j);
                            assertEquals(naiveTop1(column(s, j)), r.t2i().top1()[j]);
                        }
                    }
                });
    }

    @Test
    void optimisticRanksNeverExceedPessimisticOnes() {
        qt().withExamples(300)
                .forAll(IMAGES, CAPTIONS, LEVELS, SEEDS)
                .checkAssert((n, k, levels, seed) -> {
                    DMatrixRMaj s = matrix(n, k, levels, seed);
                    RetrievalReport opt = RetrievalMetrics.evaluate(s, k, TieRule.OPTIMISTIC);
                    RetrievalReport pes = RetrievalMetrics.evaluate(s, k, TieRule.PESSIMISTIC);
                    int[][] o = {opt.i2t().ranks(), opt.t2i().ranks()};
                    int[][] p = {pes.i2t().ranks(), pes.t2i().ranks()};
                    for (int d = 0; d < 2; d++) {
                        for (int q = 0; q < o[d].length; q++) {
                            assertTrue(o[d][q] <= p[d][q], "direction " + d + " query " + q);
                        }
                    }
                    assertTrue(opt.rsum() >= pes.rsum());
                    assertTrue(opt.i2t().meanr() <= pes.i2t().meanr());
                    assertTrue(opt.t2i().medr() <= pes.t2i().medr());
                });
    }

    @Test
    void recallsAreOrderedPercentagesAndRanksAreOneBased() {
        qt().withExamples(300)
                .forAll(IMAGES, CAPTIONS, LEVELS, SEEDS)
                .checkAssert((n, k, levels, seed) -> {
                    for (TieRule t : TieRule.values()) {
                        RetrievalReport r = RetrievalMetrics.evaluate(matrix(n, k, levels, seed), k, t);
                        for (DirectionMetrics m : new DirectionMetrics[] {r.i2t(), r.t2i()}) {
                            assertTrue(0 <= m.r1() && m.r1() <= m.r5() && m.r5() <= m.r10() && m.r10() <= 100,
                                    m.toString());
                            assertTrue(m.medr() >= 1 && m.meanr() >= 1, m.toString());
                            assertTrue(m.medr() == Math.rint(m.medr()), m.toString());
                        }
                        assertEquals(n, r.i2t().queries());
                        assertEquals(n * k, r.t2i().queries());
                        assertTrue(0 <= r.rsum() && r.rsum() <= 600);
                    }
                });
    }

    @Test
    void addingAConstantToARowLeavesImageToTextUnchanged() {
        // Integer scores and integer shifts: the shifted sums are exact, so ties are preserved.
        qt().withExamples(300)
                .forAll(IMAGES, CAPTIONS, LEVELS, SEEDS)
                .checkAssert((n, k, levels, seed) -> {
                    DMatrixRMaj s = matrix(n, k, levels == 0 ? 1000 : levels, seed);
                    DMatrixRMaj shifted = s.copy();
                    Random r = new Random(~seed);
                    for (int i = 0; i < n; i++) {
                        double c = r.nextInt(2001) - 1000;
                        for (int j = 0; j < n * k; j++) {
                            shifted.add(i, j, c);
                        }
                    }
                    for (TieRule t : TieRule.values()) {
                        assertEquals(RetrievalMetrics.imageToText(s, k, t), RetrievalMetrics.imageToText(shifted, k, t));
                    }
                });
    }

    @Test
    void dominantGroundTruthGivesPerfectRetrieval() {
        qt().withExamples(200)
                .forAll(IMAGES, CAPTIONS, LEVELS, SEEDS)
                .checkAssert((n, k, levels, seed) -> {
                    DMatrixRMaj s = matrix(n, k, levels, seed);
                    for (int j = 0; j < n * k; j++) {
                        s.add(j / k, j, 10); // above every other entry of its row and column
                    }
                    for (TieRule t : TieRule.values()) {
                        RetrievalReport r = RetrievalMetrics.evaluate(s, k, t);
                        assertEquals(100.0, r.i2t().r1());
                        assertEquals(100.0, r.t2i().r1());
                        assertEquals(600.0, r.rsum());
                        assertEquals(1.0, r.i2t().medr());
                        assertEquals(1.0, r.t2i().meanr());
                        int[] top = r.i2t().top1();
                        for (int i = 0; i < n; i++) {
                            assertEquals(i, top[i] / k, "image " + i + "'s best caption is its own");
                        }
                        int[] topImage = r.t2i().top1();
                        for (int j = 0; j < n * k; j++) {
                            assertEquals(j / k, topImage[j]);
                        }
                    }
                });
    }

    @Test
    void withOneCaptionPerImageI2tOfSEqualsT2iOfTheTranspose() {
        qt().withExamples(300)
                .forAll(IMAGES, LEVELS, SEEDS)
                .checkAssert((n, levels, seed) -> {
                    DMatrixRMaj s = matrix(n, 1, levels, seed);
                    DMatrixRMaj st = CommonOps_DDRM.transpose(s, null);
                    for (TieRule t : TieRule.values()) {
                        assertEquals(RetrievalMetrics.imageToText(s, 1, t), RetrievalMetrics.textToImage(st, 1, t));
                        assertEquals(RetrievalMetrics.textToImage(s, 1, t), RetrievalMetrics.imageToText(st, 1, t));
                    }
                });
    }

    @Test
    void summaryOfRanksMatchesDefinitions() {
        qt().withExamples(300)
                .forAll(Generate.intArrays(integers().between(1, 40), integers().between(0, 30)))
                .checkAssert(ranks -> {
                    DirectionMetrics m = DirectionMetrics.fromRanks(ranks, new int[ranks.length]);
                    int[] sorted = ranks.clone();
                    Arrays.sort(sorted);
                    int n = ranks.length;
                    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
                    assertEquals(Math.floor(median) + 1, m.medr());
                    assertEquals(Arrays.stream(ranks).average().getAsDouble() + 1, m.meanr(), 1e-12);
                    assertEquals(100.0 * Arrays.stream(ranks).filter(x -> x < 5).count() / n, m.r5());
                    assertArrayEquals(ranks, m.ranks());
                });
    }
}

package io.rematch.eval;

import static io.rematch.eval.RetrievalMetricsProperties.column;
import static io.rematch.eval.RetrievalMetricsProperties.hasTies;
import static io.rematch.eval.RetrievalMetricsProperties.naiveRank;
import static io.rematch.eval.RetrievalMetricsProperties.naiveTop1;
import static io.rematch.eval.RetrievalMetricsProperties.row;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * {@link RetrievalMetrics} with item ids ({@code long[] imageIds, long[] captionIds}): the
 * "{@code k} captions per image" layout as the special case {@code imageIds[i] = i},
 * {@code captionIds[j] = j / k}; agreement with a sort-based reference when items have several
 * images; independence from the column order; a hand-computed example; the argument checks.
 */
class RetrievalMetricsIdsTest {

    /**
     * A random {@code images x (images * k)} matrix: {@code mode 0} continuous (no ties almost
     * surely), {@code 1} uniform in [0, 1) rounded to one decimal (11 levels, many ties),
     * {@code 2} uniform in [0, 0.3) rounded to one decimal (4 levels, ties everywhere).
     */
    static DMatrixRMaj matrix(int images, int captions, int mode, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DMatrixRMaj s = new DMatrixRMaj(images, captions);
        for (int q = 0; q < s.data.length; q++) {
            double u = r.nextDouble();
            s.data[q] = mode == 0 ? u : Math.round((mode == 1 ? u : 0.3 * u) * 10) / 10.0;
        }
        return s;
    }

    static long[] identity(int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    static long[] blocks(int n, int k) {
        long[] ids = new long[n * k];
        for (int j = 0; j < ids.length; j++) {
            ids[j] = j / k;
        }
        return ids;
    }

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    // ------------------------------------------------------------ k captions per image

    @Test
    void idsOfTheFixedLayoutGiveExactlyTheCaptionsPerImageResults() {
        qt().withExamples(400)
                .forAll(integers().between(1, 12), integers().between(1, 5), integers().between(0, 2), longs().all())
                .checkAssert((n, k, mode, seed) -> {
                    DMatrixRMaj s = matrix(n, n * k, mode, seed);
                    long[] images = identity(n);
                    long[] captions = blocks(n, k);
                    for (TieRule t : TieRule.values()) {
                        RetrievalReport expected = RetrievalMetrics.evaluate(s, k, t);
                        RetrievalReport actual = RetrievalMetrics.evaluate(s, images, captions, t);
                        String what = t + " n=" + n + " k=" + k + " mode=" + mode;
                        assertEquals(expected, actual, what);
                        assertArrayEquals(expected.i2t().ranks(), actual.i2t().ranks(), what);
                        assertArrayEquals(expected.i2t().top1(), actual.i2t().top1(), what);
                        assertArrayEquals(expected.t2i().ranks(), actual.t2i().ranks(), what);
                        assertArrayEquals(expected.t2i().top1(), actual.t2i().top1(), what);
                        assertEquals(Double.doubleToLongBits(expected.rsum()), Double.doubleToLongBits(actual.rsum()));
                        assertEquals(RetrievalMetrics.imageToText(s, k, t),
                                RetrievalMetrics.imageToText(s, images, captions, t), what);
                        assertEquals(RetrievalMetrics.textToImage(s, k, t),
                                RetrievalMetrics.textToImage(s, images, captions, t), what);
                    }
                    assertEquals(RetrievalMetrics.evaluate(s, k), RetrievalMetrics.evaluate(s, images, captions),
                            "pessimistic is the default");
                });
    }

    @Test
    void theRoundedMatricesOfTheReductionAreFullOfTiesThatTheRulesTellApart() {
        // Guards the property above: its tie modes must exercise ties, where the two rules differ.
        long seed = 20240611L;
        System.out.println("seed " + seed);
        for (int mode = 1; mode <= 2; mode++) {
            DMatrixRMaj s = matrix(10, 50, mode, seed);
            assertTrue(hasTies(s.data), "mode " + mode);
            RetrievalReport pes = RetrievalMetrics.evaluate(s, identity(10), blocks(10, 5), TieRule.PESSIMISTIC);
            RetrievalReport opt = RetrievalMetrics.evaluate(s, identity(10), blocks(10, 5), TieRule.OPTIMISTIC);
            assertTrue(pes.rsum() < opt.rsum(), "mode " + mode + ": " + pes.rsum() + " vs " + opt.rsum());
        }
    }

    // ------------------------------------------------------------ general ids

    @Test
    void severalImagesPerItemAgreeWithASortBasedReference() {
        qt().withExamples(300)
                .forAll(integers().between(1, 10), integers().between(1, 20), integers().between(0, 2), longs().all())
                .checkAssert((n, m, mode, seed) -> {
                    DMatrixRMaj s = matrix(n, m, mode, seed);
                    SplittableRandom r = new SplittableRandom(~seed);
                    // ids in [0, items): each id gets an image and a caption first, then random ones
                    int items = 1 + r.nextInt(Math.min(n, m));
                    long[] images = new long[n];
                    long[] captions = new long[m];
                    for (int i = 0; i < n; i++) {
                        images[i] = 1000 + (i < items ? i : r.nextInt(items));
                    }
                    for (int j = 0; j < m; j++) {
                        captions[j] = 1000 + (j < items ? j : r.nextInt(items));
                    }
                    shuffle(images, r);
                    shuffle(captions, r);
                    for (TieRule t : TieRule.values()) {
                        boolean first = t == TieRule.OPTIMISTIC;
                        RetrievalReport rep = RetrievalMetrics.evaluate(s, images, captions, t);
                        for (int i = 0; i < n; i++) {
                            long id = images[i];
                            assertEquals(naiveRank(row(s, i), j -> captions[j] == id, first), rep.i2t().ranks()[i],
                                    t + " i2t " + i);
                            assertEquals(naiveTop1(row(s, i)), rep.i2t().top1()[i]);
                        }
                        for (int j = 0; j < m; j++) {
                            long id = captions[j];
                            assertEquals(naiveRank(column(s, j), i -> images[i] == id, first), rep.t2i().ranks()[j],
                                    t + " t2i " + j);
                            assertEquals(naiveTop1(column(s, j)), rep.t2i().top1()[j]);
                        }
                    }
                });
    }

    static void shuffle(long[] v, SplittableRandom r) {
        for (int q = v.length - 1; q > 0; q--) {
            int p = r.nextInt(q + 1);
            long x = v[q];
            v[q] = v[p];
            v[p] = x;
        }
    }

    @Test
    void permutingTheColumnsAndTheirIdsPermutesOnlyTheCaptionQueries() {
        long seed = 7L;
        System.out.println("seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int n = 8;
        int k = 3;
        DMatrixRMaj s = matrix(n, n * k, 1, seed);
        int[] perm = new int[n * k]; // column c of the shuffled matrix is column perm[c] of s
        for (int c = 0; c < perm.length; c++) {
            perm[c] = c;
        }
        for (int q = perm.length - 1; q > 0; q--) {
            int p = r.nextInt(q + 1);
            int x = perm[q];
            perm[q] = perm[p];
            perm[p] = x;
        }
        DMatrixRMaj shuffled = new DMatrixRMaj(n, n * k);
        long[] ids = new long[n * k];
        for (int c = 0; c < perm.length; c++) {
            ids[c] = perm[c] / k;
            for (int i = 0; i < n; i++) {
                shuffled.set(i, c, s.get(i, perm[c]));
            }
        }
        for (TieRule t : TieRule.values()) {
            RetrievalReport fixed = RetrievalMetrics.evaluate(s, k, t);
            RetrievalReport moved = RetrievalMetrics.evaluate(shuffled, identity(n), ids, t);
            assertArrayEquals(fixed.i2t().ranks(), moved.i2t().ranks(), t.toString());
            int[] fixedT2i = fixed.t2i().ranks();
            int[] movedT2i = moved.t2i().ranks();
            for (int c = 0; c < perm.length; c++) {
                assertEquals(fixedT2i[perm[c]], movedT2i[c], t + " caption " + c);
            }
            assertEquals(fixed.rsum(), moved.rsum(), t.toString());
            assertEquals(fixed.t2i().meanr(), moved.t2i().meanr(), t.toString());
        }
    }

    // ------------------------------------------------------------ hand-computed

    /**
     * Item 7 has two images (rows 0 and 2) and three captions (columns 0, 2, 3); item 3 has one
     * image (row 1) and one caption (column 1).
     * <pre>
     *               c0(7)  c1(3)  c2(7)  c3(7)
     * image 0 (7)    0.2    0.8    0.5    0.1
     * image 1 (3)    0.4    0.6    0.6    0.9
     * image 2 (7)    0.9    0.3    0.2    0.9
     * </pre>
     * i2t: image 0's best caption c2 (0.5) is beaten by c1: rank 1. Image 1's caption c1 (0.6) is
     * beaten by c3 and tied with c2: optimistic 1, pessimistic 2. Image 2's best captions c0 and c3
     * (0.9) are both correct: rank 0 under both rules.
     * t2i: c0's best image is image 2 (0.9): rank 0. c1's image 1 (0.6) is beaten by image 0:
     * rank 1. c2's best image is image 0 (0.5), beaten by image 1: rank 1. c3's best image is
     * image 2 (0.9), tied with image 1: optimistic 0, pessimistic 1.
     */
    static final DMatrixRMaj ITEMS = new DMatrixRMaj(new double[][] {
        {0.2, 0.8, 0.5, 0.1},
        {0.4, 0.6, 0.6, 0.9},
        {0.9, 0.3, 0.2, 0.9}});
    static final long[] IMAGE_IDS = {7, 3, 7};
    static final long[] CAPTION_IDS = {7, 3, 7, 7};

    @Test
    void handExampleWithTwoImagesAndThreeCaptionsForOneItem() {
        RetrievalReport pes = RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, CAPTION_IDS, TieRule.PESSIMISTIC);
        assertArrayEquals(new int[] {1, 2, 0}, pes.i2t().ranks());
        assertArrayEquals(new int[] {1, 3, 0}, pes.i2t().top1(), "ties go to the smallest caption index");
        assertEquals(100.0 / 3, pes.i2t().r1());
        assertEquals(100.0, pes.i2t().r5());
        assertEquals(100.0, pes.i2t().r10());
        assertEquals(2.0, pes.i2t().medr(), "median of {0, 1, 2} is 1");
        assertEquals(2.0, pes.i2t().meanr(), "3 / 3 + 1");
        assertArrayEquals(new int[] {0, 1, 1, 1}, pes.t2i().ranks());
        assertArrayEquals(new int[] {2, 0, 1, 1}, pes.t2i().top1());
        assertEquals(25.0, pes.t2i().r1());
        assertEquals(100.0, pes.t2i().r5());
        assertEquals(2.0, pes.t2i().medr());
        assertEquals(1.75, pes.t2i().meanr());
        assertEquals(100.0 / 3 + 100 + 100 + 25 + 100 + 100, pes.rsum());

        RetrievalReport opt = RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, CAPTION_IDS, TieRule.OPTIMISTIC);
        assertArrayEquals(new int[] {1, 1, 0}, opt.i2t().ranks());
        assertEquals(100.0 / 3, opt.i2t().r1());
        assertEquals(5.0 / 3, opt.i2t().meanr(), 1e-15);
        assertArrayEquals(new int[] {0, 1, 1, 0}, opt.t2i().ranks());
        assertArrayEquals(new int[] {2, 0, 1, 1}, opt.t2i().top1());
        assertEquals(50.0, opt.t2i().r1());
        assertEquals(1.0, opt.t2i().medr(), "median of {0, 0, 1, 1} is 0.5: floor + 1 = 1");
        assertEquals(1.5, opt.t2i().meanr());

        assertEquals(pes.i2t(), RetrievalMetrics.imageToText(ITEMS, IMAGE_IDS, CAPTION_IDS, TieRule.PESSIMISTIC));
        assertEquals(opt.t2i(), RetrievalMetrics.textToImage(ITEMS, IMAGE_IDS, CAPTION_IDS, TieRule.OPTIMISTIC));
        assertEquals(pes, RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, CAPTION_IDS));
    }

    @Test
    void theIdValuesThemselvesDoNotMatter() {
        long[] images = {Long.MIN_VALUE, -1, Long.MIN_VALUE};
        long[] captions = {Long.MIN_VALUE, -1, Long.MIN_VALUE, Long.MIN_VALUE};
        for (TieRule t : TieRule.values()) {
            assertEquals(RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, CAPTION_IDS, t),
                    RetrievalMetrics.evaluate(ITEMS, images, captions, t));
        }
    }

    // ------------------------------------------------------------ argument checks

    @Test
    void refusesIdsOfTheWrongLength() {
        assertEquals("image-ids has 2 ids but sims has 3 rows; expected one id per image (row)",
                message(() -> RetrievalMetrics.evaluate(ITEMS, new long[] {7, 3}, CAPTION_IDS, TieRule.PESSIMISTIC)));
        assertEquals("caption-ids has 5 ids but sims has 4 columns; expected one id per caption (column)",
                message(() -> RetrievalMetrics.imageToText(ITEMS, IMAGE_IDS, new long[] {7, 3, 7, 7, 3},
                        TieRule.PESSIMISTIC)));
        assertEquals("image-ids is missing; expected one id per image (row of sims)",
                message(() -> RetrievalMetrics.textToImage(ITEMS, null, CAPTION_IDS, TieRule.PESSIMISTIC)));
        assertEquals("caption-ids is missing; expected one id per caption (column of sims)",
                message(() -> RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, null, TieRule.PESSIMISTIC)));
    }

    @Test
    void refusesAnImageWithoutCaptionsAndACaptionWithoutImages() {
        assertEquals("image-ids[1] = 4 has no caption: no entry of caption-ids is 4; every image needs at least"
                        + " one caption with its id",
                message(() -> RetrievalMetrics.evaluate(ITEMS, new long[] {7, 4, 7}, new long[] {7, 4 + 1, 7, 7},
                        TieRule.PESSIMISTIC)));
        assertEquals("caption-ids[1] = 5 has no image: no entry of image-ids is 5; every caption needs at least"
                        + " one image with its id",
                message(() -> RetrievalMetrics.textToImage(ITEMS, new long[] {7, 7, 7}, new long[] {7, 5, 7, 7},
                        TieRule.OPTIMISTIC)));
        // With the k-based layout an image always has captions; with ids the check cannot be skipped.
        assertEquals("image-ids[2] = 2 has no caption: no entry of caption-ids is 2; every image needs at least"
                        + " one caption with its id",
                message(() -> RetrievalMetrics.imageToText(new DMatrixRMaj(3, 2), identity(3), identity(2),
                        TieRule.PESSIMISTIC)));
    }

    @Test
    void refusesNonFiniteSimilaritiesAndAMissingTieRule() {
        DMatrixRMaj nan = ITEMS.copy();
        nan.set(2, 1, Double.NaN);
        assertEquals("sims[2,1] is NaN; expected finite values",
                message(() -> RetrievalMetrics.evaluate(nan, IMAGE_IDS, CAPTION_IDS, TieRule.PESSIMISTIC)));
        assertEquals("ties is missing; expected PESSIMISTIC or OPTIMISTIC",
                message(() -> RetrievalMetrics.evaluate(ITEMS, IMAGE_IDS, CAPTION_IDS, null)));
    }
}

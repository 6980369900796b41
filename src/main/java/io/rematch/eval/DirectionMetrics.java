package io.rematch.eval;

import java.util.Arrays;

/**
 * Retrieval metrics for one direction (image-to-text or text-to-image) and the per-query ranks
 * they summarise, with the conventions of RCL's {@code RCL-SGRAF/evaluation.py}.
 *
 * @param r1    Recall@1 in percent (0..100): {@code 100 * #{rank < 1} / #queries}
 * @param r5    Recall@5 in percent
 * @param r10   Recall@10 in percent
 * @param medr  median rank, 1-based: {@code floor(median(ranks)) + 1}, where the median of an even
 *              count averages the two middle ranks (as {@code np.median})
 * @param meanr mean rank, 1-based: {@code mean(ranks) + 1}
 * @param ranks per query, the 0-based rank of the best ground-truth item (0 = retrieved first)
 * @param top1  per query, the index of the highest-scoring item (caption index for image queries,
 *              image index for caption queries); among equal scores the smallest index
 */
public record DirectionMetrics(double r1, double r5, double r10, double medr, double meanr,
                               int[] ranks, int[] top1) {

    /**
     * Checks the arrays and keeps private copies.
     *
     * @throws IllegalArgumentException if {@code ranks} is empty or has negative entries, or
     *                                  {@code top1} has another length
     */
    public DirectionMetrics {
        if (ranks == null || ranks.length == 0) {
            throw new IllegalArgumentException("ranks is empty; expected one rank per query");
        }
        if (top1 == null || top1.length != ranks.length) {
            throw new IllegalArgumentException("top1 must have one entry per query (" + ranks.length
                    + "), got " + (top1 == null ? "none" : String.valueOf(top1.length)));
        }
        for (int q = 0; q < ranks.length; q++) {
            if (ranks[q] < 0) {
                throw new IllegalArgumentException("ranks[" + q + "] is " + ranks[q] + "; ranks are 0-based, >= 0");
            }
        }
        ranks = ranks.clone();
        top1 = top1.clone();
    }

    /**
     * Summarises per-query ranks exactly as {@code evaluation.py} does, so that the doubles are
     * bit-identical to NumPy's: recalls as {@code 100.0 * count / n}, the mean as
     * {@code sum / n + 1} (the sum of integers is exact), the median from the sorted ranks.
     *
     * @param ranks 0-based rank per query
     * @param top1  best-scoring item per query
     */
    public static DirectionMetrics fromRanks(int[] ranks, int[] top1) {
        if (ranks == null || ranks.length == 0) {
            throw new IllegalArgumentException("ranks is empty; expected one rank per query");
        }
        int n = ranks.length;
        int below1 = 0;
        int below5 = 0;
        int below10 = 0;
        long sum = 0;
        for (int r : ranks) {
            below1 += r < 1 ? 1 : 0;
            below5 += r < 5 ? 1 : 0;
            below10 += r < 10 ? 1 : 0;
            sum += r;
        }
        int[] sorted = ranks.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
        return new DirectionMetrics(100.0 * below1 / n, 100.0 * below5 / n, 100.0 * below10 / n,
                Math.floor(median) + 1, (double) sum / n + 1, ranks, top1);
    }

    /** The 0-based rank of each query (a copy). */
    @Override
    public int[] ranks() {
        return ranks.clone();
    }

    /** The best-scoring item of each query (a copy); ties go to the smallest index. */
    @Override
    public int[] top1() {
        return top1.clone();
    }

    /** Number of queries. */
    public int queries() {
        return ranks.length;
    }

    /** Equal when every metric and every per-query rank and top-1 index is equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DirectionMetrics)) {
            return false;
        }
        DirectionMetrics m = (DirectionMetrics) o;
        return Double.compare(r1, m.r1) == 0 && Double.compare(r5, m.r5) == 0
                && Double.compare(r10, m.r10) == 0 && Double.compare(medr, m.medr) == 0
                && Double.compare(meanr, m.meanr) == 0 && Arrays.equals(ranks, m.ranks)
                && Arrays.equals(top1, m.top1);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(new double[] {r1, r5, r10, medr, meanr}) + 7 * Arrays.hashCode(ranks)
                + Arrays.hashCode(top1);
    }

    /** The five metrics and the number of queries; the per-query arrays are left out. */
    @Override
    public String toString() {
        return "DirectionMetrics[r1=" + r1 + ", r5=" + r5 + ", r10=" + r10 + ", medr=" + medr
                + ", meanr=" + meanr + ", queries=" + ranks.length + "]";
    }

    /** {@code {"r1": .., "r5": .., "r10": .., "medr": .., "meanr": ..}} with {@link Double#toString}. */
    String toJson() {
        return "{\"r1\": " + r1 + ", \"r5\": " + r5 + ", \"r10\": " + r10 + ", \"medr\": " + medr
                + ", \"meanr\": " + meanr + "}";
    }
}

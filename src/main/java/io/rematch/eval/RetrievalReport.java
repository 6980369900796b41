package io.rematch.eval;

import java.util.Locale;

/**
 * Both retrieval directions and their rsum, the model-selection score of RCL
 * ({@code RCL-SGRAF/evaluation.py}).
 *
 * @param i2t  image-to-text retrieval (image annotation): one query per image
 * @param t2i  text-to-image retrieval (image search): one query per caption
 * @param rsum {@code i2t.r1 + i2t.r5 + i2t.r10 + t2i.r1 + t2i.r5 + t2i.r10}, in percent (0..600):
 *             the two directions are summed, not averaged, and added left to right in this order
 *             as RCL does, so that the double matches RCL's to the last bit
 */
public record RetrievalReport(DirectionMetrics i2t, DirectionMetrics t2i, double rsum) {

    /**
     * @throws IllegalArgumentException if a direction is missing or {@code rsum} is not the sum
     *                                  of the six recalls (use {@link #of} to compute it)
     */
    public RetrievalReport {
        if (i2t == null || t2i == null) {
            throw new IllegalArgumentException("i2t and t2i are both required");
        }
        double expected = rsum(i2t, t2i);
        if (Double.compare(rsum, expected) != 0) {
            throw new IllegalArgumentException("rsum must be the sum of the six recalls, " + expected
                    + ", got " + rsum);
        }
    }

    /** The report for two directions, with rsum computed as RCL computes it. */
    public static RetrievalReport of(DirectionMetrics i2t, DirectionMetrics t2i) {
        if (i2t == null || t2i == null) {
            throw new IllegalArgumentException("i2t and t2i are both required");
        }
        return new RetrievalReport(i2t, t2i, rsum(i2t, t2i));
    }

    private static double rsum(DirectionMetrics i2t, DirectionMetrics t2i) {
        return i2t.r1() + i2t.r5() + i2t.r10() + t2i.r1() + t2i.r5() + t2i.r10();
    }

    /**
     * The metrics as one line of JSON, doubles written with {@link Double#toString} (so they
     * read back exactly):
     * {@code {"i2t": {"r1": .., "r5": .., "r10": .., "medr": .., "meanr": ..}, "t2i": {...}, "rsum": ..}}.
     * Per-query ranks are not included.
     */
    public String toJson() {
        return "{\"i2t\": " + i2t.toJson() + ", \"t2i\": " + t2i.toJson() + ", \"rsum\": " + rsum + "}";
    }

    /**
     * A small table for people, recalls (percent) and 1-based ranks to two decimals, and the
     * number of queries per direction; for RCL's reference case {@code npts5_random}:
     * <pre>
     *             R@1     R@5    R@10    medr   meanr  queries
     * i2t       60.00   80.00   80.00    1.00    4.80        5
     * t2i       16.00  100.00  100.00    3.00    2.88       25
     * rsum     436.00
     * </pre>
     */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s %8s %7s %7s %7s %7s %8s%n",
                "", "R@1", "R@5", "R@10", "medr", "meanr", "queries"));
        row(sb, "i2t", i2t);
        row(sb, "t2i", t2i);
        sb.append(String.format(Locale.ROOT, "%-6s %8.2f%n", "rsum", rsum));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, DirectionMetrics m) {
        sb.append(String.format(Locale.ROOT, "%-6s %8.2f %7.2f %7.2f %7.2f %7.2f %8d%n",
                name, m.r1(), m.r5(), m.r10(), m.medr(), m.meanr(), m.queries()));
    }
}

package io.rematch.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The six recalls of a retrieval evaluation and their rsum, without per-query ranks: what a
 * training log records per epoch, and what the 5-fold 1K protocol of MS-COCO averages (the mean
 * of each recall over the folds; the rsum of the means).
 *
 * @param i2tR1  image-to-text R@1, percent
 * @param i2tR5  image-to-text R@5
 * @param i2tR10 image-to-text R@10
 * @param t2iR1  text-to-image R@1
 * @param t2iR5  text-to-image R@5
 * @param t2iR10 text-to-image R@10
 * @param rsum   the sum of the six, in this order
 */
public record RecallSummary(double i2tR1, double i2tR5, double i2tR10, double t2iR1, double t2iR5, double t2iR10,
                            double rsum) {

    /** The recalls of {@code report}. */
    public static RecallSummary of(RetrievalReport report) {
        return new RecallSummary(report.i2t().r1(), report.i2t().r5(), report.i2t().r10(), report.t2i().r1(),
                report.t2i().r5(), report.t2i().r10(), report.rsum());
    }

    /** The mean of each recall over {@code parts}, and the rsum of the means. */
    public static RecallSummary mean(List<RecallSummary> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no evaluation to average");
        }
        double[] s = new double[6];
        for (RecallSummary p : parts) {
            double[] v = p.recalls();
            for (int k = 0; k < 6; k++) {
                s[k] += v[k];
            }
        }
        for (int k = 0; k < 6; k++) {
            s[k] /= parts.size();
        }
        return new RecallSummary(s[0], s[1], s[2], s[3], s[4], s[5], s[0] + s[1] + s[2] + s[3] + s[4] + s[5]);
    }

    /** The six recalls in record order. */
    public double[] recalls() {
        return new double[] {i2tR1, i2tR5, i2tR10, t2iR1, t2iR5, t2iR10};
    }

    /** Keys {@code i2t_r1 .. t2i_r10, rsum}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i2t_r1", i2tR1);
        m.put("i2t_r5", i2tR5);
        m.put("i2t_r10", i2tR10);
        m.put("t2i_r1", t2iR1);
        m.put("t2i_r5", t2iR5);
        m.put("t2i_r10", t2iR10);
        m.put("rsum", rsum);
        return m;
    }

    /** One table row: the six recalls and rsum to one decimal, after a label. */
    public String row(String label) {
        return String.format(Locale.ROOT, "%-16s %6.1f %6.1f %6.1f   %6.1f %6.1f %6.1f   %7.1f", label, i2tR1, i2tR5,
                i2tR10, t2iR1, t2iR5, t2iR10, rsum);
    }

    /** The header over {@link #row} lines. */
    public static String header() {
        return String.format(Locale.ROOT, "%-16s %6s %6s %6s   %6s %6s %6s   %7s", "", "i2t@1", "@5", "@10", "t2i@1",
                "@5", "@10", "rsum");
    }
}

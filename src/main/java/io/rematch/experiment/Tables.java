package io.rematch.experiment;

import io.rematch.eval.RecallSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * Markdown tables of test recalls in %, one row per group (and mismatch rate), each cell the mean
 * over seeds and, with more than one seed, the sample standard deviation ({@code 93.2 ± 4.1}).
 */
public final class Tables {

    private static final String[] COLUMNS = {"i2t R@1", "R@5", "R@10", "t2i R@1", "R@5", "R@10", "rSum"};

    private Tables() {
    }

    /** Test recalls at the best-validation epoch. */
    public static String best(List<Outcome> outcomes) {
        return table(outcomes, Outcome::testBest);
    }

    /** Test recalls at the last epoch. */
    public static String last(List<Outcome> outcomes) {
        return table(outcomes, Outcome::testLast);
    }

    /**
     * A compact table like RCL's Table 7: per group and rate the test rSum at the best-validation
     * and at the last epoch, and the epoch chosen.
     */
    public static String bestAndLast(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder();
        b.append("| method | mismatch | seeds | rSum, best validation | rSum, last epoch | best epoch |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Outcome>> g : groups(outcomes).entrySet()) {
            List<Outcome> os = g.getValue();
            Arm a = os.get(0).arm();
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %d | %s | %s | %s |%n", a.group(), a.rate(), os.size(),
                    cell(os, o -> o.testBest().rsum()), cell(os, o -> o.testLast().rsum()),
                    os.size() > 1 ? cell(os, o -> (double) o.bestEpoch()) : Integer.toString(os.get(0).bestEpoch())));
        }
        return b.toString();
    }

    private static String table(List<Outcome> outcomes, Function<Outcome, RecallSummary> which) {
        StringBuilder b = new StringBuilder();
        b.append("| method | mismatch | seeds |");
        for (String c : COLUMNS) {
            b.append(' ').append(c).append(" |");
        }
        b.append("\n|---|---:|---:|").append("---:|".repeat(COLUMNS.length)).append('\n');
        for (Map.Entry<String, List<Outcome>> g : groups(outcomes).entrySet()) {
            List<Outcome> os = g.getValue();
            Arm a = os.get(0).arm();
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %d |", a.group(), a.rate(), os.size()));
            List<Function<RecallSummary, Double>> fields = List.of(RecallSummary::i2tR1, RecallSummary::i2tR5,
                    RecallSummary::i2tR10, RecallSummary::t2iR1, RecallSummary::t2iR5, RecallSummary::t2iR10,
                    RecallSummary::rsum);
            for (Function<RecallSummary, Double> f : fields) {
                b.append(' ').append(cell(os, o -> f.apply(which.apply(o)))).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The outcomes by group and rate, in first-seen order. */
    static Map<String, List<Outcome>> groups(List<Outcome> outcomes) {
        Map<String, List<Outcome>> g = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            g.computeIfAbsent(o.arm().group() + "\u0000" + o.arm().rate(), k -> new ArrayList<>()).add(o);
        }
        return g;
    }

    /** Mean and sample standard deviation of {@code value} over the outcomes. */
    static double[] stats(List<Outcome> os, Function<Outcome, Double> value) {
        SummaryStatistics s = new SummaryStatistics();
        for (Outcome o : os) {
            s.addValue(value.apply(o));
        }
        return new double[] {s.getMean(), os.size() > 1 ? s.getStandardDeviation() : 0};
    }

    private static String cell(List<Outcome> os, Function<Outcome, Double> value) {
        double[] m = stats(os, value);
        return os.size() > 1 ? String.format(Locale.ROOT, "%.1f ± %.1f", m[0], m[1])
                : String.format(Locale.ROOT, "%.1f", m[0]);
    }
}

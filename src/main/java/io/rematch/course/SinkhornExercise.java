package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.ot.LogSinkhorn;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportResult;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Exercise 4, add a Sinkhorn variant: any algorithm for the entropic optimal transport plan
 * \(P^\star = \arg\min_{P \mathbf 1 = a,\ P^\top \mathbf 1 = b} \langle P, C\rangle - \varepsilon H(P)\)
 * that is not the library's: Greenkhorn (one row or column at a time, the most violated first),
 * \(\varepsilon\)-scaling (solve at a large \(\varepsilon\), warm-start a smaller one), or
 * Anderson-accelerated Sinkhorn. The plan is unique, so every correct variant converges to the
 * same matrix.
 *
 * <p>Checked on six problems (square and rectangular, \(\varepsilon\) = 0.2 down to 0.01, costs
 * in [0, 1], random marginals): the plan is non-negative and finite, its marginals are \(a\) and
 * \(b\) to \(10^{-8}\), and it equals {@link LogSinkhorn}'s plan to \(10^{-6}\) of its largest
 * entry. A seventh problem at \(\varepsilon = 0.001\), where \(e^{-C/\varepsilon}\) underflows,
 * is a bonus for a log-domain variant.
 */
public final class SinkhornExercise implements Exercise {

    /** What the student implements. */
    public interface Answer {
        /**
         * The entropic OT plan of {@code cost} (n x m) between {@code a} (n) and {@code b} (m), both
         * positive and summing to 1, at regularisation {@code reg}.
         */
        double[][] plan(double[][] cost, double[] a, double[] b, double reg);
    }

    static final long SEED = 6;

    @Override
    public int number() {
        return 4;
    }

    @Override
    public String title() {
        return "Add a Sinkhorn variant (Greenkhorn, epsilon-scaling, ...) that finds the entropic OT plan";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public List<String> forbidden() {
        return List.of("io.rematch.ot", "LogSinkhorn", "SinkhornKnopp", "LiteralSinkhorn", "Transports");
    }

    @Override
    public Verdict check(Object answer) {
        Answer ans = (Answer) answer;
        Verdict v = new Verdict();
        SplittableRandom r = new SplittableRandom(SEED);
        int[][] shapes = {{4, 4}, {6, 6}, {5, 3}, {3, 7}, {8, 8}, {10, 6}, {6, 6}};
        double[] regs = {0.2, 0.1, 0.1, 0.05, 0.02, 0.01, 0.001};
        String shapeP = null, marginP = null, planP = null;
        double worstMargin = 0, worstPlan = 0;
        String bonus = null;
        for (int c = 0; c < shapes.length; c++) {
            int n = shapes[c][0], m = shapes[c][1];
            double reg = regs[c];
            boolean isBonus = c == shapes.length - 1;
            double[][] cost = Grading.uniform(r, n, m, 0, 1);
            double[] a = Grading.simplex(r, n), b = Grading.simplex(r, m);
            String cas = f("problem %d (%d x %d, reg %s)", c + 1, n, m, reg);
            double[][] got;
            try {
                got = ans.plan(Grading.copy(cost), a.clone(), b.clone(), reg);
            } catch (RuntimeException e) {
                if (!isBonus) {
                    throw e;
                }
                bonus = cas + ": your variant threw " + e;
                continue;
            }
            String problem = Grading.shapeProblem("the plan", got, n, m);
            if (problem == null) {
                for (double[] row : got) {
                    for (double x : row) {
                        if (x < 0) {
                            problem = f("the plan has a negative entry %.3g", x);
                        }
                    }
                }
            }
            if (problem != null) {
                if (isBonus) {
                    bonus = cas + ": " + problem + " (the scaling form underflows here: e^(-1/0.001) = 0)";
                } else if (shapeP == null) {
                    shapeP = cas + ": " + problem;
                }
                continue;
            }
            double margin = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += got[i][j];
                }
                margin = Math.max(margin, Math.abs(s - a[i]));
            }
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += got[i][j];
                }
                margin = Math.max(margin, Math.abs(s - b[j]));
            }
            TransportResult ref = new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-14, 200_000))
                    .solve(new DMatrixRMaj(cost), a, b, null);
            double largest = 0, gap = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    largest = Math.max(largest, ref.plan().get(i, j));
                    gap = Math.max(gap, Math.abs(ref.plan().get(i, j) - got[i][j]));
                }
            }
            if (isBonus) {
                boolean ok = margin <= 1e-8 && gap <= 1e-6 * largest;
                bonus = cas + (ok ? ": right too, so your variant works in the log domain"
                        : f(": marginals off by %.1e, plan off by %.1e of its largest entry", margin, gap / largest));
                continue;
            }
            worstMargin = Math.max(worstMargin, margin);
            worstPlan = Math.max(worstPlan, gap / largest);
            if (!(margin <= 1e-8) && marginP == null) {
                marginP = f("%s: a row or column sum is off by %.2e; iterate until the marginals are within 1e-10", cas,
                        margin);
            }
            if (!(gap <= 1e-6 * largest) && planP == null) {
                planP = f("%s: an entry differs from the entropic plan by %.2e of its largest entry", cas, gap / largest);
            }
        }
        v.require(shapeP == null, "the plan is n x m, finite and non-negative", shapeP == null ? "on 6 problems" : shapeP);
        v.require(marginP == null, "its rows sum to a and its columns to b, to 1e-8",
                marginP == null ? f("largest marginal error %.1e", worstMargin) : marginP);
        v.require(planP == null, "it is the entropic OT plan (LogSinkhorn's) to 1e-6 of its largest entry",
                planP == null ? f("largest gap %.1e of the largest entry", worstPlan) : planP);
        v.note("bonus: reg = 0.001", bonus);
        return v;
    }
}

package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.loss.ComplementaryBound;
import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.LossValue;
import io.rematch.loss.Negatives;
import io.rematch.numeric.Mode;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Exercise 2, derive and check a gradient: CCL with the log bound over all negatives (RCL Eq. 1-2
 * and 15), \(L = \frac1N \sum_k \sum_{i \ne k} [-\log(1 - p^{v2t}_{ki}) - \log(1 - p^{t2v}_{ki})]\),
 * and its gradient \(\partial L / \partial S\) derived by hand.
 *
 * <p>Checked on 12 random batches (\(N\) = 2 to 9, \(\tau\) = 0.05 to 1, scores in [-1, 1]) against
 * {@link ComplementaryContrastiveLoss}, and the gradient against central differences of the
 * answer's own loss, so that a wrong derivation is told apart from a wrong loss.
 */
public final class GradientExercise implements Exercise {

    /** What the student implements; {@code s[i][j]} scores image i against text j, pairs on the diagonal. */
    public interface Answer {
        /** The loss \(L\) above at temperature {@code tau}. */
        double loss(double[][] s, double tau);

        /** \(\partial L / \partial s_{ij}\), a new N x N array. */
        double[][] gradient(double[][] s, double tau);
    }

    /** The seed of the random batches (fixed: every run checks the same cases). */
    static final long SEED = 20230217;

    @Override
    public int number() {
        return 2;
    }

    @Override
    public String title() {
        return "Derive and check a gradient: CCL with the log bound (RCL Eq. 15) with respect to the scores";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public List<String> forbidden() {
        return List.of("ComplementaryContrastiveLoss", "LiteralCcl", "TwoWaySoftmaxObjective", "ScoreLoss");
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        SplittableRandom r = new SplittableRandom(SEED);
        int[] sizes = {2, 3, 4, 5, 6, 9, 2, 3, 5, 7, 8, 9};
        double[] taus = {1, 0.5, 0.2, 0.1, 0.05, 0.05, 0.2, 1, 0.05, 0.1, 0.5, 0.2};
        String lossProblem = null, gradProblem = null, fdProblem = null;
        double worstLoss = 0, worstGrad = 0, worstFd = 0;
        for (int c = 0; c < sizes.length; c++) {
            int n = sizes[c];
            double tau = taus[c];
            double[][] s = Grading.uniform(r, n, n, -1, 1);
            String cas = f("case %d (N = %d, tau = %s)", c + 1, n, tau);
            LossValue want = new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.all(), Mode.STABLE)
                    .evaluate(new DMatrixRMaj(s));
            double got = a.loss(Grading.copy(s), tau);
            double e = Grading.relative(got, want.value(), 1e-300);
            if (!(e <= 1e-9) && lossProblem == null) {
                lossProblem = f("%s: expected %.15g, got %.15g", cas, want.value(), got);
            }
            worstLoss = Math.max(worstLoss, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);

            double[][] g = a.gradient(Grading.copy(s), tau);
            String shape = Grading.shapeProblem("gradient", g, n, n);
            if (shape != null) {
                if (gradProblem == null) {
                    gradProblem = cas + ": " + shape;
                }
                worstGrad = Double.POSITIVE_INFINITY;
                continue;
            }
            double[][] ref = rows(want.gradient());
            double scale = Grading.maxAbs(ref);
            double gap = 0;
            int gi = 0, gj = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double d = Math.abs(g[i][j] - ref[i][j]);
                    if (d > gap) {
                        gap = d;
                        gi = i;
                        gj = j;
                    }
                }
            }
            worstGrad = Math.max(worstGrad, gap / scale);
            if (gap > 1e-8 * scale && gradProblem == null) {
                gradProblem = f("%s: dL/ds[%d][%d] expected %.12g, got %.12g%s", cas, gi, gj, ref[gi][gj], g[gi][gj],
                        factorHint(g, ref));
            }
            // central differences of the answer's own loss, step tau * 1e-4: truncation about 1e-8 of
            // the gradient, and room for a loss that loses a few digits (log(1 - p) with p near 1)
            double h = tau * 1e-4, fdGap = 0;
            int fi = 0, fj = 0;
            double fdAt = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double[][] up = Grading.copy(s), down = Grading.copy(s);
                    up[i][j] += h;
                    down[i][j] -= h;
                    double fd = (a.loss(up, tau) - a.loss(down, tau)) / (2 * h);
                    double d = Math.abs(fd - g[i][j]);
                    if (!(d <= fdGap)) {
                        fdGap = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                        fi = i;
                        fj = j;
                        fdAt = fd;
                    }
                }
            }
            double fdScale = Math.max(scale, Grading.maxAbs(g));
            worstFd = Math.max(worstFd, fdGap / fdScale);
            if (!(fdGap <= 1e-4 * fdScale) && fdProblem == null) {
                fdProblem = f("%s: at [%d][%d] your gradient is %.10g, the finite difference of your loss %.10g", cas, fi,
                        fj, g[fi][fj], fdAt);
            }
        }
        v.require(lossProblem == null, "loss(s, tau) equals Eq. 15's CCL to 1e-9 relative on 12 batches",
                lossProblem == null ? f("largest relative error %.1e", worstLoss) : lossProblem);
        v.require(gradProblem == null, "gradient(s, tau) equals dL/ds to 1e-8 of its largest entry",
                gradProblem == null ? f("largest gap %.1e of the largest entry", worstGrad) : gradProblem);
        v.require(fdProblem == null, "gradient(s, tau) agrees with central differences of loss(s, tau) (1e-4)",
                fdProblem == null ? f("largest gap %.1e of the largest entry", worstFd) : fdProblem);
        return v;
    }

    /** "; it is 2.0 times the expected gradient: ..." when the answer is a constant multiple. */
    private static String factorHint(double[][] g, double[][] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g.length; j++) {
                num += g[i][j] * ref[i][j];
                den += ref[i][j] * ref[i][j];
            }
        }
        double c = num / den;
        double off = 0;
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g.length; j++) {
                off = Math.max(off, Math.abs(g[i][j] - c * ref[i][j]));
            }
        }
        if (Math.abs(c - 1) > 1e-6 && off <= 1e-8 * Grading.maxAbs(ref) * Math.max(1, Math.abs(c))) {
            return f("; your whole gradient is %.6g times the expected one: check the factors 1/N and 1/tau", c);
        }
        return "";
    }

    private static double[][] rows(DMatrixRMaj m) {
        double[][] out = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            System.arraycopy(m.data, i * m.numCols, out[i], 0, m.numCols);
        }
        return out;
    }
}

package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.loss.ComplementaryRisk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Exercise 3, Theorem 1 numerically for a new base loss (RCL Eq. 9-10): with the squared error
 * \(\mathcal L(p, y) = \lVert e_y - p \rVert_2^2\) as the ordinary loss, enumerate every
 * complementary set \(\bar{\mathbf Y}\) of size \(C\) (a \(C\)-subset of the \(N - 1\) wrong
 * labels), compute Eq. 10's complementary loss for each, and see that their mean, the expectation
 * under a uniformly drawn set, is the ordinary loss of the true label.
 *
 * <p>Checked on 15 random probability vectors (\(N\) = 3 to 6, every \(C\) from 1 to \(N - 1\)):
 * the base loss against the squared error, the list of complementary losses (as a multiset)
 * against {@link ComplementaryRisk#complementaryLoss} over every subset, and the mean against the
 * ordinary loss.
 */
public final class TheoremExercise implements Exercise {

    /** What the student implements; labels are 0 .. N-1, {@code p} a probability vector. */
    public interface Answer {
        /** The squared error \(\sum_k ([k = y] - p_k)^2\). */
        double loss(double[] p, int y);

        /**
         * Eq. 10 for every size-{@code c} subset of the labels other than {@code trueLabel}, one entry
         * per subset, in any order.
         */
        double[] complementaryLosses(double[] p, int trueLabel, int c);
    }

    static final long SEED = 9;

    @Override
    public int number() {
        return 3;
    }

    @Override
    public String title() {
        return "Theorem 1 numerically: the complementary loss (RCL Eq. 10) of the squared error is unbiased";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public List<String> forbidden() {
        return List.of("ComplementaryRisk");
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        SplittableRandom r = new SplittableRandom(SEED);
        String lossProblem = null, listProblem = null, theoremProblem = null;
        int cases = 0;
        double worstMean = 0;
        for (int n = 3; n <= 6; n++) {
            for (int rep = 0; rep < (n == 6 ? 6 : 3); rep++) {
                double[] p = Grading.simplex(r, n);
                int y = r.nextInt(n);
                double[] losses = new double[n];
                for (int k = 0; k < n; k++) {
                    losses[k] = squaredError(p, k);
                    double got = a.loss(p.clone(), k);
                    if (!(Grading.relative(got, losses[k], 1e-300) <= 1e-12) && lossProblem == null) {
                        lossProblem = f("p = %s, y = %d: expected %.15g, got %.15g", Arrays.toString(p), k, losses[k], got);
                    }
                }
                for (int c = 1; c <= n - 1; c++) {
                    cases++;
                    double[] want = reference(losses, y, c);
                    double[] got = a.complementaryLosses(p.clone(), y, c);
                    String cas = f("N = %d, true label %d, C = %d", n, y, c);
                    if (got == null || got.length != want.length) {
                        if (listProblem == null) {
                            listProblem = f("%s: expected %d values (one per subset: C(N-1, C)), got %s", cas, want.length,
                                    got == null ? "null" : Integer.toString(got.length));
                        }
                        continue;
                    }
                    double[] sorted = got.clone();
                    Arrays.sort(sorted);
                    for (int k = 0; k < want.length; k++) {
                        if (!(Math.abs(sorted[k] - want[k]) <= 1e-12 * Math.max(1, Math.abs(want[k]))) && listProblem == null) {
                            listProblem = f("%s: the sorted values differ at %d: expected %s, got %s%s", cas, k,
                                    Arrays.toString(want), Arrays.toString(sorted), hint(sorted, want, losses[y]));
                            break;
                        }
                    }
                    double mean = Arrays.stream(got).sum() / got.length;
                    double e = Math.abs(mean - losses[y]);
                    worstMean = Math.max(worstMean, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
                    if (!(e <= 1e-12) && theoremProblem == null) {
                        theoremProblem = f("%s: mean of your complementary losses %.15g, ordinary loss %.15g", cas, mean,
                                losses[y]);
                    }
                }
            }
        }
        v.require(lossProblem == null, "loss(p, y) is the squared error ||e_y - p||^2",
                lossProblem == null ? "right on every label of 15 vectors" : lossProblem);
        v.require(listProblem == null, "complementaryLosses gives Eq. 10 for every C-subset of the wrong labels",
                listProblem == null ? f("right in all %d cases", cases) : listProblem);
        v.require(theoremProblem == null, "their mean is the ordinary loss of the true label (Theorem 1, Eq. 9)",
                theoremProblem == null ? f("largest gap %.1e", worstMean) : theoremProblem);
        return v;
    }

    /** A hint when every value is off by the same amount, or scaled by the same factor. */
    static String hint(double[] got, double[] want, double trueLoss) {
        double d = got[0] - want[0];
        boolean shifted = true;
        for (int k = 0; k < got.length; k++) {
            shifted &= Math.abs(got[k] - want[k] - d) <= 1e-9 * Math.max(1, Math.abs(want[k]));
        }
        if (shifted && Math.abs(d) > 1e-12) {
            return Math.abs(Math.abs(d) - trueLoss) <= 1e-9 * Math.max(1, trueLoss)
                    ? "; every value is off by the true label's loss: the second sum of Eq. 10 runs over every label"
                            + " outside the set, the true one included"
                    : f("; every value is off by the same %.6g: check the sum over the labels outside the set", d);
        }
        return "; compare one value by hand: the labels in the set carry -(N - C - 1)/C, the others 1";
    }

    static double squaredError(double[] p, int y) {
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            double d = (k == y ? 1 : 0) - p[k];
            sum += d * d;
        }
        return sum;
    }

    /** Eq. 10 over every c-subset of the labels other than y, sorted. */
    static double[] reference(double[] losses, int y, int c) {
        int n = losses.length;
        List<Double> out = new ArrayList<>();
        for (int bits = 0; bits < 1 << n; bits++) {
            if ((bits >> y & 1) == 1 || Integer.bitCount(bits) != c) {
                continue;
            }
            boolean[] set = new boolean[n];
            for (int k = 0; k < n; k++) {
                set[k] = (bits >> k & 1) == 1;
            }
            out.add(ComplementaryRisk.complementaryLoss(losses, set));
        }
        return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}

package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.numeric.Mode;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.TransportResult;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Exercise 8, rematch with a new cost: L2RM (Han et al., CVPR 2024, Sec. 3.2) turns a noisy
 * batch's similarities \(S\) into a transport cost and solves a masked partial OT whose plan says
 * which caption each image should have had. The learned cost starts as \(\mathrm{ReLU}(1 - S)\);
 * here the student designs a fixed cost of their own.
 *
 * <p>Checked on four rematch batches of a toy set whose mismatches are known (as in notebook 07:
 * 128 pairs in batches of 16, two swaps of captions per batch, the 32 mismatched pairs rematched 8
 * at a time; a score is 0.3 to 0.7 for a true pair and 0.15 otherwise, plus \(N(0, 0.1^2)\) noise): the cost is finite, non-negative and falls
 * where a similarity rises; it is not \(\mathrm{ReLU}(1 - S)\); and with
 * {@link MaskedPartialTransport} (reg 0.07, mass 0.1, L2RM's defaults) a share of the transported
 * mass on the true captions at least one point above that of \(\mathrm{ReLU}(1 - S)\).
 */
public final class CostExercise implements Exercise {

    /** What the student implements. */
    public interface Answer {
        /** The transport cost of similarities {@code s} (images x captions), a new array of the same shape. */
        double[][] cost(double[][] s);
    }

    static final long SEED = 2024;
    /** How much more of the mass (a fraction) a new cost must put on the true captions: a clear gain, not a tie. */
    static final double IMPROVEMENT = 0.01;

    @Override
    public int number() {
        return 8;
    }

    @Override
    public String title() {
        return "Rematch with a new cost: design L2RM's transport cost and measure the mass on the true captions";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    /** The four rematch batches: similarities of the mismatched pairs, and each row's true column. */
    record Batch(double[][] s, int[] partner) {
    }

    static List<Batch> batches() {
        int n = 128, b = 16;
        SplittableRandom rng = new SplittableRandom(SEED);
        int[] describes = new int[n]; // caption q describes image describes[q]
        for (int q = 0; q < n; q++) {
            describes[q] = q;
        }
        for (int from = 0; from < n; from += b) {
            int[] f = rng.ints(0, b).distinct().limit(4).toArray();
            swap(describes, from + f[0], from + f[1]);
            swap(describes, from + f[2], from + f[3]);
        }
        double[] own = rng.doubles(n, 0.3, 0.7).toArray();
        // the 32 mismatched pairs, rematched 8 at a time: both halves of every swap are in a batch
        int[] wrong = java.util.stream.IntStream.range(0, n).filter(p -> describes[p] != p).toArray();
        List<Batch> out = new java.util.ArrayList<>();
        for (int from = 0; from < wrong.length; from += 8) {
            int[] rows = Arrays.copyOfRange(wrong, from, Math.min(from + 8, wrong.length));
            double[][] s = new double[rows.length][rows.length];
            int[] partner = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < rows.length; j++) {
                    boolean match = describes[rows[j]] == rows[i];
                    s[i][j] = (match ? own[rows[i]] : 0.15) + 0.1 * rng.nextGaussian();
                    if (match) {
                        partner[i] = j;
                    }
                }
            }
            out.add(new Batch(s, partner));
        }
        return out;
    }

    private static void swap(int[] a, int p, int q) {
        int t = a[p];
        a[p] = a[q];
        a[q] = t;
    }

    /** The share of the transported mass that lands on the true captions, over all batches. */
    static double shareOnPartners(List<Batch> batches, java.util.function.Function<double[][], double[][]> cost) {
        double on = 0, total = 0;
        for (Batch bt : batches) {
            int n = bt.s().length;
            double[][] c = cost.apply(Grading.copy(bt.s()));
            DMatrixRMaj m = new DMatrixRMaj(n, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    m.set(i, j, Math.max(c[i][j], 1e-10)); // L2RM's clip, as LearnableCost#transportCost
                }
            }
            TransportResult r = new MaskedPartialTransport(0.07, 0.1, Mode.STABLE).solveBatch(m);
            for (int i = 0; i < n; i++) {
                on += r.plan().get(i, bt.partner()[i]);
            }
            total += r.mass();
        }
        return on / total;
    }

    static double[][] initial(double[][] s) {
        double[][] c = new double[s.length][];
        for (int i = 0; i < s.length; i++) {
            c[i] = new double[s[i].length];
            for (int j = 0; j < s[i].length; j++) {
                c[i][j] = Math.max(1 - s[i][j], 0);
            }
        }
        return c;
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        List<Batch> batches = batches();
        String shape = null;
        boolean differs = false;
        for (Batch bt : batches) {
            int n = bt.s().length;
            double[][] c = a.cost(Grading.copy(bt.s()));
            String p = Grading.shapeProblem("cost(s)", c, n, n);
            if (p == null) {
                double[][] init = initial(bt.s());
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (c[i][j] < 0) {
                            p = f("cost(s)[%d][%d] = %.3g is negative", i, j, c[i][j]);
                        }
                        differs |= Math.abs(Math.max(c[i][j], 1e-10) - Math.max(init[i][j], 1e-10)) > 1e-6;
                    }
                }
            }
            if (p != null && shape == null) {
                shape = p;
            }
        }
        v.require(shape == null, "cost(s) has the shape of s, finite, non-negative", shape == null ? "on 4 batches" : shape);
        if (shape != null) {
            return v;
        }
        // falls where a similarity rises: nudge single entries up by 0.05
        String rises = null;
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int t = 0; t < 24 && rises == null; t++) {
            Batch bt = batches.get(t % batches.size());
            int n = bt.s().length, i = r.nextInt(n), j = r.nextInt(n);
            double[][] up = Grading.copy(bt.s());
            up[i][j] += 0.05;
            double before = a.cost(Grading.copy(bt.s()))[i][j], after = a.cost(up)[i][j];
            if (!(after < before)) {
                rises = f("raising s[%d][%d] from %.3f to %.3f moves its cost from %.6g to %.6g; a more similar pair"
                        + " must be cheaper to match", i, j, bt.s()[i][j], up[i][j], before, after);
            }
        }
        v.require(rises == null, "the cost of a pair falls when its similarity rises", rises == null ? "on 24 nudges" : rises);
        v.require(differs, "the cost is not the initial ReLU(1 - S)",
                differs ? "it differs" : "it equals max(1 - S, 0): design a cost of your own");
        double base = shareOnPartners(batches, CostExercise::initial);
        double mine = shareOnPartners(batches, a::cost);
        v.require(mine >= base + IMPROVEMENT, "at least 1 point more of the plan mass on the true captions than ReLU(1 - S)",
                f("%.1f%% with your cost, %.1f%% with ReLU(1 - S)", 100 * mine, 100 * base));
        return v;
    }
}

package io.rematch.cost;

import io.rematch.io.Npy;
import io.rematch.optim.Adam;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * The numbers of docs/l2rm.md, "The two costs compared": both learnable costs trained by the
 * key-point self-supervision on the bundled batch (data-small/batch128-pmp20), then measured for
 * order dependence and for how well the cost ranks the true caption of each clean image.
 *
 * <p>The batches are simulated from the bundled pairs (see {@link #train}); the measures are
 * taken on the bundled batch in its own order. Run:
 * {@code java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.rematch.cost.CostVariantsComparison}
 */
public final class CostVariantsComparison {

    private CostVariantsComparison() {
    }

    public static void main(String[] args) throws Exception {
        DMatrixRMaj s = Npy.read(Path.of("data-small/batch128-pmp20/scores.npy")).toMatrix("scores");
        double[] flags = Npy.read(Path.of("data-small/batch128-pmp20/mismatched.npy")).toVector("mismatched");
        int b = s.numRows;
        System.out.printf("%-10s %8s %6s | %12s %12s %10s | %10s %10s | %10s %10s%n", "cost", "lr", "steps",
                "max|dC| perm", "mean|dC|", "W off-eqv", "rank clean", "rank noisy", "C_ii clean", "C_ij other");
        double[][] runs = {{2e-6, 0}, {2e-6, 2000}, {1e-4, 2000}};
        for (double[] run : runs) {
            for (LearnableCost cost : new LearnableCost[] {new RowLinearCost(b), new MonotoneElementwiseCost()}) {
                train(cost, s, flags, run[0], (int) run[1], 11);
                report(cost, s, flags, run[0], (int) run[1]);
            }
        }
    }

    /**
     * Key-point training as in the release, on batches drawn from the bundled pairs: each step a
     * random order of the 128 pairs is the batch (so a caption slot holds a different caption
     * each time, as with a shuffling sampler), the queue holds 128 random images, and the key
     * points plant clean images (a mismatched pick is not planted).
     */
    static void train(LearnableCost cost, DMatrixRMaj s, double[] flags, double lr, int steps, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = s.numRows;
        Adam adam = new Adam(cost.parameters().length, Adam.Settings.withLearningRate(lr));
        for (int t = 0; t < steps; t++) {
            int[] batch = permutation(b, r); // slot j holds pair batch[j]
            DMatrixRMaj queue = new DMatrixRMaj(b, b);
            for (int q = 0; q < b; q++) {
                fillRow(queue, q, s, r.nextInt(b), batch);
            }
            KeyPoints kp = KeyPoints.draw(b, b, r);
            int[] slots = kp.slots(), picks = kp.cleanIndices();
            DMatrixRMaj y = new DMatrixRMaj(b, b);
            for (int k = 0; k < slots.length; k++) {
                if (flags[batch[picks[k]]] != 0) {
                    continue;
                }
                fillRow(queue, slots[k], s, batch[picks[k]], batch);
                y.set(slots[k], picks[k], 1);
            }
            KeyPointTraining.step(cost, queue, y, adam);
        }
    }

    /** Row q of the queue: image {@code image} against the captions in the batch's slot order. */
    private static void fillRow(DMatrixRMaj queue, int q, DMatrixRMaj s, int image, int[] batch) {
        for (int j = 0; j < batch.length; j++) {
            queue.set(q, j, s.get(image, batch[j]));
        }
    }

    static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    static void report(LearnableCost cost, DMatrixRMaj s, double[] flags, double lr, int steps) {
        int b = s.numRows;
        int[] perm = permutation(b, new SplittableRandom(5));
        DMatrixRMaj permuted = new DMatrixRMaj(b, b);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                permuted.set(i, j, s.get(i, perm[j]));
            }
        }
        DMatrixRMaj c = cost.cost(s), cp = cost.cost(permuted);
        double most = 0, mean = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double d = Math.abs(cp.get(i, j) - c.get(i, perm[j]));
                most = Math.max(most, d);
                mean += d / (b * b);
            }
        }
        double offSymmetric = Double.NaN;
        if (cost instanceof RowLinearCost rl) {
            offSymmetric = offEquivariant(rl.weight());
        }
        double diagClean = 0, other = 0;
        int nClean = 0;
        for (int i = 0; i < b; i++) {
            if (flags[i] == 0) {
                diagClean += c.get(i, i);
                nClean++;
            }
            for (int j = 0; j < b; j++) {
                other += i == j ? 0 : c.get(i, j) / (b * (b - 1.0));
            }
        }
        System.out.printf("%-10s %8.0e %6d | %12.3e %12.3e %10.3e | %10.4f %10.4f | %10.4f %10.4f%n", cost.name(), lr, steps,
                most, mean, offSymmetric, rank(c, flags, 0), rank(c, flags, 1), diagClean / nClean, other);
    }

    /** ||W - (a I + c 11^T)||_F / ||W||_F for the least-squares a, c: the share of W that is not equivariant. */
    static double offEquivariant(DMatrixRMaj w) {
        int b = w.numRows;
        double diag = 0, off = 0, total = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double v = w.get(i, j);
                total += v * v;
                if (i == j) {
                    diag += v;
                } else {
                    off += v;
                }
            }
        }
        double cOff = off / (b * (b - 1.0)), aPlusC = diag / b;
        double resid = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double fit = i == j ? aPlusC : cOff;
                resid += (w.get(i, j) - fit) * (w.get(i, j) - fit);
            }
        }
        return Math.sqrt(resid / total);
    }

    /** Mean over the pairs with the given flag of the share of other captions that cost more than the given one. */
    static double rank(DMatrixRMaj c, double[] flags, double flag) {
        int b = c.numRows, count = 0;
        double sum = 0;
        for (int i = 0; i < b; i++) {
            if (flags[i] != flag) {
                continue;
            }
            int above = 0;
            for (int j = 0; j < b; j++) {
                if (j != i && c.get(i, j) > c.get(i, i)) {
                    above++;
                }
            }
            sum += above / (b - 1.0);
            count++;
        }
        return sum / count;
    }
}

import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.io.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;

/**
 * Writes the bundled data of data-small/ (see README.md there). Deterministic from its seeds.
 * Run from the project root after `mvn -q package -DskipTests`:
 *   java -cp "target/classes:target/lib/*" data-small/MakeDataSmall.java
 */
public class MakeDataSmall {

    static final int DIM = 32;

    public static void main(String[] args) throws Exception {
        Path root = Path.of("data-small");
        batch(root.resolve("batch128-pmp20"), 128, 0.2, 20261126L);
        eval(root.resolve("eval100x500"), 100, 5, 20261127L);
    }

    /** A training batch: image i and caption i share a latent concept, except for the mismatched pairs. */
    static void batch(Path dir, int n, double noiseRate, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] concept = gaussian(r, n, DIM, 1.0);
        double[][] img = perturb(r, concept, 1.2);
        double[][] txt = perturb(r, concept, 1.2);
        // Mismatch a fraction of the pairs: a random derangement of their captions.
        int m = (int) Math.round(noiseRate * n);
        int[] idx = sample(r, n, m);
        int[] perm = derangement(r, m);
        double[][] shuffled = txt.clone();
        double[] mismatched = new double[n];
        double[] trueCaption = new double[n]; // where image i's own caption sits after the shuffle
        for (int i = 0; i < n; i++) {
            trueCaption[i] = i;
        }
        for (int k = 0; k < m; k++) {
            shuffled[idx[k]] = txt[idx[perm[k]]];
            mismatched[idx[k]] = 1;
            trueCaption[idx[perm[k]]] = idx[k];
        }
        Files.createDirectories(dir);
        Npy.writeMatrix(dir.resolve("scores.npy"), cosine(img, shuffled));
        Npy.write(dir.resolve("mismatched.npy"), NpyArray.of(new int[] {n}, mismatched, DType.INT64));
        Npy.write(dir.resolve("true_caption.npy"), NpyArray.of(new int[] {n}, trueCaption, DType.INT64));
    }

    /** An evaluation set: nImages images with k captions each, caption j belongs to image j / k. */
    static void eval(Path dir, int nImages, int k, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] concept = gaussian(r, nImages, DIM, 1.0);
        double[][] img = perturb(r, concept, 1.3);
        double[][] txt = new double[nImages * k][];
        for (int j = 0; j < nImages * k; j++) {
            txt[j] = perturb(r, new double[][] {concept[j / k]}, 1.8)[0];
        }
        Files.createDirectories(dir);
        Npy.writeMatrix(dir.resolve("sims.npy"), cosine(img, txt));
    }

    static double[][] gaussian(SplittableRandom r, int n, int d, double sd) {
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int c = 0; c < d; c++) {
                row[c] = sd * r.nextGaussian();
            }
        }
        return x;
    }

    static double[][] perturb(SplittableRandom r, double[][] x, double sd) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
            for (int c = 0; c < y[i].length; c++) {
                y[i][c] += sd * r.nextGaussian();
            }
        }
        return y;
    }

    static DMatrixRMaj cosine(double[][] a, double[][] b) {
        DMatrixRMaj s = new DMatrixRMaj(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                double dot = 0, na = 0, nb = 0;
                for (int c = 0; c < a[i].length; c++) {
                    dot += a[i][c] * b[j][c];
                    na += a[i][c] * a[i][c];
                    nb += b[j][c] * b[j][c];
                }
                s.set(i, j, dot / Math.sqrt(na * nb));
            }
        }
        return s;
    }

    static int[] sample(SplittableRandom r, int n, int m) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int t = 0; t < m; t++) {
            int p = t + r.nextInt(n - t);
            int tmp = all[t];
            all[t] = all[p];
            all[p] = tmp;
        }
        return java.util.Arrays.copyOf(all, m);
    }

    /** A uniformly random permutation without fixed points (rejection sampling). */
    static int[] derangement(SplittableRandom r, int m) {
        while (true) {
            int[] p = sample(r, m, m);
            boolean ok = true;
            for (int k = 0; k < m; k++) {
                ok &= p[k] != k;
            }
            if (ok) {
                return p;
            }
        }
    }
}

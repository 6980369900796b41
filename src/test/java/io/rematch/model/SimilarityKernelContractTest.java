package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL similarity kernel against the CPU's float64 product of the same float inputs. The
 * tolerance is the classical bound for a float32 dot product of length d, \(|\hat s - s| \le
 * \gamma_d \sum_k |x_k y_k|\) with \(\gamma_d = d u / (1 - d u)\), \(u = 2^{-24}\): it scales
 * with the problem and cannot be met by a wrong kernel (the error it allows is far below one
 * term).
 */
class SimilarityKernelContractTest {

    static final long SEED = 20261203L;

    @Test
    void matchesTheFloat64ProductOnOddShapesWithinTheDotProductBound() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {64, 64, 16}, {65, 63, 17}, {130, 70, 100}, {200, 129, 384}, {7, 300, 0}};
        for (int[] sh : shapes) {
            int n = sh[0], m = sh[1], d = sh[2];
            float[] x = random(r, n * d);
            float[] y = random(r, m * d);
            float[] s = new DeviceSimilarities(dev).compute(x, n, y, m, d);
            assertEquals(n * m, s.length);
            check(x, y, n, m, d, s, 0, n);
        }
    }

    /** The CPU's float32 product ({@code sgemm}) against its float64 one: the same bound, no device needed. */
    @Test
    void theCpusFloat32ProductMeetsTheSameBound() {
        Random r = new Random(SEED + 2);
        int[][] shapes = {{1, 1, 1}, {65, 63, 17}, {200, 129, 384}};
        for (int[] sh : shapes) {
            int n = sh[0], m = sh[1], d = sh[2];
            float[] x = random(r, n * d);
            float[] y = random(r, m * d);
            check(x, y, n, m, d, Blas.similarities(x, n, y, m, d), 0, n);
        }
    }

    @Test
    void blocksOfRowsGiveTheWholeMatrix() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 150, m = 90, d = 33;
        float[] x = random(r, n * d);
        float[] y = random(r, m * d);
        float[] whole = new DeviceSimilarities(dev).compute(x, n, y, m, d);
        List<Integer> starts = new ArrayList<>();
        float[] joined = new float[n * m];
        new DeviceSimilarities(dev).blocks(x, n, y, m, d, 40, (from, rows, block) -> {
            starts.add(from);
            assertTrue(rows <= 40 && block.length == rows * m);
            System.arraycopy(block, 0, joined, from * m, rows * m);
        });
        assertEquals(List.of(0, 40, 80, 120), starts);
        assertArrayEquals(whole, joined, "a block's rows are computed exactly as in the whole matrix");
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int k = 0; k < n; k++) {
            a[k] = (float) r.nextGaussian();
        }
        return a;
    }

    static void check(float[] x, float[] y, int n, int m, int d, float[] s, int from, int rows) {
        double u = Math.ulp(1.0f) / 2;
        double gamma = d * u / (1 - d * u);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < m; j++) {
                double exact = 0;
                double abs = 0;
                for (int k = 0; k < d; k++) {
                    double t = (double) x[(from + i) * d + k] * y[j * d + k];
                    exact += t;
                    abs += Math.abs(t);
                }
                double err = Math.abs(s[i * m + j] - exact);
                // + the final rounding of the float result itself
                double allowed = gamma * abs + Math.ulp((float) exact);
                if (err > allowed) {
                    throw new AssertionError("S[" + (from + i) + "][" + j + "] of " + n + " x " + m + " x " + d + " = "
                            + s[i * m + j] + ", float64 gives " + exact + ": error " + err + " > " + allowed);
                }
            }
        }
    }
}

package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The towers' products ({@link Tensor#multiply}), cut into calls of {@link Tensor#PRODUCT_ROWS}
 * rows where netlib's {@code VectorBLAS} is slow: every transposition, with offsets and leading
 * dimensions wider than the matrices, against dot products written out.
 */
class TensorProductTest {

    @Test
    void onlyLargeProductsAreCut() {
        assertEquals(513, Tensor.rowsPerProduct(513, 1023, 4096), "n below 1024");
        assertEquals(4096, Tensor.rowsPerProduct(4096, 2048, 512), "k below 1024: a step at batch 512");
        assertEquals(512, Tensor.rowsPerProduct(512, 2048, 2048), "m not above 512");
        assertEquals(Tensor.PRODUCT_ROWS, Tensor.rowsPerProduct(1024, 2048, 1024), "the first layer's weight gradient at batch 1,024");
        assertEquals(1, Tensor.rowsPerProduct(0, 0, 0));
    }

    @Test
    void cutProductsAreTheProductInEveryTransposition() {
        long seed = 20261204L;
        System.out.println("TensorProductTest: seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int m = 1100;      // three calls: 512, 512, 76 rows
        int n = 1024;
        int k = 1024;
        int pad = 3;
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                // op(A) is m x k, op(B) is k x n, all row-major with wider rows and an offset
                int aRows = transA ? k : m;
                int aCols = transA ? m : k;
                int bRows = transB ? n : k;
                int bCols = transB ? k : n;
                int lda = aCols + pad;
                int ldb = bCols + pad;
                int ldc = n + pad;
                int offA = 5;
                int offB = 7;
                int offC = 11;
                double[] a = new double[offA + aRows * lda];
                double[] b = new double[offB + bRows * ldb];
                double[] c0 = new double[offC + m * ldc];
                for (int q = 0; q < a.length; q++) {
                    a[q] = r.nextDouble(-1, 1);
                }
                for (int q = 0; q < b.length; q++) {
                    b[q] = r.nextDouble(-1, 1);
                }
                for (int q = 0; q < c0.length; q++) {
                    c0[q] = r.nextDouble(-1, 1);
                }
                float[] af = narrow(a);
                float[] bf = narrow(b);
                Tensor.F64 c64 = new Tensor.F64(c0.clone());
                Tensor.F32 c32 = new Tensor.F32(narrow(c0));
                c64.multiply(transA, transB, m, n, k, new Tensor.F64(a), offA, lda, new Tensor.F64(b), offB, ldb, 1.0,
                        offC, ldc);
                c32.multiply(transA, transB, m, n, k, new Tensor.F32(af), offA, lda, new Tensor.F32(bf), offB, ldb, 1.0,
                        offC, ldc);
                // entries of every call's block, the first and last rows and columns among them
                int[] rows = {0, 1, 511, 512, 513, 1023, 1024, m - 1, r.nextInt(m), r.nextInt(m)};
                int[] cols = {0, n - 1, r.nextInt(n), r.nextInt(n)};
                for (int i : rows) {
                    for (int j : cols) {
                        double dot = c0[offC + i * ldc + j];
                        double dotF = (float) c0[offC + i * ldc + j];
                        for (int p = 0; p < k; p++) {
                            int ai = transA ? offA + p * lda + i : offA + i * lda + p;
                            int bi = transB ? offB + j * ldb + p : offB + p * ldb + j;
                            dot += a[ai] * b[bi];
                            dotF += (double) af[ai] * bf[bi];
                        }
                        String where = (transA ? "T" : "N") + (transB ? "T" : "N") + " entry " + i + ", " + j;
                        assertEquals(dot, c64.a[offC + i * ldc + j], 1e-11, where + " (float64)");
                        assertEquals(dotF, c32.a[offC + i * ldc + j], 4e-4, where + " (float32)");
                    }
                }
                // the padding between rows and before the offset untouched
                assertEquals(c0[offC - 1], c64.a[offC - 1]);
                assertEquals(c0[offC + n], c64.a[offC + n], "the first row's padding");
                assertEquals((float) c0[offC + (m - 1) * ldc + n], c32.a[offC + (m - 1) * ldc + n], "the last row's padding");
            }
        }
    }

    private static float[] narrow(double[] v) {
        float[] f = new float[v.length];
        for (int q = 0; q < v.length; q++) {
            f[q] = (float) v[q];
        }
        return f;
    }
}

package io.rematch.model;

import dev.ludovic.netlib.blas.BLAS;
import io.rematch.data.Features;

/**
 * A flat row-major buffer in the model's {@link Precision}, and the few operations the layers
 * need on it, each written once per precision: matrix products (BLAS), bias rows, ReLU, row
 * normalisation and its backward pass, conversions. The layers ({@link Linear}, {@link Tower})
 * are written once against this class.
 *
 * <p>Matrix products are row-major \(C \leftarrow op(A)\,op(B) + \beta C\) through
 * {@code dev.ludovic.netlib:blas} (Spark's BLAS: the Vector API in pure Java under
 * {@code --add-modules jdk.incubator.vector}; deliberately never a native BLAS, see
 * {@link #BLAS_INSTANCE}), on all cores with the bits of one call ({@link Products}). BLAS is column-major;
 * a row-major matrix is its column-major transpose, so \(C = op(A)\,op(B)\) is computed as
 * \(C^T = op(B)^T op(A)^T\): the operands swap, the transpose flags stay.
 */
abstract sealed class Tensor permits Tensor.F64, Tensor.F32 {

    /**
     * netlib logs at WARNING that it found no native BLAS on every start where none is installed:
     * not news for a pure-Java default. Held strongly so that the level sticks.
     */
    @SuppressWarnings("unused")
    private static final java.util.logging.Logger QUIET = quiet();

    /**
     * Always the pure-Java BLAS (the Vector API's {@code VectorBLAS}, else {@code Java11BLAS}),
     * never a native one, even where one is installed. With Debian's serial OpenBLAS
     * ({@code libopenblas0-serial}, which netlib's {@code BLAS.getInstance()} picks up when present)
     * runs trained in parallel by {@code rematch experiment} differed from the same runs trained
     * alone, about one run in five (6 of 32 in each of three tests of 4 x 8 runs; 0 of 32 with the pure-Java
     * BLAS). The products alone, repeated from two threads or at shifted addresses, agreed, so the
     * mechanism was not pinned down; and a native BLAS also rounds differently from machine to
     * machine, so a run would not reproduce from its seed elsewhere. (The Vector API's sums depend
     * on the CPU's vector width too: runs reproduce across machines of the same width, e.g. two
     * AVX-512 machines, not between an AVX-512 and an AVX2 one.) {@code REMATCH_BLAS=native}
     * opts in to netlib's choice (a native BLAS where installed: about 2.4x faster training here)
     * for those who trade that reproducibility for speed.
     */
    static final BLAS BLAS_INSTANCE = "native".equals(System.getenv("REMATCH_BLAS"))
            ? BLAS.getInstance() : dev.ludovic.netlib.blas.JavaBLAS.getInstance();

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
        l.setLevel(java.util.logging.Level.SEVERE);
        return l;
    }

    /** Rows of {@code C} per BLAS call when a product is cut ({@link #rowsPerProduct}). */
    static final int PRODUCT_ROWS = 512;

    /**
     * How many rows of a row-major {@code m x n} product with inner dimension {@code k} one BLAS
     * call computes: all of them, except for a product of at least 512 x 1024 x 1024 in which
     * {@code m} exceeds 512, cut into calls of {@link #PRODUCT_ROWS} rows. {@code VectorBLAS}
     * (netlib 3.0.4) falls off a cliff on such shapes when they are powers of two: on this
     * project's 2-core machine its {@code sgemm} computed a 1024 x 2048 x 1024 weight gradient
     * (a Flickr30K-sized tower's first layer at batch 1,024) at 2.3 GFLOP/s, against 38.7 at
     * batch 768 and 40.9 for the same product in two calls of 512 rows; a training step at batch
     * 1,024 took 2.84 s against 256 ms at 512. Cutting changes the sums' order inside the BLAS (a
     * product cut in two does not give the same bits), which is why only products that large
     * are cut: every step at batch 512 or less, and every product of the towers in this
     * project's tests and results, is computed as before, to the bit.
     */
    static int rowsPerProduct(int m, int n, int k) {
        return m > PRODUCT_ROWS && n >= 1024 && k >= 1024 ? PRODUCT_ROWS : Math.max(m, 1);
    }

    abstract int length();

    /**
     * {@code this[offC..] = op(A) op(B) + beta this}, row-major, {@code m x n}, inner dimension
     * {@code k}; {@code a} and {@code b} of the same precision.
     */
    abstract void multiply(boolean transA, boolean transB, int m, int n, int k, Tensor a, int offA, int lda,
                           Tensor b, int offB, int ldb, double beta, int offC, int ldc);

    /** Every one of {@code rows} rows of width {@code cols} set to {@code bias[off..off+cols)}. */
    abstract void fillRows(Tensor bias, int off, int rows, int cols);

    /** {@code g[off + c] += sum_r this[r * cols + c]}. */
    abstract void addColumnSums(int rows, int cols, Tensor g, int off);

    /** {@code max(x, 0)} on the first {@code n} entries, in place. */
    abstract void relu(int n);

    /** Zeroes the entries of {@code this} where {@code activation <= 0} (ReLU's derivative). */
    abstract void maskWhereNotPositive(Tensor activation, int n);

    /** {@code out = this / (||row|| + eps)} row by row; the norms into {@code norms}. */
    abstract void normaliseRows(int rows, int cols, double eps, double[] norms, Tensor out);

    /**
     * The backward pass of {@link #normaliseRows} with {@code this} the input rows \(x\):
     * {@code dz = g / (n + eps) - x (x.g) / ((n + eps)^2 n)}, 0 coefficient where {@code n = 0}.
     */
    abstract void normaliseRowsBackward(int rows, int cols, double eps, double[] norms, Tensor g, Tensor dz);

    /** The rows {@code index[0..count)} of {@code f}, row-major, into this buffer. */
    abstract void gather(Features f, int[] index, int count);

    /** The rows {@code from..from+count} of {@code f} into this buffer. */
    abstract void copyRows(Features f, int from, int count);

    /** {@code this[dst..dst+n) = src[from..from+n)} converted. */
    abstract void copyFrom(double[] src, int from, int dst, int n);

    /** {@code out[to..to+n) = this[from..from+n)} widened. */
    abstract void copyTo(int from, double[] out, int to, int n);

    abstract void zero(int n);

    /** float64. */
    static final class F64 extends Tensor {
        final double[] a;

        F64(double[] a) {
            this.a = a;
        }

        @Override
        int length() {
            return a.length;
        }

        @Override
        void multiply(boolean transA, boolean transB, int m, int n, int k, Tensor x, int offA, int lda, Tensor y,
                      int offB, int ldb, double beta, int offC, int ldc) {
            Products.multiply(transA, transB, m, n, k, ((F64) x).a, offA, lda, ((F64) y).a, offB, ldb, beta, a, offC,
                    ldc);
        }

        @Override
        void fillRows(Tensor bias, int off, int rows, int cols) {
            double[] b = ((F64) bias).a;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(b, off, a, r * cols, cols);
            }
        }

        @Override
        void addColumnSums(int rows, int cols, Tensor g, int off) {
            double[] t = ((F64) g).a;
            for (int r = 0; r < rows; r++) {
                for (int c = 0, row = r * cols; c < cols; c++) {
                    t[off + c] += a[row + c];
                }
            }
        }

        @Override
        void relu(int n) {
            for (int k = 0; k < n; k++) {
                a[k] = Math.max(a[k], 0);
            }
        }

        @Override
        void maskWhereNotPositive(Tensor activation, int n) {
            double[] act = ((F64) activation).a;
            for (int k = 0; k < n; k++) {
                if (act[k] <= 0) {
                    a[k] = 0;
                }
            }
        }

        @Override
        void normaliseRows(int rows, int cols, double eps, double[] norms, Tensor out) {
            double[] o = ((F64) out).a;
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += a[base + c] * a[base + c];
                }
                double n = Math.sqrt(s);
                norms[r] = n;
                double scale = 1 / (n + eps);
                for (int c = 0; c < cols; c++) {
                    o[base + c] = a[base + c] * scale;
                }
            }
        }

        @Override
        void normaliseRowsBackward(int rows, int cols, double eps, double[] norms, Tensor g, Tensor dz) {
            double[] gr = ((F64) g).a;
            double[] d = ((F64) dz).a;
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                double n = norms[r];
                double denom = n + eps;
                double xg = 0;
                for (int c = 0; c < cols; c++) {
                    xg += a[base + c] * gr[base + c];
                }
                double coefficient = n > 0 ? xg / (denom * denom * n) : 0;
                for (int c = 0; c < cols; c++) {
                    d[base + c] = gr[base + c] / denom - a[base + c] * coefficient;
                }
            }
        }

        @Override
        void gather(Features f, int[] index, int count) {
            f.gather(index, 0, count, a);
        }

        @Override
        void copyRows(Features f, int from, int count) {
            f.copyRows(from, count, a);
        }

        @Override
        void copyFrom(double[] src, int from, int dst, int n) {
            System.arraycopy(src, from, a, dst, n);
        }

        @Override
        void copyTo(int from, double[] out, int to, int n) {
            System.arraycopy(a, from, out, to, n);
        }

        @Override
        void zero(int n) {
            java.util.Arrays.fill(a, 0, n, 0);
        }
    }

    /** float32: products by {@code sgemm}; sums of squares and dot products accumulate in double. */
    static final class F32 extends Tensor {
        final float[] a;

        F32(float[] a) {
            this.a = a;
        }

        @Override
        int length() {
            return a.length;
        }

        @Override
        void multiply(boolean transA, boolean transB, int m, int n, int k, Tensor x, int offA, int lda, Tensor y,
                      int offB, int ldb, double beta, int offC, int ldc) {
            Products.multiply(transA, transB, m, n, k, ((F32) x).a, offA, lda, ((F32) y).a, offB, ldb, (float) beta, a,
                    offC, ldc);
        }

        @Override
        void fillRows(Tensor bias, int off, int rows, int cols) {
            float[] b = ((F32) bias).a;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(b, off, a, r * cols, cols);
            }
        }

        @Override
        void addColumnSums(int rows, int cols, Tensor g, int off) {
            float[] t = ((F32) g).a;
            for (int r = 0; r < rows; r++) {
                for (int c = 0, row = r * cols; c < cols; c++) {
                    t[off + c] += a[row + c];
                }
            }
        }

        @Override
        void relu(int n) {
            for (int k = 0; k < n; k++) {
                a[k] = Math.max(a[k], 0f);
            }
        }

        @Override
        void maskWhereNotPositive(Tensor activation, int n) {
            float[] act = ((F32) activation).a;
            for (int k = 0; k < n; k++) {
                if (act[k] <= 0) {
                    a[k] = 0;
                }
            }
        }

        @Override
        void normaliseRows(int rows, int cols, double eps, double[] norms, Tensor out) {
            float[] o = ((F32) out).a;
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += (double) a[base + c] * a[base + c];
                }
                double n = Math.sqrt(s);
                norms[r] = n;
                double scale = 1 / (n + eps);
                for (int c = 0; c < cols; c++) {
                    o[base + c] = (float) (a[base + c] * scale);
                }
            }
        }

        @Override
        void normaliseRowsBackward(int rows, int cols, double eps, double[] norms, Tensor g, Tensor dz) {
            float[] gr = ((F32) g).a;
            float[] d = ((F32) dz).a;
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                double n = norms[r];
                double denom = n + eps;
                double xg = 0;
                for (int c = 0; c < cols; c++) {
                    xg += (double) a[base + c] * gr[base + c];
                }
                double coefficient = n > 0 ? xg / (denom * denom * n) : 0;
                for (int c = 0; c < cols; c++) {
                    d[base + c] = (float) (gr[base + c] / denom - a[base + c] * coefficient);
                }
            }
        }

        @Override
        void gather(Features f, int[] index, int count) {
            f.gather(index, 0, count, a);
        }

        @Override
        void copyRows(Features f, int from, int count) {
            f.copyRows(from, count, a);
        }

        @Override
        void copyFrom(double[] src, int from, int dst, int n) {
            for (int k = 0; k < n; k++) {
                a[dst + k] = (float) src[from + k];
            }
        }

        @Override
        void copyTo(int from, double[] out, int to, int n) {
            for (int k = 0; k < n; k++) {
                out[to + k] = a[from + k];
            }
        }

        @Override
        void zero(int n) {
            java.util.Arrays.fill(a, 0, n, 0f);
        }
    }
}

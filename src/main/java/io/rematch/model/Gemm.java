package io.rematch.model;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major matrix products \(C \leftarrow \alpha\, op(A)\, op(B) + \beta C\) through
 * {@code dev.ludovic.netlib:blas} (Spark's BLAS: the Vector API in pure Java when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, a native BLAS when one is installed, plain Java
 * loops otherwise).
 *
 * <p>BLAS is column-major; a row-major matrix is its column-major transpose, so
 * \(C = op(A)\,op(B)\) is computed as \(C^T = op(B)^T op(A)^T\): the operands swap, the
 * transpose flags stay. Each matrix is a {@code double[]} with an offset and its row stride
 * (the number of columns it is stored with).
 */
final class Gemm {

    /**
     * netlib logs at WARNING that it found no native BLAS, on every start where none is installed:
     * not news for a pure-Java default. Held strongly so the level sticks.
     */
    private static final java.util.logging.Logger QUIET = quiet();

    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
        l.setLevel(java.util.logging.Level.SEVERE);
        return l;
    }

    private Gemm() {
    }

    /**
     * \(C_{m \times n} \leftarrow \alpha\, op(A)\, op(B) + \beta C\), row-major.
     *
     * @param transA whether \(op(A) = A^T\) ({@code A} stored {@code k x m}) or \(A\) ({@code m x k})
     * @param transB whether \(op(B) = B^T\) ({@code B} stored {@code n x k}) or \(B\) ({@code k x n})
     * @param lda    row stride of {@code A} as stored
     * @param ldb    row stride of {@code B} as stored
     * @param ldc    row stride of {@code C}
     */
    static void multiply(boolean transA, boolean transB, int m, int n, int k, double alpha,
                         double[] a, int offA, int lda, double[] b, int offB, int ldb,
                         double beta, double[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, offB, ldb, a, offA, lda,
                beta, c, offC, ldc);
    }

    /** Which implementation runs (for reports): e.g. {@code VectorBLAS}. */
    static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }
}

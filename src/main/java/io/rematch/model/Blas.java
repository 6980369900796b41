package io.rematch.model;

/**
 * The BLAS the CPU's matrix products go through ({@code dev.ludovic.netlib:blas}), for the
 * products outside the layers: the float32 similarity matrix, and the name of the implementation
 * that a benchmark reports.
 */
public final class Blas {

    private Blas() {
    }

    /**
     * The implementation's class name: {@code VectorBLAS} (the Vector API) or {@code Java11BLAS};
     * a native one ({@code JNIBLAS}) only under {@code REMATCH_BLAS=native}.
     */
    public static String implementation() {
        return Tensor.BLAS_INSTANCE.getClass().getSimpleName();
    }

    /** \(S = X Y^T\) in float32 ({@code sgemm}), {@code n x m} row-major, of {@code x} ({@code n x d}) and {@code y} ({@code m x d}). */
    public static float[] similarities(float[] x, int n, float[] y, int m, int d) {
        if (x.length != (long) n * d || y.length != (long) m * d) {
            throw new IllegalArgumentException("x has " + x.length + " values and y " + y.length + ", expected "
                    + n + " x " + d + " and " + m + " x " + d);
        }
        float[] s = new float[n * m];
        if (n > 0 && m > 0) {
            Products.similarities(n, m, d, x, Math.max(1, d), y, Math.max(1, d), s);
        }
        return s;
    }
}

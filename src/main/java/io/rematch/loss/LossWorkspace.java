package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * Work buffers a loss reuses from one call to the next: the gradient and two \(N \times M\)
 * scratch arrays, grown as needed and never shrunk. A training loop keeps one per loss (or per
 * thread) and evaluates thousands of batches without allocating \(N^2\) arrays each time.
 *
 * <p>The {@link LossValue#gradient()} a loss returns is this workspace's gradient buffer: copy it
 * if it must outlive the next call. Not thread-safe.
 */
public final class LossWorkspace {

    private final DMatrixRMaj gradient = new DMatrixRMaj(1, 1);
    private double[] first = new double[0];
    private double[] second = new double[0];

    /** An empty workspace; the first call sizes it. */
    public LossWorkspace() {
    }

    /** The gradient buffer as a zero {@code rows x cols} matrix. */
    DMatrixRMaj gradient(int rows, int cols) {
        gradient.reshape(rows, cols, false);
        java.util.Arrays.fill(gradient.data, 0, rows * cols, 0.0);
        return gradient;
    }

    /** A scratch array of at least {@code size} entries (contents undefined). */
    double[] first(int size) {
        if (first.length < size) {
            first = new double[size];
        }
        return first;
    }

    /** A second scratch array, distinct from {@link #first(int)}. */
    double[] second(int size) {
        if (second.length < size) {
            second = new double[size];
        }
        return second;
    }
}

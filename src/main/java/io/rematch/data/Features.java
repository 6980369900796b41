package io.rematch.data;

/**
 * A matrix of feature vectors, one row per image or caption, row-major, in the precision its file
 * had: float32 files stay {@code float} in memory (half the bytes), float64 files {@code double}.
 * Exactly one of the two arrays is present. Immutable by convention: the arrays are shared, not
 * copied, and never written after construction.
 */
public final class Features {

    private final int rows;
    private final int cols;
    private final float[] floats;
    private final double[] doubles;

    private Features(int rows, int cols, float[] floats, double[] doubles) {
        this.rows = rows;
        this.cols = cols;
        this.floats = floats;
        this.doubles = doubles;
    }

    /** {@code rows x cols} float32 values, row-major (not copied). */
    public static Features ofFloats(int rows, int cols, float[] values) {
        check(rows, cols, values == null ? -1 : values.length);
        return new Features(rows, cols, values, null);
    }

    /** {@code rows x cols} float64 values, row-major (not copied). */
    public static Features ofDoubles(int rows, int cols, double[] values) {
        check(rows, cols, values == null ? -1 : values.length);
        return new Features(rows, cols, null, values);
    }

    private static void check(int rows, int cols, long length) {
        if (rows < 0 || cols < 1 || length != (long) rows * cols) {
            throw new IllegalArgumentException("features must hold rows x cols = " + rows + " x " + cols
                    + " values, got " + (length < 0 ? "none" : length));
        }
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Whether the values are held as float32. */
    public boolean isFloat32() {
        return floats != null;
    }

    /** One value. */
    public double get(int row, int col) {
        int k = row * cols + col;
        return floats != null ? floats[k] : doubles[k];
    }

    /**
     * Copies the rows {@code index[0..count)} into {@code out} (row-major, {@code count x cols}),
     * widening float32 to float64: the batch a model reads.
     */
    public void gather(int[] index, int from, int count, double[] out) {
        for (int r = 0; r < count; r++) {
            int src = index[from + r] * cols;
            int dst = r * cols;
            if (floats != null) {
                for (int c = 0; c < cols; c++) {
                    out[dst + c] = floats[src + c];
                }
            } else {
                System.arraycopy(doubles, src, out, dst, cols);
            }
        }
    }

    /** As {@link #gather(int[], int, int, double[])} for the rows {@code from..from+count}. */
    public void copyRows(int from, int count, double[] out) {
        if (floats != null) {
            for (int k = 0, n = count * cols, src = from * cols; k < n; k++) {
                out[k] = floats[src + k];
            }
        } else {
            System.arraycopy(doubles, from * cols, out, 0, count * cols);
        }
    }

    /** As {@link #gather(int[], int, int, double[])} into float32 (rounding float64 values). */
    public void gather(int[] index, int from, int count, float[] out) {
        for (int r = 0; r < count; r++) {
            int src = index[from + r] * cols;
            int dst = r * cols;
            if (floats != null) {
                System.arraycopy(floats, src, out, dst, cols);
            } else {
                for (int c = 0; c < cols; c++) {
                    out[dst + c] = (float) doubles[src + c];
                }
            }
        }
    }

    /** As {@link #copyRows(int, int, double[])} into float32 (rounding float64 values). */
    public void copyRows(int from, int count, float[] out) {
        if (floats != null) {
            System.arraycopy(floats, from * cols, out, 0, count * cols);
        } else {
            for (int k = 0, n = count * cols, src = from * cols; k < n; k++) {
                out[k] = (float) doubles[src + k];
            }
        }
    }

    /** The rows {@code index} as a new matrix of the same precision. */
    public Features select(int[] index) {
        if (floats != null) {
            float[] out = new float[index.length * cols];
            for (int r = 0; r < index.length; r++) {
                System.arraycopy(floats, index[r] * cols, out, r * cols, cols);
            }
            return ofFloats(index.length, cols, out);
        }
        double[] out = new double[index.length * cols];
        for (int r = 0; r < index.length; r++) {
            System.arraycopy(doubles, index[r] * cols, out, r * cols, cols);
        }
        return ofDoubles(index.length, cols, out);
    }

    /** The first row holding a NaN or infinity, or -1. */
    public int firstNonFiniteRow() {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (!Double.isFinite(get(r, c))) {
                    return r;
                }
            }
        }
        return -1;
    }

    /** The values as float32 (a copy when they are held as float64, rounded). */
    public float[] toFloats() {
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[doubles.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) doubles[k];
        }
        return out;
    }

    @Override
    public String toString() {
        return rows + " x " + cols + (floats != null ? " float32" : " float64");
    }
}

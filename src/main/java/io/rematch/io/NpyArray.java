package io.rematch.io;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * An immutable n-dimensional array as stored in a {@code .npy} file: a shape, a {@link DType} and
 * the elements in C (row-major) order converted to {@code double}.
 *
 * <p>Any rank is allowed, including rank 0 (a NumPy scalar, shape {@code ()}, one element) and
 * dimensions of length 0. The values always fit the dtype: float32 arrays hold float-rounded
 * values and integer dtypes hold integers in range (int64 within &plusmn;2<sup>53</sup>), so that
 * {@code Npy.read(Npy.write(a))} equals {@code a}. Accessors return copies.
 *
 * <p>Equality compares shape, dtype and values bit for bit (NaN equals NaN, 0.0 differs from -0.0),
 * the notion a file round trip preserves.
 */
public final class NpyArray {

    private final int[] shape;
    private final DType dtype;
    private final double[] data;

    private NpyArray(int[] shape, double[] data, DType dtype) {
        this.shape = shape;
        this.data = data;
        this.dtype = dtype;
    }

    /**
     * An array of the given shape, values and dtype (both arrays are copied).
     *
     * @param shape dimensions, each {@code >= 0}; {@code new int[0]} for a scalar
     * @param data  the elements in C order; its length must be the product of {@code shape}
     * @param dtype how the values are stored; values must fit it (float32 values are rounded)
     * @throws IllegalArgumentException naming {@code shape}, {@code data} or {@code dtype}
     */
    public static NpyArray of(int[] shape, double[] data, DType dtype) {
        if (shape == null) {
            throw new IllegalArgumentException("shape is missing; use new int[0] for a scalar");
        }
        if (data == null) {
            throw new IllegalArgumentException("data is missing");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is missing; expected one of "
                    + Arrays.toString(DType.values()));
        }
        long size = 1;
        boolean huge = false; // the product exceeds 2^31-1 (unless a later dimension is 0)
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("shape[" + d + "] is " + shape[d]
                        + " in shape " + shapeText(shape) + "; dimensions must be >= 0");
            }
            size *= shape[d];
            if (size > Integer.MAX_VALUE) {
                huge = true;
                size = 1; // keep multiplying in range; only a 0 dimension can still matter
            }
        }
        if (size == 0) {
            huge = false;
        }
        if (huge || size != data.length) {
            throw new IllegalArgumentException("shape " + shapeText(shape) + " holds "
                    + (huge ? "more than 2^31-1" : String.valueOf(size))
                    + " elements but data has " + data.length);
        }
        double[] copy = new double[data.length];
        for (int k = 0; k < data.length; k++) {
            String problem = dtype.problem(data[k]);
            if (problem != null) {
                throw new IllegalArgumentException("data[" + k + "] = " + data[k] + " " + problem);
            }
            copy[k] = dtype.coerce(data[k]);
        }
        return new NpyArray(shape.clone(), copy, dtype);
    }

    /** A float64 matrix with the shape {@code (numRows, numCols)} of {@code m} (its data is copied). */
    public static NpyArray of(DMatrixRMaj m) {
        if (m == null) {
            throw new IllegalArgumentException("matrix is missing");
        }
        return new NpyArray(new int[] {m.numRows, m.numCols},
                Arrays.copyOf(m.data, m.numRows * m.numCols), DType.FLOAT64);
    }

    /** A float64 vector, shape {@code (n,)} (the values are copied). */
    public static NpyArray vector(double[] values) {
        if (values == null) {
            throw new IllegalArgumentException("values is missing");
        }
        return new NpyArray(new int[] {values.length}, values.clone(), DType.FLOAT64);
    }

    /** A float64 scalar, shape {@code ()} (what {@code np.save(f, np.float64(x))} writes). */
    public static NpyArray scalar(double value) {
        return new NpyArray(new int[0], new double[] {value}, DType.FLOAT64);
    }

    /** Wraps arrays the reader built and checked; no copy. */
    static NpyArray wrap(int[] shape, double[] data, DType dtype) {
        return new NpyArray(shape, data, dtype);
    }

    /** The dimensions (a copy); empty for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions; 0 for a scalar. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public int size() {
        return data.length;
    }

    /** The element type in the file. */
    public DType dtype() {
        return dtype;
    }

    /** The elements in C order (a copy): element {@code (i, j, k)} is at {@code (i*d1 + j)*d2 + k}. */
    public double[] data() {
        return data.clone();
    }

    /** The elements without copying, for the writer. */
    double[] dataView() {
        return data;
    }

    /**
     * This array stored as another dtype.
     *
     * @throws IllegalArgumentException naming {@code data[k]} if a value does not fit {@code target}
     */
    public NpyArray as(DType target) {
        return target == dtype ? this : of(shape, data, target);
    }

    /**
     * The array as a {@code rows x cols} matrix (a copy).
     *
     * <p>Only rank 2 is accepted: a rank-1 array could mean a row or a column, and guessing would
     * hide shape mistakes such as passing per-pair scores where a score matrix is expected. Use
     * {@link #toVector(String)} for vectors.
     *
     * @param name what the array is, for the error message (for example {@code "sims"})
     * @throws IllegalArgumentException naming {@code name} and the actual shape unless rank is 2
     */
    public DMatrixRMaj toMatrix(String name) {
        if (shape.length != 2) {
            throw new IllegalArgumentException(name + " must be a 2-D array (rows, cols), got shape "
                    + shapeText(shape) + " " + dtype.descr());
        }
        return new DMatrixRMaj(shape[0], shape[1], true, data);
    }

    /**
     * The elements of a rank-1 array (a copy).
     *
     * @throws IllegalArgumentException naming {@code name} and the actual shape unless rank is 1
     */
    public double[] toVector(String name) {
        if (shape.length != 1) {
            throw new IllegalArgumentException(name + " must be a 1-D array (n,), got shape "
                    + shapeText(shape) + " " + dtype.descr());
        }
        return data.clone();
    }

    /**
     * The elements, flattened in C order, as {@code int}s. Any dtype and rank is accepted as long
     * as every value is an integer in the {@code int} range: NumPy code often stores indices and
     * ranks as float64 (RCL's evaluation does), and they convert exactly.
     *
     * @throws IllegalArgumentException naming {@code name[k]} for the first value that is not an
     *                                  integer in {@code [-2^31, 2^31-1]}
     */
    public int[] toIntArray(String name) {
        int[] out = new int[data.length];
        for (int k = 0; k < data.length; k++) {
            double v = data[k];
            if (!(v == Math.rint(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(name + "[" + k + "] = " + v
                        + " is not an integer in the int range; expected integer-valued entries ("
                        + dtype.descr() + " array of shape " + shapeText(shape) + ")");
            }
            out[k] = (int) v;
        }
        return out;
    }

    /** A shape as Python prints a tuple: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    public static String shapeText(int[] shape) {
        long[] wide = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            wide[d] = shape[d];
        }
        return shapeText(wide);
    }

    static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) {
            if (d > 0) {
                sb.append(", ");
            }
            sb.append(shape[d]);
        }
        if (shape.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NpyArray)) {
            return false;
        }
        NpyArray other = (NpyArray) o;
        return dtype == other.dtype && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    /** Dtype and shape, for example {@code NpyArray(<f8, shape (3, 4))}; the values are left out. */
    @Override
    public String toString() {
        return "NpyArray(" + dtype.descr() + ", shape " + shapeText(shape) + ")";
    }
}

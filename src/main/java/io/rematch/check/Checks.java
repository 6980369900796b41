package io.rematch.check;

import org.ejml.data.DMatrixRMaj;

/**
 * Argument checks shared by every public entry point.
 *
 * <p>Each check throws {@link IllegalArgumentException} with a message that names the argument,
 * the expected shape or range, and what was found, so that a command-line user sees, for
 * example, {@code scores[3,7] is NaN; expected finite values}. Numerical trouble inside a
 * computation is not an argument error and is reported by the result instead.
 */
public final class Checks {

    private Checks() {
    }

    /** Throws unless {@code value} is given (not {@code null}); returns it. */
    public static <T> T present(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return value;
    }

    /** Throws unless {@code value} is finite and strictly positive (temperatures, regularisation). */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** Throws unless {@code value} is finite and non-negative (margins). */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** Throws unless {@code low < value <= high}. */
    public static double inHalfOpen(String name, double value, double low, double high) {
        if (!(value > low && value <= high)) {
            throw new IllegalArgumentException(
                    name + " must be in (" + low + ", " + high + "], got " + value);
        }
        return value;
    }

    /** Throws unless {@code low < value < high}. */
    public static double inOpen(String name, double value, double low, double high) {
        if (!(value > low && value < high)) {
            throw new IllegalArgumentException(
                    name + " must be in (" + low + ", " + high + "), got " + value);
        }
        return value;
    }

    /** Throws unless {@code value >= min}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** Throws unless the matrix has at least one row and one column and only finite entries. */
    public static DMatrixRMaj finite(String name, DMatrixRMaj m) {
        if (m == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (m.numRows == 0 || m.numCols == 0) {
            throw new IllegalArgumentException(
                    name + " is empty (" + m.numRows + " x " + m.numCols + "); expected at least 1 x 1");
        }
        double[] d = m.data;
        int size = m.numRows * m.numCols;
        for (int k = 0; k < size; k++) {
            double v = d[k];
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(String.format(
                        "%s[%d,%d] is %s; expected finite values", name, k / m.numCols, k % m.numCols, v));
            }
        }
        return m;
    }

    /** Throws unless the values are all finite; names the first bad index. */
    public static double[] finite(String name, double[] v) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(name + " is empty; expected at least one value");
        }
        for (int k = 0; k < v.length; k++) {
            if (Double.isNaN(v[k]) || Double.isInfinite(v[k])) {
                throw new IllegalArgumentException(
                        String.format("%s[%d] is %s; expected finite values", name, k, v[k]));
            }
        }
        return v;
    }

    /**
     * Throws unless the matrix is given, non-empty and square (a batch score matrix); the entries
     * are not scanned (the computation that reads them checks them once).
     */
    public static DMatrixRMaj square(String name, DMatrixRMaj m) {
        if (m == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (m.numRows == 0 || m.numCols == 0) {
            throw new IllegalArgumentException(
                    name + " is empty (" + m.numRows + " x " + m.numCols + "); expected at least 1 x 1");
        }
        if (m.numRows != m.numCols) {
            throw new IllegalArgumentException(name + " must be square (N x N: row i and column i are a"
                    + " given pair), got " + m.numRows + " x " + m.numCols);
        }
        return m;
    }

    /** Throws unless the matrix is square, non-empty and finite (a batch score matrix). */
    public static DMatrixRMaj squareFinite(String name, DMatrixRMaj m) {
        if (m != null && m.numRows != m.numCols) {
            throw new IllegalArgumentException(name + " must be square (N x N: row i and column i are a"
                    + " given pair), got " + m.numRows + " x " + m.numCols);
        }
        return finite(name, m);
    }

    /** Throws unless {@code m} is {@code rows x cols}. */
    public static void shape(String name, DMatrixRMaj m, int rows, int cols) {
        if (m.numRows != rows || m.numCols != cols) {
            throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got "
                    + m.numRows + " x " + m.numCols);
        }
    }
}

package io.rematch.mask;

import org.ejml.data.DMatrixRMaj;

/**
 * A set of entries \((i, j)\) of an \(n \times m\) pair matrix (rows: images, columns:
 * captions), the one mask type of the project. What membership means is the user's to say:
 * <ul>
 *   <li>the complementary losses use the entries in the mask as negatives, the complementary
 *       labels \(\bar Y_{ij} = 1\) (RCL, Section 3.3): {@link io.rematch.loss.Negatives};</li>
 *   <li>the transport solvers forbid the entries in the mask, whose plan entries are then
 *       exactly 0 (L2RM's masked given pairs, Section 3.2): {@link io.rematch.ot.TransportSolver}.</li>
 * </ul>
 * As a file, a mask is a 0/1 {@code .npy} matrix with 1 for the entries in the mask.
 *
 * <p>Three shapes cover every use without storing \(nm\) flags for the common ones: the
 * diagonal (the given pairs of a batch), everything off the diagonal (all in-batch negatives),
 * and an explicit set. Instances are immutable.
 */
public final class PairMask {

    private enum Kind { DIAGONAL, OFF_DIAGONAL, EXPLICIT }

    private final Kind kind;
    private final int rows;
    private final int cols;
    private final boolean[] member; // row-major, only for EXPLICIT

    private PairMask(Kind kind, int rows, int cols, boolean[] member) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a mask needs at least 1 x 1 entries, got " + rows + " x " + cols);
        }
        this.kind = kind;
        this.rows = rows;
        this.cols = cols;
        this.member = member;
    }

    /** The entries \((i, i)\), \(i &lt; \min(n, m)\): the given pairs of a batch. */
    public static PairMask diagonal(int rows, int cols) {
        return new PairMask(Kind.DIAGONAL, rows, cols, null);
    }

    /** {@link #diagonal(int, int)} of a square \(n \times n\) batch. */
    public static PairMask diagonal(int n) {
        return diagonal(n, n);
    }

    /** Every entry \((i, j)\) with \(i \ne j\): all in-batch negatives of each anchor. */
    public static PairMask offDiagonal(int rows, int cols) {
        return new PairMask(Kind.OFF_DIAGONAL, rows, cols, null);
    }

    /** {@link #offDiagonal(int, int)} of a square \(n \times n\) batch. */
    public static PairMask offDiagonal(int n) {
        return offDiagonal(n, n);
    }

    /**
     * The entries flagged {@code true} in a row-major array of {@code rows * cols} flags (copied).
     */
    public static PairMask of(int rows, int cols, boolean[] flags) {
        if (flags == null || (long) rows * cols != flags.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " mask needs " + ((long) rows * cols)
                    + " flags, got " + (flags == null ? "none" : flags.length));
        }
        return new PairMask(Kind.EXPLICIT, rows, cols, flags.clone());
    }

    /**
     * The entries that are 1 in a 0/1 matrix (a mask file).
     *
     * @param name the argument's name for error messages (e.g. {@code --mask})
     * @throws IllegalArgumentException naming {@code name} if the matrix is missing, empty, or has
     *                                  an entry other than 0 and 1
     */
    public static PairMask of(String name, DMatrixRMaj matrix) {
        if (matrix == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (matrix.numRows < 1 || matrix.numCols < 1) {
            throw new IllegalArgumentException(name + " is empty (" + matrix.numRows + " x " + matrix.numCols
                    + "); expected a 0/1 matrix of at least 1 x 1");
        }
        int n = matrix.numRows, m = matrix.numCols;
        boolean[] f = new boolean[n * m];
        for (int k = 0; k < f.length; k++) {
            double v = matrix.data[k];
            if (v != 0.0 && v != 1.0) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%s[%d,%d] is %s; expected 0 or 1", name, k / m, k % m, v));
            }
            f[k] = v == 1.0;
        }
        return new PairMask(Kind.EXPLICIT, n, m, f);
    }

    /** \(n\), the number of rows. */
    public int rows() {
        return rows;
    }

    /** \(m\), the number of columns. */
    public int cols() {
        return cols;
    }

    /** Whether entry \((i, j)\) is in the mask. */
    public boolean contains(int i, int j) {
        switch (kind) {
            case DIAGONAL:
                return i == j;
            case OFF_DIAGONAL:
                return i != j;
            default:
                return member[i * cols + j];
        }
    }

    /** The number of entries of row {@code i} in the mask. */
    public int rowCount(int i) {
        switch (kind) {
            case DIAGONAL:
                return i < cols ? 1 : 0;
            case OFF_DIAGONAL:
                return i < cols ? cols - 1 : cols;
            default:
                int c = 0;
                for (int j = 0; j < cols; j++) {
                    c += member[i * cols + j] ? 1 : 0;
                }
                return c;
        }
    }

    /** The number of entries of column {@code j} in the mask. */
    public int colCount(int j) {
        switch (kind) {
            case DIAGONAL:
                return j < rows ? 1 : 0;
            case OFF_DIAGONAL:
                return j < rows ? rows - 1 : rows;
            default:
                int c = 0;
                for (int i = 0; i < rows; i++) {
                    c += member[i * cols + j] ? 1 : 0;
                }
                return c;
        }
    }

    /** The mask as a 0/1 matrix, 1 for the entries in it (what {@link #of(String, DMatrixRMaj)} reads). */
    public DMatrixRMaj toMatrix() {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m.data[i * cols + j] = contains(i, j) ? 1.0 : 0.0;
            }
        }
        return m;
    }

    /** {@code "diagonal"}, {@code "off-diagonal"} or {@code "explicit"}, with the shape. */
    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " " + rows + " x " + cols + " mask";
    }
}

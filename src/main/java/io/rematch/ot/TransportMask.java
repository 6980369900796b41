package io.rematch.ot;

import org.ejml.data.DMatrixRMaj;

/**
 * Entries of a transport plan that are forbidden: the plan is exactly 0 there.
 *
 * <p>L2RM (Han et al., CVPR 2024) forbids the given pairs, i.e. the diagonal of the batch plan
 * (the release's {@code Mask_[i, i] = 0} in {@code SGRAF.partial_ot}, hhc1997/L2RM a766c22), so
 * that a possibly mismatched pair can only be rematched to another partner. Any other boolean
 * pattern can be given explicitly. A mask that leaves some row or column with no allowed entry
 * is rejected by the solvers ({@link #requireFeasible}).
 */
public final class TransportMask {

    private final int rows;
    private final int cols;
    private final boolean[] forbidden; // row-major; null for the diagonal

    private TransportMask(int rows, int cols, boolean[] forbidden) {
        this.rows = rows;
        this.cols = cols;
        this.forbidden = forbidden;
    }

    /** Forbids \((i, i)\) for \(i < \min(n, m)\): the given pairs of a batch. */
    public static TransportMask diagonal(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("mask must be at least 1 x 1, got " + rows + " x " + cols);
        }
        return new TransportMask(rows, cols, null);
    }

    /**
     * An explicit 0/1 matrix: 1 forbids the entry, 0 allows it.
     *
     * @param name the argument's name for error messages (e.g. {@code --mask})
     */
    public static TransportMask of(String name, DMatrixRMaj m) {
        if (m == null || m.numRows < 1 || m.numCols < 1) {
            throw new IllegalArgumentException(name + " must be a non-empty 0/1 matrix");
        }
        boolean[] f = new boolean[m.numRows * m.numCols];
        for (int k = 0; k < f.length; k++) {
            double v = m.data[k];
            if (v != 0.0 && v != 1.0) {
                throw new IllegalArgumentException(String.format(
                        "%s[%d,%d] is %s; expected 0 (allowed) or 1 (forbidden)", name, k / m.numCols, k % m.numCols, v));
            }
            f[k] = v == 1.0;
        }
        return new TransportMask(m.numRows, m.numCols, f);
    }

    /** Rows of the plan this mask is for. */
    public int rows() {
        return rows;
    }

    /** Columns of the plan this mask is for. */
    public int cols() {
        return cols;
    }

    /** Whether \(\pi_{ij}\) is forced to 0. */
    public boolean forbidden(int i, int j) {
        return forbidden == null ? i == j : forbidden[i * cols + j];
    }

    /** The mask as a 0/1 matrix, 1 = forbidden. */
    public DMatrixRMaj toMatrix() {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m.data[i * cols + j] = forbidden(i, j) ? 1 : 0;
            }
        }
        return m;
    }

    /**
     * Throws {@link IllegalArgumentException} naming {@code name} unless this mask is
     * {@code rows x cols} and leaves at least one allowed entry in every row and every column.
     * (A row with nothing allowed could carry no mass: its marginal constraint could not hold.)
     */
    public void requireFeasible(String name, int n, int m) {
        if (rows != n || cols != m) {
            throw new IllegalArgumentException(name + " must be " + n + " x " + m + " like the cost, got "
                    + rows + " x " + cols);
        }
        int[] colAllowed = new int[m];
        for (int i = 0; i < n; i++) {
            int rowAllowed = 0;
            for (int j = 0; j < m; j++) {
                if (!forbidden(i, j)) {
                    rowAllowed++;
                    colAllowed[j]++;
                }
            }
            if (rowAllowed == 0) {
                throw new IllegalArgumentException(name + " forbids every entry of row " + i
                        + "; each row and column needs at least one allowed entry");
            }
        }
        for (int j = 0; j < m; j++) {
            if (colAllowed[j] == 0) {
                throw new IllegalArgumentException(name + " forbids every entry of column " + j
                        + "; each row and column needs at least one allowed entry");
            }
        }
    }
}

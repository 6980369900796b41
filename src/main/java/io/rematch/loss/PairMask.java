package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * Which entries of an N x N score matrix a loss looks at: for the complementary losses, the
 * complementary labels \(\bar Y_{ij} = 1\) ("image i and text j do not match"), one row per
 * anchor.
 *
 * <p>Three shapes cover every use: all off-diagonal entries (CCL's choice, \(|\bar{\mathbf Y}| =
 * N - 1\)), the diagonal (the given pairs, for InfoNCE), and an explicit boolean matrix (random
 * subsets, a single negative, or a user's mask). Following the RCL release, the same mask (not
 * its transpose) selects the entries of the image-to-text rows and of the text-to-image rows:
 * row \(k\) of the mask is the complementary set of image \(k\) and of text \(k\).
 */
public final class PairMask {

    private enum Kind { OFF_DIAGONAL, DIAGONAL, EXPLICIT }

    private final Kind kind;
    private final int size;
    private final boolean[] selected; // row-major, only for EXPLICIT

    private PairMask(Kind kind, int size, boolean[] selected) {
        this.kind = kind;
        this.size = size;
        this.selected = selected;
    }

    /** Every \(j \ne i\): all \(N-1\) in-batch negatives of each anchor. */
    public static PairMask offDiagonal(int n) {
        return new PairMask(Kind.OFF_DIAGONAL, requireSize(n), null);
    }

    /** Only \(j = i\): the given (positive) pairs. */
    public static PairMask diagonal(int n) {
        return new PairMask(Kind.DIAGONAL, requireSize(n), null);
    }

    /**
     * An explicit complementary-label matrix; entries must be 0 or 1 and the diagonal 0 (a given
     * pair cannot be its own negative).
     *
     * @param name the argument's name for error messages (e.g. {@code --mask})
     */
    public static PairMask of(String name, DMatrixRMaj mask) {
        if (mask == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (mask.numRows != mask.numCols || mask.numRows == 0) {
            throw new IllegalArgumentException(name + " must be a non-empty square N x N matrix, got "
                    + mask.numRows + " x " + mask.numCols);
        }
        int n = mask.numRows;
        boolean[] sel = new boolean[n * n];
        for (int k = 0; k < n * n; k++) {
            double v = mask.data[k];
            if (v != 0.0 && v != 1.0) {
                throw new IllegalArgumentException(String.format(
                        "%s[%d,%d] is %s; expected 0 or 1", name, k / n, k % n, v));
            }
            sel[k] = v == 1.0;
        }
        for (int i = 0; i < n; i++) {
            if (sel[i * n + i]) {
                throw new IllegalArgumentException(String.format(
                        "%s[%d,%d] is 1: the diagonal (the given pairs) cannot be a negative", name, i, i));
            }
        }
        return new PairMask(Kind.EXPLICIT, n, sel);
    }

    /** Wraps a row-major selection that the caller will not modify afterwards. */
    static PairMask ofSelection(int n, boolean[] selected) {
        return new PairMask(Kind.EXPLICIT, n, selected);
    }

    private static int requireSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size N must be >= 1, got " + n);
        }
        return n;
    }

    /** N, the batch size this mask is for. */
    public int size() {
        return size;
    }

    /** Whether entry (i, j) is selected. */
    public boolean contains(int i, int j) {
        switch (kind) {
            case OFF_DIAGONAL:
                return i != j;
            case DIAGONAL:
                return i == j;
            default:
                return selected[i * size + j];
        }
    }

    /** \(|\bar{\mathcal T}_i|\), the number of selected entries in row {@code i}. */
    public int rowCount(int i) {
        switch (kind) {
            case OFF_DIAGONAL:
                return size - 1;
            case DIAGONAL:
                return 1;
            default:
                int c = 0;
                for (int j = 0; j < size; j++) {
                    if (selected[i * size + j]) {
                        c++;
                    }
                }
                return c;
        }
    }

    /** The mask as a 0/1 matrix (for writing or inspection). */
    public DMatrixRMaj toMatrix() {
        DMatrixRMaj m = new DMatrixRMaj(size, size);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                m.data[i * size + j] = contains(i, j) ? 1.0 : 0.0;
            }
        }
        return m;
    }
}

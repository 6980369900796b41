package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.RowBlocks;
import org.ejml.data.DMatrixRMaj;

/**
 * The two target distributions L2RM derives from a transport plan \(\pi\) (Han et al., CVPR
 * 2024, Eq. 9-10; release {@code models.py} commit a766c22, classes {@code Soft_InfoNCE},
 * {@code KL_Divergence}, {@code sym_KL_Divergence}, {@code JS_Divergence}):
 * \[ \tilde\pi_{ij} = \max(\pi_{ij}, 10^{-10}), \qquad
 *    A_{ij} = \frac{\tilde\pi_{ij}}{\sum_l \tilde\pi_{il}}, \qquad
 *    B_{ji} = \frac{\tilde\pi_{ij}}{\sum_l \tilde\pi_{lj}}, \]
 * \(A\) the image-to-text targets (row \(i\) of the plan, normalised), \(B\) the text-to-image
 * targets (column \(j\), normalised). Both are kept in the plan's row-major layout:
 * {@code rowTarget[i*m+j]} \(= A_{ij}\), {@code colTarget[i*m+j]} \(= B_{ji}\), with their
 * logarithms.
 *
 * <p>The floor \(10^{-10}\) is part of the definition in both modes: without it the reverse
 * KL divergence \(\mathrm{KL}(P\|A)\) is infinite wherever the plan has a zero, which L2RM's
 * plans have by construction (the masked diagonal, underflow). It is not negligible: a plan row
 * of mass \(10^{-7}\) (small regularisation) has its floor-induced share at
 * \(n \cdot 10^{-10}/10^{-7}\), about 13% at \(n = 128\).
 *
 * <p>A row (or column) of the plan with no mass at all has no target distribution. What then
 * happens is a choice of definition ({@link EmptyRows}): the release floors it into a uniform
 * one silently ({@link EmptyRows#UNIFORM}); the default refuses it ({@link EmptyRows#REFUSE}: such
 * plans occur in float32 at small regularisation, where a whole row underflows).
 */
public final class SoftTargets {

    /** What a row or column of the plan without mass becomes. */
    public enum EmptyRows {
        /** Refused, naming the row: it defines no target distribution. */
        REFUSE,
        /** Uniform, as the release's floor makes it. */
        UNIFORM
    }

    /** The release's floor on plan entries before normalisation ({@code soft_labels.clip(min=1e-10)}). */
    public static final double FLOOR = 1e-10;

    final int rows;
    final int cols;
    final double[] rowTarget;
    final double[] rowLog;
    final double[] colTarget;
    final double[] colLog;
    /** Row sums of A and column sums of B as computed (1 up to rounding). */
    final double[] rowTargetSum;
    final double[] colTargetSum;

    private SoftTargets(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        rowTarget = new double[rows * cols];
        rowLog = new double[rows * cols];
        colTarget = new double[rows * cols];
        colLog = new double[rows * cols];
        rowTargetSum = new double[rows];
        colTargetSum = new double[cols];
    }

    /**
     * Builds the targets of {@code plan}.
     *
     * @param plan  non-negative, finite matrix (not modified)
     * @param empty what an all-zero row or column becomes
     * @throws IllegalArgumentException naming {@code targets} for NaN/infinite or negative
     *                                  entries, an empty matrix, or (REFUSE) a row or column without mass
     */
    public static SoftTargets of(DMatrixRMaj plan, EmptyRows empty) {
        Checks.finite("targets", plan);
        Checks.present("empty", empty);
        final int n = plan.numRows, m = plan.numCols;
        final double[] t = plan.data;
        // Row masses, and column masses as one partial sum per row block added in block order
        // (RowBlocks: the same bits on any number of cores).
        final int blocks = RowBlocks.count(n);
        final double[] rowMass = new double[n];
        final double[][] colPart = new double[blocks][m];
        final String[] negative = new String[blocks];
        RowBlocks.forEach(n, m, c -> {
            double[] cm = colPart[c];
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end && negative[c] == null; i++) {
                for (int j = 0; j < m; j++) {
                    double v = t[i * m + j];
                    if (v < 0) {
                        negative[c] = String.format("targets[%d,%d] is %s; expected >= 0 (a transport plan)", i, j, v);
                        break;
                    }
                    rowMass[i] += v;
                    cm[j] += v;
                }
            }
        });
        for (String message : negative) {
            if (message != null) {
                throw new IllegalArgumentException(message);
            }
        }
        if (empty == EmptyRows.REFUSE) {
            double[] colMass = merged(colPart, m);
            for (int i = 0; i < n; i++) {
                if (rowMass[i] == 0) {
                    throw new IllegalArgumentException("targets row " + i + " is all zero: it defines no target"
                            + " distribution (the L2RM release floors it to uniform, as EmptyRows.UNIFORM and --mode faithful do)");
                }
            }
            for (int j = 0; j < m; j++) {
                if (colMass[j] == 0) {
                    throw new IllegalArgumentException("targets column " + j + " is all zero: it defines no target"
                            + " distribution (the L2RM release floors it to uniform, as EmptyRows.UNIFORM and --mode faithful do)");
                }
            }
        }
        final SoftTargets st = new SoftTargets(n, m);
        // the row targets, and the floored column sums (partials per block, as above)
        final double[][] sumPart = new double[blocks][m];
        RowBlocks.forEach(n, m, c -> {
            double[] cs = sumPart[c];
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                int base = i * m;
                double rowSum = 0;
                for (int j = 0; j < m; j++) {
                    double v = Math.max(t[base + j], FLOOR);
                    rowSum += v;
                    cs[j] += v;
                }
                double sum = 0;
                for (int j = 0; j < m; j++) {
                    double a = Math.max(t[base + j], FLOOR) / rowSum;
                    st.rowTarget[base + j] = a;
                    st.rowLog[base + j] = Math.log(a);
                    sum += a;
                }
                st.rowTargetSum[i] = sum;
            }
        });
        final double[] colSum = merged(sumPart, m);
        final double[][] targetPart = new double[blocks][m];
        RowBlocks.forEach(n, m, c -> {
            double[] ts = targetPart[c];
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                int base = i * m;
                for (int j = 0; j < m; j++) {
                    double b = Math.max(t[base + j], FLOOR) / colSum[j];
                    st.colTarget[base + j] = b;
                    st.colLog[base + j] = Math.log(b);
                    ts[j] += b;
                }
            }
        });
        System.arraycopy(merged(targetPart, m), 0, st.colTargetSum, 0, m);
        return st;
    }

    /** The partial sums of the row blocks, added in block order. */
    private static double[] merged(double[][] parts, int m) {
        if (parts.length == 1) {
            return parts[0];
        }
        double[] out = new double[m];
        for (double[] part : parts) {
            for (int j = 0; j < m; j++) {
                out[j] += part[j];
            }
        }
        return out;
    }

    /** Number of rows (images). */
    public int rows() {
        return rows;
    }

    /** Number of columns (captions). */
    public int cols() {
        return cols;
    }

    /** \(A\): the image-to-text targets, \(n \times m\), rows summing to 1. */
    public DMatrixRMaj imageToText() {
        return DMatrixRMaj.wrap(rows, cols, rowTarget.clone());
    }

    /** \(B\): the text-to-image targets, \(m \times n\) (row \(j\) = caption \(j\)), rows summing to 1. */
    public DMatrixRMaj textToImage() {
        DMatrixRMaj b = new DMatrixRMaj(cols, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                b.data[j * rows + i] = colTarget[i * cols + j];
            }
        }
        return b;
    }
}

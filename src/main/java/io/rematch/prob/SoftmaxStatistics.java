package io.rematch.prob;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * The normalisers of the two softmax directions of a score matrix, computed in one sweep so
 * that any probability can then be formed in O(1) without storing an N x N matrix.
 *
 * <p>For a score matrix \(S\) (rows: images, columns: texts) and temperature \(\tau\), RCL's
 * matching probabilities (Eq. 1-2) are the row softmax \(p^{v2t}_{ij} = e^{S_{ij}/\tau} / \sum_l
 * e^{S_{il}/\tau}\) and the column softmax \(p^{t2v}_{ji} = e^{S_{ij}/\tau} / \sum_l
 * e^{S_{lj}/\tau}\). With \(z = S/\tau\), row \(i\) is stored as a shift \(m_i\) and a norm
 * \(Z_i = \sum_l e^{z_{il} - m_i}\) (plus \(10^{-10}\) in {@link Mode#FAITHFUL}), so
 * \(p_{ij} = e^{z_{ij} - m_i} / Z_i\); columns likewise.
 *
 * <p>In {@link Mode#STABLE} the shift is the row maximum, whose term is exactly 1; in
 * {@link Mode#FAITHFUL} there is no shift. In both, the sum of the other terms ({@code rest}) is
 * kept apart from the largest term, so that \(1 - p\) of the largest entry is
 * {@code rest / Z} without cancellation. This is what lets the complementary losses evaluate
 * \(\log(1 - p)\) accurately when one probability approaches 1. Cost: one sweep for the maxima
 * (no exponentials) and one that computes one exponential per entry (stable mode derives the
 * column-shifted term from the row-shifted one by two per-row/per-column factors whenever the
 * shifts span less than 600, else takes a second exponential).
 */
public final class SoftmaxStatistics {

    final int rows;
    final int cols;
    final double invTau;
    final Mode mode;
    /** Row shift m_i (0 in faithful mode), row norm Z_i, sum of the non-argmax terms, argmax index. */
    final double[] rowShift, rowNorm, rowRest;
    final int[] rowArgMax;
    final double[] colShift, colNorm, colRest;
    final int[] colArgMax;
    /** log Z_i and log Z_j, so that log-probabilities cost no logarithm per entry. */
    final double[] rowLogNorm, colLogNorm;

    private SoftmaxStatistics(int rows, int cols, double tau, Mode mode) {
        this.rows = rows;
        this.cols = cols;
        this.invTau = 1.0 / tau;
        this.mode = mode;
        rowShift = new double[rows];
        rowNorm = new double[rows];
        rowRest = new double[rows];
        rowArgMax = new int[rows];
        colShift = new double[cols];
        colNorm = new double[cols];
        colRest = new double[cols];
        colArgMax = new int[cols];
        rowLogNorm = new double[rows];
        colLogNorm = new double[cols];
    }

    /**
     * Computes both directions' normalisers of {@code scores} (any shape).
     *
     * @param scores similarity matrix \(S\), rows = queries of the first modality
     * @param tau    temperature \(\tau > 0\)
     * @param mode   stable or faithful evaluation
     */
    public static SoftmaxStatistics of(DMatrixRMaj scores, double tau, Mode mode) {
        return of(scores, tau, mode, null, null);
    }

    /**
     * As {@link #of(DMatrixRMaj, double, Mode)}, also keeping the unnormalised terms so that a
     * caller that needs every probability does not recompute the exponentials: on return
     * {@code rowTerms[i*cols+j]} \(= e^{z_{ij} - m_i}\) and {@code colTerms[i*cols+j]}
     * \(= e^{z_{ij} - m_j}\) (column shift); divide by {@link #rowNorm(int)} /
     * {@link #colNorm(int)} to get the probabilities. In faithful mode the two are the same
     * numbers (no shift), so {@code colTerms} may be the same array as {@code rowTerms}.
     *
     * @param rowTerms null, or an array of at least rows*cols entries to fill
     * @param colTerms null, or an array of at least rows*cols entries to fill
     */
    public static SoftmaxStatistics of(DMatrixRMaj scores, double tau, Mode mode, double[] rowTerms, double[] colTerms) {
        Checks.finite("scores", scores);
        Checks.positive("tau", tau);
        Checks.present("mode", mode);
        SoftmaxStatistics st = new SoftmaxStatistics(scores.numRows, scores.numCols, tau, mode);
        st.compute(scores.data, rowTerms, colTerms);
        for (int i = 0; i < st.rows; i++) {
            st.rowLogNorm[i] = Math.log(st.rowNorm[i]);
        }
        for (int j = 0; j < st.cols; j++) {
            st.colLogNorm[j] = Math.log(st.colNorm[j]);
        }
        return st;
    }

    private void compute(double[] s, double[] rowTerms, double[] colTerms) {
        final int n = rows, m = cols;
        final boolean stable = mode == Mode.STABLE;
        // Sweep 1: the largest entry of every row and column (the stable shifts, and the entry
        // whose complement 1 - p needs care).
        double[] rowMax = new double[n];
        double[] colMax = new double[m];
        java.util.Arrays.fill(colMax, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            int base = i * m;
            double best = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < m; j++) {
                double z = s[base + j] * invTau;
                if (z > best) {
                    best = z;
                    arg = j;
                }
                if (z > colMax[j]) {
                    colMax[j] = z;
                    colArgMax[j] = i;
                }
            }
            rowMax[i] = best;
            rowArgMax[i] = arg;
        }
        if (stable) {
            System.arraycopy(rowMax, 0, rowShift, 0, n);
            System.arraycopy(colMax, 0, colShift, 0, m);
        } // faithful: the release does not shift (E = exp(S / tau))
        // Stable mode needs e^{z - m_i} and e^{z - c_j}. When all shifts lie within 600 of the
        // global maximum M (always, for cosine scores and tau >= 0.002), the second is the first
        // times e^{m_i - M} e^{M - c_j}: one exponential per entry instead of two, no overflow.
        double globalMax = Double.NEGATIVE_INFINITY, lowestShift = Double.POSITIVE_INFINITY;
        for (double v : rowMax) {
            globalMax = Math.max(globalMax, v);
            lowestShift = Math.min(lowestShift, v);
        }
        for (double v : colMax) {
            lowestShift = Math.min(lowestShift, v);
        }
        final boolean factored = stable && globalMax - lowestShift < 600;
        double[] rowFactor = new double[n];
        double[] colFactor = new double[m];
        if (factored) {
            for (int i = 0; i < n; i++) {
                rowFactor[i] = Math.exp(rowMax[i] - globalMax);
            }
            for (int j = 0; j < m; j++) {
                colFactor[j] = Math.exp(globalMax - colMax[j]);
            }
        }
        // Sweep 2: the terms, summed without the largest one, which is added last.
        double[] rowTop = new double[n];
        double[] colTop = new double[m];
        for (int i = 0; i < n; i++) {
            int base = i * m;
            double shift = rowShift[i];
            double rf = rowFactor[i];
            int arg = rowArgMax[i];
            double rest = 0;
            for (int j = 0; j < m; j++) {
                double z = s[base + j] * invTau;
                double er = Math.exp(z - shift);
                double ec = !stable ? er
                        : i == colArgMax[j] ? 1.0 // e^0, exactly
                        : factored ? er * rf * colFactor[j] : Math.exp(z - colShift[j]);
                if (j != arg) {
                    rest += er;
                } else {
                    rowTop[i] = er;
                }
                if (i != colArgMax[j]) {
                    colRest[j] += ec;
                } else {
                    colTop[j] = ec;
                }
                if (rowTerms != null) {
                    rowTerms[base + j] = er;
                }
                if (colTerms != null) {
                    colTerms[base + j] = ec;
                }
            }
            rowRest[i] = rest;
        }
        double eps = stable ? 0.0 : Mode.RELEASE_EPSILON;
        for (int i = 0; i < n; i++) {
            rowNorm[i] = rowTop[i] + rowRest[i] + eps;
        }
        for (int j = 0; j < m; j++) {
            colNorm[j] = colTop[j] + colRest[j] + eps;
        }
    }

    /** Number of rows of the score matrix. */
    public int rows() {
        return rows;
    }

    /** Number of columns of the score matrix. */
    public int cols() {
        return cols;
    }

    /** The mode these statistics were computed in. */
    public Mode mode() {
        return mode;
    }

    /** The column of row {@code i}'s largest probability (the first, if tied). */
    public int rowArgMax(int i) {
        return rowArgMax[i];
    }

    /** The row of column {@code j}'s largest probability (the first, if tied). */
    public int colArgMax(int j) {
        return colArgMax[j];
    }

    /** \(Z_i\), the norm of row {@code i} (relative to its shift). */
    public double rowNorm(int i) {
        return rowNorm[i];
    }

    /** \(Z_j\), the norm of column {@code j} (relative to its shift). */
    public double colNorm(int j) {
        return colNorm[j];
    }

    /** Eq. 1: \(p^{v2t}_{ij}\) given the raw score \(S_{ij}\). */
    public double rowProbability(int i, double score) {
        return Math.exp(score * invTau - rowShift[i]) / rowNorm[i];
    }

    /** Eq. 2: \(p^{t2v}_{ji}\) (text \(j\) querying image \(i\)) given the raw score \(S_{ij}\). */
    public double colProbability(int j, double score) {
        return Math.exp(score * invTau - colShift[j]) / colNorm[j];
    }

    /**
     * \(1 - p^{v2t}_{ij}\) for the probability {@code p} of entry (i, j): for the row's largest
     * entry, \((Z_i - e_{ij})/Z_i\) from the sum of the other terms (no cancellation, in both
     * modes: faithful mode evaluates the release's formula, just without its rounding loss);
     * plain {@code 1 - p} for the others, which have \(p \le 1/2\).
     */
    public double rowComplement(int i, int j, double p) {
        return j == rowArgMax[i] ? (rowRest[i] + epsilon()) / rowNorm[i] : 1.0 - p;
    }

    /** \(1 - p^{t2v}_{ji}\), as {@link #rowComplement} for column {@code j}. */
    public double colComplement(int i, int j, double q) {
        return i == colArgMax[j] ? (colRest[j] + epsilon()) / colNorm[j] : 1.0 - q;
    }

    private double epsilon() {
        return mode == Mode.STABLE ? 0.0 : Mode.RELEASE_EPSILON;
    }

    /** \(\log p^{v2t}_{ij}\) without forming the probability (finite even where it underflows). */
    public double rowLogProbability(int i, double score) {
        return score * invTau - rowShift[i] - rowLogNorm[i];
    }

    /** \(\log p^{t2v}_{ji}\) without forming the probability. */
    public double colLogProbability(int j, double score) {
        return score * invTau - colShift[j] - colLogNorm[j];
    }
}

package io.rematch.prob;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.numeric.RowBlocks;
import org.ejml.data.DMatrixRMaj;

/**
 * The normalisers of the two softmax directions of a score matrix, computed in one sweep so
 * that any probability can then be formed in O(1) without storing an N x N matrix.
 *
 * <p>For a score matrix \(S\) (rows: images, columns: texts) and temperature \(\tau\), RCL's
 * matching probabilities (Eq. 1-2) are the row softmax \(p^{v2t}_{ij} = e^{S_{ij}/\tau} / \sum_l
 * e^{S_{il}/\tau}\) and the column softmax \(p^{t2v}_{ji} = e^{S_{ij}/\tau} / \sum_l
 * e^{S_{lj}/\tau}\). Row \(i\) is stored as a shift \(m_i\) (in score units) and a norm
 * \(Z_i = \sum_l e^{(S_{il} - m_i)/\tau}\) (plus \(10^{-10}\) in {@link Mode#FAITHFUL}), so
 * \(p_{ij} = e^{(S_{ij} - m_i)/\tau} / Z_i\); columns likewise.
 *
 * <p>In {@link Mode#STABLE} the shift is the row maximum, whose term is exactly 1, and the
 * exponent is formed as \((S_{ij} - m_i)/\tau\), a difference before the division: finite for
 * every finite score matrix, even where \(S/\tau\) itself overflows (scores near
 * {@code Double.MAX_VALUE}). In {@link Mode#FAITHFUL} there is no shift, as in the release
 * (\(e^{S/\tau}\), which overflows for \(S/\tau > 709\)). In both, the sum of the other terms
 * ({@code rest}) is kept apart from the largest term, so that \(1 - p\) of the largest entry is
 * {@code rest / Z} without cancellation: this lets the complementary losses evaluate
 * \(\log(1 - p)\) accurately when one probability approaches 1.
 *
 * <p><b>Saturated rows.</b> When the gap between a row's largest and second-largest score
 * exceeds about \(460\tau\), {@code rest} falls below \(10^{-200}\) (and underflows to 0 beyond
 * \(745\tau\)), while \(\log(1 - p)\) of the largest entry is still an ordinary number (-873 on
 * cosine scores times 200 at \(\tau = 0.05\)). In stable mode such a row is <em>saturated</em>
 * ({@link #rowSaturated}) and its \(\log \mathrm{rest}\) is computed exactly, as a log-sum-exp
 * shifted by the second-largest score, so that {@link #rowLogComplement} is finite and exact
 * wherever the math is.
 *
 * <p>Cost: one sweep for the maxima (no exponentials) and one that computes one exponential per
 * entry (stable mode derives the column-shifted term from the row-shifted one by two
 * per-row/per-column factors whenever the shifts span less than \(600\tau\), else takes a second
 * exponential); a saturated row or column costs one more pass over it.
 */
public final class SoftmaxStatistics {

    /**
     * Below this, the sum of a row's non-largest terms is treated as saturated: \(1/\mathrm{rest}\)
     * and products with it would leave the range where the direct formulas are safe.
     */
    public static final double SATURATION = 1e-200;

    /** Row terms below this are recomputed for the column direction rather than rescaled. */
    private static final double FACTOR_FLOOR = 1e-290;

    final int rows;
    final int cols;
    final double invTau;
    final Mode mode;
    /** Row shift m_i in score units (0 in faithful mode), row norm Z_i, sum of the non-argmax terms, argmax index. */
    final double[] rowShift, rowNorm, rowRest;
    final int[] rowArgMax;
    final double[] colShift, colNorm, colRest;
    final int[] colArgMax;
    /** log Z_i and log Z_j, so that log-probabilities cost no logarithm per entry. */
    final double[] rowLogNorm, colLogNorm;
    /** log rest, exact also where rest underflows (stable mode). */
    final double[] rowLogRest, colLogRest;

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
        rowLogRest = new double[rows];
        colLogRest = new double[cols];
    }

    /**
     * Computes both directions' normalisers of {@code scores} (any shape).
     *
     * @param scores similarity matrix \(S\), rows = queries of the first modality
     * @param tau    temperature \(\tau > 0\)
     * @param mode   stable or faithful evaluation
     * @throws IllegalArgumentException naming {@code scores}, {@code tau} or {@code mode}
     */
    public static SoftmaxStatistics of(DMatrixRMaj scores, double tau, Mode mode) {
        return of(scores, tau, mode, null, null);
    }

    /**
     * As {@link #of(DMatrixRMaj, double, Mode)}, also keeping the unnormalised terms so that a
     * caller that needs every probability does not recompute the exponentials: on return
     * {@code rowTerms[i*cols+j]} \(= e^{(S_{ij} - m_i)/\tau}\) and {@code colTerms[i*cols+j]}
     * \(= e^{(S_{ij} - m_j)/\tau}\) (column shift); divide by {@link #rowNorm(int)} /
     * {@link #colNorm(int)} to get the probabilities. In faithful mode the two are the same
     * numbers (no shift), so {@code colTerms} may be the same array as {@code rowTerms}. This is
     * the one place the scores are checked (finite, non-empty), so a loss validates them once.
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
        // Stable mode: Z = 1 + rest (the largest term is exactly 1), so log Z = log1p(rest), exact
        // even where rest is below the rounding of 1 (log p of a well-separated row's top entry).
        boolean stable = mode == Mode.STABLE;
        for (int i = 0; i < st.rows; i++) {
            st.rowLogNorm[i] = stable ? Math.log1p(st.rowRest[i]) : Math.log(st.rowNorm[i]);
        }
        for (int j = 0; j < st.cols; j++) {
            st.colLogNorm[j] = stable ? Math.log1p(st.colRest[j]) : Math.log(st.colNorm[j]);
        }
        st.logRests(scores.data);
        return st;
    }

    private void compute(double[] s, double[] rowTerms, double[] colTerms) {
        final int n = rows, m = cols;
        final boolean stable = mode == Mode.STABLE;
        // Both sweeps run over the rows in blocks (RowBlocks: on all cores for a large matrix, the
        // same bits on any number of them); block 0 works on the column arrays themselves, the
        // others on partial ones merged in block order, so one block is the plain sequential sweep.
        final int blocks = RowBlocks.count(n);
        // Sweep 1: the largest score of every row and column (the stable shifts, and the entry
        // whose complement 1 - p needs care). Compared in score units: tau > 0 keeps the order.
        double[] rowMax = new double[n];
        double[] colMax = new double[m];
        java.util.Arrays.fill(colMax, Double.NEGATIVE_INFINITY);
        double[][] blockColMax = new double[blocks][];
        int[][] blockColArg = new int[blocks][];
        blockColMax[0] = colMax;
        blockColArg[0] = colArgMax;
        RowBlocks.forEach(n, m, c -> {
            double[] cm = colMax;
            int[] ca = colArgMax;
            if (c > 0) {
                cm = blockColMax[c] = new double[m];
                ca = blockColArg[c] = new int[m];
                java.util.Arrays.fill(cm, Double.NEGATIVE_INFINITY);
            }
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                int base = i * m;
                double best = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int j = 0; j < m; j++) {
                    double z = s[base + j];
                    if (z > best) {
                        best = z;
                        arg = j;
                    }
                    if (z > cm[j]) {
                        cm[j] = z;
                        ca[j] = i;
                    }
                }
                rowMax[i] = best;
                rowArgMax[i] = arg;
            }
        });
        for (int c = 1; c < blocks; c++) {   // strictly larger only: the first row keeps a tie, as in one sweep
            for (int j = 0; j < m; j++) {
                if (blockColMax[c][j] > colMax[j]) {
                    colMax[j] = blockColMax[c][j];
                    colArgMax[j] = blockColArg[c][j];
                }
            }
        }
        if (stable) {
            System.arraycopy(rowMax, 0, rowShift, 0, n);
            System.arraycopy(colMax, 0, colShift, 0, m);
        } // faithful: the release does not shift (E = exp(S / tau))
        // Stable mode needs e^{(s - m_i)/tau} and e^{(s - c_j)/tau}. When all shifts lie within
        // 600 tau of the global maximum M (always, for cosine scores and tau >= 0.002), the second
        // is the first times e^{(m_i - M)/tau} e^{(M - c_j)/tau}: one exponential per entry, no overflow.
        double globalMax = Double.NEGATIVE_INFINITY, lowestShift = Double.POSITIVE_INFINITY;
        for (double v : rowMax) {
            globalMax = Math.max(globalMax, v);
            lowestShift = Math.min(lowestShift, v);
        }
        for (double v : colMax) {
            lowestShift = Math.min(lowestShift, v);
        }
        final boolean factored = stable && (globalMax - lowestShift) * invTau < 600;
        double[] rowFactor = new double[n];
        double[] colFactor = new double[m];
        if (factored) {
            for (int i = 0; i < n; i++) {
                rowFactor[i] = Math.exp((rowMax[i] - globalMax) * invTau);
            }
            for (int j = 0; j < m; j++) {
                colFactor[j] = Math.exp((globalMax - colMax[j]) * invTau);
            }
        }
        // Sweep 2: the terms, summed without the largest one, which is added last.
        double[] rowTop = new double[n];
        double[] colTop = new double[m];
        double[][] blockColRest = new double[blocks][];
        blockColRest[0] = colRest;
        RowBlocks.forEach(n, m, c -> {
            double[] cr = c == 0 ? colRest : (blockColRest[c] = new double[m]);
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                int base = i * m;
                double shift = rowShift[i];
                double rf = rowFactor[i];
                int arg = rowArgMax[i];
                double rest = 0;
                for (int j = 0; j < m; j++) {
                    double sij = s[base + j];
                    double er = Math.exp((sij - shift) * invTau);
                    // (the factored form only from a normal er: below, er has lost the digits ec still has)
                    double ec = !stable ? er
                            : i == colArgMax[j] ? 1.0 // e^0, exactly
                            : factored && er >= FACTOR_FLOOR ? er * (rf * colFactor[j]) : Math.exp((sij - colShift[j]) * invTau);
                    if (j != arg) {
                        rest += er;
                    } else {
                        rowTop[i] = er;
                    }
                    if (i != colArgMax[j]) {
                        cr[j] += ec;
                    } else {
                        colTop[j] = ec;      // one row per column: one block writes it
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
        });
        for (int c = 1; c < blocks; c++) {
            for (int j = 0; j < m; j++) {
                colRest[j] += blockColRest[c][j];
            }
        }
        double eps = stable ? 0.0 : Mode.RELEASE_EPSILON;
        for (int i = 0; i < n; i++) {
            rowNorm[i] = rowTop[i] + rowRest[i] + eps;
        }
        for (int j = 0; j < m; j++) {
            colNorm[j] = colTop[j] + colRest[j] + eps;
        }
    }

    /**
     * \(\log \mathrm{rest}\) of every row and column; for saturated ones (stable mode) exactly,
     * as \((s_2 - m)/\tau + \log\sum_{l \ne \arg\max} e^{(S_l - s_2)/\tau}\) with \(s_2\) the
     * second-largest score.
     */
    private void logRests(double[] s) {
        final boolean stable = mode == Mode.STABLE;
        for (int i = 0; i < rows; i++) {
            if (stable && rowRest[i] < SATURATION) {
                rowLogRest[i] = exactLogRest(s, i * cols, 1, cols, rowArgMax[i], rowShift[i]);
            } else {
                rowLogRest[i] = Math.log(rowRest[i]);
            }
        }
        for (int j = 0; j < cols; j++) {
            if (stable && colRest[j] < SATURATION) {
                colLogRest[j] = exactLogRest(s, j, cols, rows, colArgMax[j], colShift[j]);
            } else {
                colLogRest[j] = Math.log(colRest[j]);
            }
        }
    }

    private double exactLogRest(double[] s, int offset, int stride, int len, int top, double shift) {
        double second = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) {
            if (k != top) {
                second = Math.max(second, s[offset + k * stride]);
            }
        }
        if (second == Double.NEGATIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY; // a single entry: p = 1 exactly, nothing else
        }
        double sum = 0;
        for (int k = 0; k < len; k++) {
            if (k != top) {
                sum += Math.exp((s[offset + k * stride] - second) * invTau);
            }
        }
        return (second - shift) * invTau + Math.log(sum);
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

    /**
     * Whether row {@code i}'s largest probability is within {@link #SATURATION} of 1 (stable mode
     * only; faithful mode keeps the release's arithmetic): then \(1 - p\) and \(p/(1-p)\) are out
     * of the direct formulas' range and only their logarithms ({@link #rowLogComplement}) are safe.
     */
    public boolean rowSaturated(int i) {
        return mode == Mode.STABLE && rowRest[i] < SATURATION;
    }

    /** As {@link #rowSaturated} for column {@code j}. */
    public boolean colSaturated(int j) {
        return mode == Mode.STABLE && colRest[j] < SATURATION;
    }

    /** Eq. 1: \(p^{v2t}_{ij}\) given the raw score \(S_{ij}\). */
    public double rowProbability(int i, double score) {
        return Math.exp((score - rowShift[i]) * invTau) / rowNorm[i];
    }

    /** Eq. 2: \(p^{t2v}_{ji}\) (text \(j\) querying image \(i\)) given the raw score \(S_{ij}\). */
    public double colProbability(int j, double score) {
        return Math.exp((score - colShift[j]) * invTau) / colNorm[j];
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

    /**
     * \(\log(1 - p^{v2t}_{ij})\) for the probability {@code p} of entry (i, j), finite wherever
     * it is mathematically: \(\log\mathrm{rest}_i - \log Z_i\) for the row's largest entry (exact
     * even where rest underflows, in stable mode), \(\log(1 - p)\) by {@code log1p} for the
     * others. \(-\infty\) only for a one-column row.
     */
    public double rowLogComplement(int i, int j, double p) {
        return j == rowArgMax[i] ? logComplementOfTop(rowLogRest[i], rowRest[i], rowLogNorm[i]) : Math.log1p(-p);
    }

    /** \(\log(1 - p^{t2v}_{ji})\), as {@link #rowLogComplement} for column {@code j}. */
    public double colLogComplement(int i, int j, double q) {
        return i == colArgMax[j] ? logComplementOfTop(colLogRest[j], colRest[j], colLogNorm[j]) : Math.log1p(-q);
    }

    private double logComplementOfTop(double logRest, double rest, double logNorm) {
        return mode == Mode.STABLE ? logRest - logNorm : Math.log(rest + epsilon()) - logNorm;
    }

    private double epsilon() {
        return mode == Mode.STABLE ? 0.0 : Mode.RELEASE_EPSILON;
    }

    /** \(\log p^{v2t}_{ij}\) without forming the probability (finite even where it underflows). */
    public double rowLogProbability(int i, double score) {
        return (score - rowShift[i]) * invTau - rowLogNorm[i];
    }

    /** \(\log p^{t2v}_{ji}\) without forming the probability. */
    public double colLogProbability(int j, double score) {
        return (score - colShift[j]) * invTau - colLogNorm[j];
    }
}

package io.rematch.loss;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.numeric.RowBlocks;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * The engine of the complementary contrastive losses:
 * \[ L = \frac1N \sum_{i,j} M_{ij}\,\phi\big(p^{v2t}_{ij}\big) + \frac1N \sum_{j,i} M_{ji}\,\phi\big(p^{t2v}_{ji}\big) \]
 * with \(p^{v2t}\), \(p^{t2v}\) the two matching probabilities (RCL Eq. 1-2), \(\phi\) a
 * {@link ComplementaryBound} and \(M\) the negatives' {@link PairMask} (row \(k\) selects the
 * entries of image \(k\)'s row and of text \(k\)'s row, as in the release).
 *
 * <p><b>Gradient.</b> For a row softmax \(p = \mathrm{softmax}(z/\tau)\) and
 * \(u_l = M_l\,p_l\phi'(p_l)\), \(\partial L/\partial z_j = \frac1{N\tau}\big(u_j - p_j \sum_l u_l\big)\)
 * (the same formula holds with the release's \(+10^{-10}\) denominators). Summing the row
 * direction (image queries) and the column direction (text queries) gives \(\partial L /
 * \partial S\).
 *
 * <p><b>Cost.</b> One sweep for the softmax statistics ({@link SoftmaxStatistics}), which also
 * keeps the exponentials (two per entry: the row and the column shift differ); one fused sweep
 * that forms both probabilities, the loss and the row terms and accumulates the column sums
 * \(b_j = \sum_i v_{ij}\) (the row sums \(a_i\) are applied while the row is still in cache);
 * one sweep that subtracts \(q_{ij} b_j\). The log bound's logarithms are summed as the log of a
 * product ({@link LogProduct}), and in stable mode the terms of small \(p\) by their series, so
 * that a well-separated batch's tiny loss keeps its relative precision. Memory: the gradient and one \(N \times N\) scratch
 * array, both from the caller's {@link LossWorkspace}, and a few rows.
 *
 * <p><b>Cancellation.</b> When one probability of a row is close to 1, \(u_j\) and
 * \(p_j a_i\) are both huge and nearly equal; the gradient is then formed as
 * \(u_j(1 - p_j) - p_j \sum_{l \ne j} u_l\), with \(1 - p_j\) from
 * {@link SoftmaxStatistics#rowComplement} and the sum over \(l \ne j\) accumulated without the
 * row's largest term, so no digits are lost.
 *
 * <p><b>Saturation.</b> Where \(1 - p\) of a row's largest entry is below \(10^{-200}\) (a score
 * gap above about \(460\tau\); {@link SoftmaxStatistics#rowSaturated}), \(u\) of that entry
 * (\(p/(1-p)\) for the log bound) leaves the double range while the loss and its gradient do not.
 * Such rows and columns are evaluated in the log domain instead ({@link SaturatedSoftmax}), in
 * stable mode; faithful mode keeps the release's arithmetic and reports its overflow.
 *
 * <p>To read the equations themselves, see the literal form {@link LiteralCcl}.
 */
final class TwoWaySoftmaxObjective {

    /**
     * Below this, \(-\log(1-p)\) of a non-largest entry is summed by its series: the product of
     * the \(1 - p\) would lose \(10^{-16}/p\) of each term's relative precision (all of it for
     * \(p < 10^{-16}\), a well-separated batch), the series none.
     */
    static final double SMALL_P = 1e-3;

    private TwoWaySoftmaxObjective() {
    }

    /** \(-\log(1-p) = p + p^2/2 + \dots + p^5/5\) for \(p < 10^{-3}\) (truncation below \(2\cdot10^{-16}\) relative). */
    static double minusLog1mSmall(double p) {
        return p * (1 + p * (0.5 + p * (1.0 / 3 + p * (0.25 + p * 0.2))));
    }

    /** Evaluates; {@code scores} is square (checked by the caller) and is checked finite here, once. */
    static LossValue evaluate(DMatrixRMaj scores, double tau, Mode mode, ComplementaryBound bound, PairMask mask,
                              LossWorkspace workspace, String name) {
        final int n = scores.numRows;
        if (mask.rows() != n || mask.cols() != n) {
            throw new IllegalArgumentException("mask is " + mask.rows() + " x " + mask.cols()
                    + " but scores are " + n + " x " + n);
        }
        final DMatrixRMaj gradient = workspace.gradient(n, n);
        final double[] g = gradient.data;                // first the row terms e^{z - m_i}, finally dL/dS
        final double[] e = workspace.first(n * n);       // first the column terms e^{z - m_j}, then q
        final SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode, g, e);
        final boolean[] rowFast = new boolean[n];
        final boolean[] colFast = new boolean[n];
        boolean anySaturated = false;
        for (int k = 0; k < n; k++) {
            rowFast[k] = !st.rowSaturated(k);
            colFast[k] = !st.colSaturated(k);
            anySaturated |= !rowFast[k] || !colFast[k];
        }
        final double[] colNorm = new double[n];
        for (int j = 0; j < n; j++) {
            colNorm[j] = st.colNorm(j);
        }
        // Column sums b_j = sum_i v_ij, kept as (the largest term, the rest): see cancellation below.
        final double[] colTop = new double[n];
        final double[] colRest = new double[n];
        final boolean logBound = bound.kind() == ComplementaryBound.Kind.LOG;
        final double eps = mode == Mode.FAITHFUL ? Mode.RELEASE_EPSILON : 0.0;
        final boolean stable = mode == Mode.STABLE;
        final boolean stableGce = stable && bound.kind() == ComplementaryBound.Kind.GCE;
        // The rows in blocks (RowBlocks: on all cores for a large batch, the same bits on any number
        // of them): each block sums its own loss terms and column sums, added in block order below;
        // a batch of up to 256 rows is one block, the sequential sweep.
        final int blocks = RowBlocks.count(n);
        final LogProduct[] blockLogs = new LogProduct[blocks];
        final double[] blockSmallLogs = new double[blocks];   // -log(1 - p) of the small p, by its series
        final double[] blockLoss = new double[blocks];
        final double[][] blockColRest = new double[blocks][];
        blockColRest[0] = colRest;
        RowBlocks.forEach(n, n, c -> {
            final double[] pRow = new double[n];
            final double[] uRow = new double[n];
            final double[] cRow = new double[n];
            final double[] cr = c == 0 ? colRest : (blockColRest[c] = new double[n]);
            final LogProduct logs = blockLogs[c] = new LogProduct();
            double smallLogs = 0;
            double loss = 0;
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                final int base = i * n;
                final double rowNorm = st.rowNorm(i);
                final int top = st.rowArgMax(i);
                final boolean rowTerms = rowFast[i];
                double rowRest = 0; // a_i without its largest term
                for (int j = 0; j < n; j++) {
                    // Divide (not multiply by a reciprocal): the release does, and 1 - p near 0 shows the ulp.
                    final double p = g[base + j] / rowNorm;
                    final double q = e[base + j] / colNorm[j];
                    double u = 0;
                    double cc = 1.0;
                    if (rowTerms && mask.contains(i, j)) { // image i queries the texts
                        cc = st.rowComplement(i, j, p);
                        if (logBound) {
                            if (stable && j != top && p < SMALL_P) {
                                smallLogs += minusLog1mSmall(p);
                            } else {
                                logs.add(cc + eps);
                            }
                        } else {
                            loss += stableGce ? bound.valueFromLog(p, st.rowLogComplement(i, j, p)) : bound.value(p, cc, mode);
                        }
                        u = bound.pTimesDerivative(p, cc, mode);
                        if (j != top) {
                            rowRest += u;
                        }
                    }
                    if (colFast[j] && mask.contains(j, i)) { // text j queries the images (text j's mask row)
                        double cq = st.colComplement(i, j, q);
                        if (logBound) {
                            if (stable && i != st.colArgMax(j) && q < SMALL_P) {
                                smallLogs += minusLog1mSmall(q);
                            } else {
                                logs.add(cq + eps);
                            }
                        } else {
                            loss += stableGce ? bound.valueFromLog(q, st.colLogComplement(i, j, q)) : bound.value(q, cq, mode);
                        }
                        double v = bound.pTimesDerivative(q, cq, mode);
                        if (i == st.colArgMax(j)) {
                            colTop[j] = v;      // one row per column: one block writes it
                        } else {
                            cr[j] += v;
                        }
                    }
                    pRow[j] = p;
                    uRow[j] = u;
                    cRow[j] = cc;
                    e[base + j] = q;
                }
                // u_j - p_j a_i cancels badly when one p_j is near 1 (u_j and p_j a_i both huge), so
                // use the equal form u_j (1 - p_j) - p_j (a_i - u_j), with a_i - u_j summed directly.
                final double uTop = uRow[top];
                for (int j = 0; j < n; j++) {
                    double others = j == top ? rowRest : (rowRest - uRow[j]) + uTop;
                    g[base + j] = uRow[j] * cRow[j] - pRow[j] * others;
                }
            }
            blockSmallLogs[c] = smallLogs;
            blockLoss[c] = loss;
        });
        double loss = blockLoss[0];
        double smallLogs = blockSmallLogs[0];
        for (int c = 1; c < blocks; c++) {
            loss += blockLoss[c];
            smallLogs += blockSmallLogs[c];
            blockLogs[0].merge(blockLogs[c]);
            for (int j = 0; j < n; j++) {
                colRest[j] += blockColRest[c][j];
            }
        }
        if (logBound) {
            loss = blockLogs[0].negativeLogSum() + smallLogs;
        }
        RowBlocks.forEach(n, n, c -> {
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                final int base = i * n;
                for (int j = 0; j < n; j++) {
                    double q = e[base + j];
                    double grad = g[base + j];
                    boolean isTop = i == st.colArgMax(j);
                    double v = 0;
                    double cq = 1.0;
                    if (colFast[j] && mask.contains(j, i)) {
                        cq = st.colComplement(i, j, q);
                        v = isTop ? colTop[j] : bound.pTimesDerivative(q, cq, mode);
                    }
                    double others = isTop ? colRest[j] : (colRest[j] - v) + colTop[j];
                    g[base + j] = grad + v * cq - q * others;
                }
            }
        });
        double saturatedShare = anySaturated ? saturated(scores, st, bound, mask, rowFast, colFast, g) : 0;
        final double scale = 1.0 / (n * tau);
        RowBlocks.forEach(n, n, c -> {
            for (int k = RowBlocks.start(c) * n, end = RowBlocks.end(c, n) * n; k < end; k++) {
                g[k] *= scale;
            }
        });
        // the saturated terms are huge (up to gap / tau each): over N before they meet the rest
        return LossValue.checked(loss / n + saturatedShare, gradient, mode, name, "tau = " + tau);
    }

    /**
     * Adds the saturated rows' and columns' terms, in the log domain, to {@code g} (unscaled:
     * \(\partial/\partial z\)); returns their share of the loss, already divided by N.
     */
    private static double saturated(DMatrixRMaj scores, SoftmaxStatistics st, ComplementaryBound bound, PairMask mask,
                                    boolean[] rowFast, boolean[] colFast, double[] g) {
        final int n = scores.numRows;
        final double[] s = scores.data;
        SaturatedSoftmax row = new SaturatedSoftmax(n);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            if (rowFast[i]) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                double logP = st.rowLogProbability(i, s[i * n + j]);
                row.set(j, logP, st.rowLogComplement(i, j, Math.exp(logP)), mask.contains(i, j));
            }
            loss += row.evaluate(bound) / n;
            for (int j = 0; j < n; j++) {
                g[i * n + j] += row.gradient(j);
            }
        }
        for (int j = 0; j < n; j++) {
            if (colFast[j]) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                double logQ = st.colLogProbability(j, s[i * n + j]);
                row.set(i, logQ, st.colLogComplement(i, j, Math.exp(logQ)), mask.contains(j, i));
            }
            loss += row.evaluate(bound) / n;
            for (int i = 0; i < n; i++) {
                g[i * n + j] += row.gradient(i);
            }
        }
        return loss;
    }
}

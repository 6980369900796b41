package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.numeric.RowBlocks;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * The two-direction engine shared by L2RM's rematch losses (Han et al., CVPR 2024, Eq. 11-12;
 * release {@code models.py} commit a766c22). With \(z = S/\tau\),
 * \(P\) the row softmax of \(z\) (image \(i\) querying the captions) and \(Q\) the row softmax of
 * \(z^\top\) (caption \(j\) querying the images), and \(A\), \(B\) the {@link SoftTargets},
 * \[ L = \frac1n \sum_{i=1}^{n} D(A_{i\cdot}, P_{i\cdot}) + \frac1m \sum_{j=1}^{m} D(B_{j\cdot}, Q_{j\cdot}) \]
 * for a per-distribution divergence \(D\) supplied by the subclass. The \(1/n\), \(1/m\) are
 * PyTorch's {@code KLDivLoss(reduction="batchmean")} and {@code .sum(1).mean()}: they divide by
 * the number of distributions, not of entries.
 *
 * <p><b>Gradient.</b> Subclasses return \(\partial D/\partial z_{k}\) of one distribution. All
 * of them use the same two facts about \(p_k = e^{z_k}/(\sum_l e^{z_l} + \varepsilon)\) (with
 * \(\varepsilon = 10^{-10}\) in {@link Mode#FAITHFUL}, 0 in {@link Mode#STABLE}):
 * \(\partial p_j/\partial z_k = p_j(\delta_{jk} - p_k)\) and
 * \(\partial \log p_j / \partial z_k = \delta_{jk} - p_k\) — the epsilon does not change them —
 * while \(\sum_l p_l = 1 - \kappa\) with \(\kappa = \varepsilon / (\sum_l e^{z_l} + \varepsilon)\)
 * (0 in stable mode). So for \(D\) with \(\partial D/\partial p_j = g_j\),
 * \(\partial D/\partial z_k = p_k (g_k - \sum_j p_j g_j)\), and the loss gradient is
 * \(\partial L/\partial S_{ij} = \frac{1}{n\tau}\partial D_i/\partial z_{ij} + \frac{1}{m\tau}\partial D_j/\partial z_{ij}\).
 *
 * <p><b>Arithmetic</b> ({@link Mode}). {@link Mode#FAITHFUL}: \(E = e^{S/\tau}\) without
 * max-subtraction and \(P = E / (\sum E + 10^{-10})\), as the release (it overflows for
 * \(S/\tau > 709\)). {@link Mode#STABLE}: max-subtracted softmax, no epsilon. \(\log P\) is always
 * formed as \(z - \log Z\) (the release takes {@code log} of the probability: the same number up
 * to rounding, finite where the probability underflows). A plan row without mass is refused or
 * made uniform as {@link SoftTargets.EmptyRows} says (the release: uniform).
 *
 * <p><b>Cost.</b> One sweep for the softmax statistics, which keeps the exponentials of both
 * directions; one pass over rows and one over columns (gathered eight columns at a time), each
 * O(nm), with O(n + m) scratch per block of rows or columns. From {@link RowBlocks#PARALLEL_ENTRIES}
 * entries the blocks run on all cores; each row's and column's divergence is kept and the
 * divergences are summed in order, so the bits do not depend on the number of cores.
 *
 * <p>Literal form (stable mode): {@link LiteralRematchLosses}, each divergence as its sum and the
 * gradient through the softmax Jacobian ({@code LiteralFormsTest} checks that the two agree).
 */
public abstract class SoftTargetLoss implements TargetedLoss {

    /** Columns gathered together in the column pass. */
    private static final int COLUMNS = 8;

    final double tau;
    final Mode mode;
    final SoftTargets.EmptyRows emptyRows;

    SoftTargetLoss(double tau, Mode mode, SoftTargets.EmptyRows emptyRows) {
        this.tau = Checks.positive("tau", tau);
        this.mode = Checks.present("mode", mode);
        this.emptyRows = Checks.present("emptyRows", emptyRows);
    }

    /** The temperature \(\tau\). */
    public double tau() {
        return tau;
    }

    /** The evaluation mode. */
    public Mode mode() {
        return mode;
    }

    /** What a plan row without mass becomes. */
    public SoftTargets.EmptyRows emptyRows() {
        return emptyRows;
    }

    /**
     * One distribution's divergence and its gradient with respect to the logits.
     *
     * @param len       number of entries
     * @param p         model probabilities \(p\) (sum \(1 - \kappa\))
     * @param logP      \(\log p\)
     * @param a         target distribution
     * @param logA      \(\log a\)
     * @param targetSum \(\sum_j a_j\) as computed (1 up to rounding)
     * @param kappa     \(1 - \sum_j p_j\) exactly: \(\varepsilon/Z\) in faithful mode, 0 in stable
     * @param dz        out: \(\partial D / \partial z_k\), k &lt; len
     * @return \(D\)
     */
    abstract double divergence(int len, double[] p, double[] logP, double[] a, double[] logA,
                               double targetSum, double kappa, double[] dz);

    @Override
    public final LossValue evaluate(DMatrixRMaj scores, DMatrixRMaj targets, LossWorkspace workspace) {
        Checks.present("scores", scores);
        if (targets == null) {
            throw new IllegalArgumentException("targets is missing");
        }
        if (targets.numRows != scores.numRows || targets.numCols != scores.numCols) {
            throw new IllegalArgumentException("targets must be " + scores.numRows + " x " + scores.numCols
                    + " like scores, got " + targets.numRows + " x " + targets.numCols);
        }
        final SoftTargets t = SoftTargets.of(targets, emptyRows);
        final int n = scores.numRows, m = scores.numCols;
        final double[] s = scores.data;
        final DMatrixRMaj gradient = workspace.gradient(n, m);
        final double[] g = gradient.data;
        final double[] rowTerms = workspace.first(n * m);
        final double[] colTerms = mode == Mode.FAITHFUL ? rowTerms : workspace.second(n * m);
        final SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode, rowTerms, colTerms);
        final double eps = mode == Mode.FAITHFUL ? Mode.RELEASE_EPSILON : 0.0;
        // Each row's and each column's divergence into an array, summed in order afterwards: the
        // passes run their blocks on all cores (RowBlocks) and give the same bits on any number.
        final double[] rowLosses = new double[n];
        final double rowScale = 1.0 / (n * tau);
        RowBlocks.forEach(n, m, c -> {
            double[] p = new double[m], logP = new double[m], a = new double[m], logA = new double[m];
            double[] dz = new double[m];
            for (int i = RowBlocks.start(c), end = RowBlocks.end(c, n); i < end; i++) {
                final int base = i * m;
                final double norm = st.rowNorm(i);
                for (int j = 0; j < m; j++) {
                    p[j] = rowTerms[base + j] / norm;
                    logP[j] = st.rowLogProbability(i, s[base + j]);
                    a[j] = t.rowTarget[base + j];
                    logA[j] = t.rowLog[base + j];
                }
                rowLosses[i] = divergence(m, p, logP, a, logA, t.rowTargetSum[i], eps / norm, dz);
                for (int j = 0; j < m; j++) {
                    g[base + j] = dz[j] * rowScale;
                }
            }
        });
        // The columns in groups of COLUMNS, gathered row by row: one cache line of each row per
        // group instead of one entry per row per column.
        final double[] colLosses = new double[m];
        final double colScale = 1.0 / (m * tau);
        RowBlocks.forEach(m, n, c -> {
            int from = RowBlocks.start(c), to = RowBlocks.end(c, m);
            double[][] p = new double[COLUMNS][n], logP = new double[COLUMNS][n];
            double[][] a = new double[COLUMNS][n], logA = new double[COLUMNS][n];
            double[] dz = new double[n];
            for (int j0 = from; j0 < to; j0 += COLUMNS) {
                int width = Math.min(COLUMNS, to - j0);
                for (int i = 0; i < n; i++) {
                    int k = i * m + j0;
                    for (int c2 = 0; c2 < width; c2++) {
                        int j = j0 + c2;
                        p[c2][i] = colTerms[k + c2] / st.colNorm(j);
                        logP[c2][i] = st.colLogProbability(j, s[k + c2]);
                        a[c2][i] = t.colTarget[k + c2];
                        logA[c2][i] = t.colLog[k + c2];
                    }
                }
                for (int c2 = 0; c2 < width; c2++) {
                    int j = j0 + c2;
                    double norm = st.colNorm(j);
                    colLosses[j] = divergence(n, p[c2], logP[c2], a[c2], logA[c2], t.colTargetSum[j], eps / norm, dz);
                    for (int i = 0; i < n; i++) {
                        g[i * m + j] += dz[i] * colScale;
                    }
                }
            }
        });
        double rowLoss = 0;
        for (double v : rowLosses) {
            rowLoss += v;
        }
        double colLoss = 0;
        for (double v : colLosses) {
            colLoss += v;
        }
        return LossValue.checked(rowLoss / n + colLoss / m, gradient, mode, name(), "tau = " + tau);
    }
}

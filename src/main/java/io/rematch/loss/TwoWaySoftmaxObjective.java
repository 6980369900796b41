package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.prob.Mode;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * The engine of the complementary contrastive losses:
 * \[ L = \frac1N \sum_{i,j} M_{ij}\,\phi\big(p^{v2t}_{ij}\big) + \frac1N \sum_{j,i} M_{ji}\,\phi\big(p^{t2v}_{ji}\big) \]
 * with \(p^{v2t}\), \(p^{t2v}\) the two matching probabilities (RCL Eq. 1-2), \(\phi\) a
 * {@link ComplementaryBound} and \(M\) the {@link PairMask} (row \(k\) selects the entries of
 * image \(k\)'s row and of text \(k\)'s row, as in the release).
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
 * one sweep that subtracts \(q_{ij} b_j\). Memory: the gradient, one \(N \times N\) scratch for
 * the column terms, a few rows.
 *
 * <p><b>Cancellation.</b> When one probability of a row is close to 1, \(u_j\) and
 * \(p_j a_i\) are both huge and nearly equal; the gradient is then formed as
 * \(u_j(1 - p_j) - p_j \sum_{l \ne j} u_l\), with \(1 - p_j\) from
 * {@link SoftmaxStatistics#rowComplement} and the sum over \(l \ne j\) accumulated without the
 * row's largest term, so no digits are lost. The log bound's logarithms are summed as the log of a product
 * ({@link LogProduct}).
 */
final class TwoWaySoftmaxObjective {

    private TwoWaySoftmaxObjective() {
    }

    static LossValue evaluate(DMatrixRMaj scores, double tau, Mode mode, ComplementaryBound bound, PairMask mask) {
        Checks.squareFinite("scores", scores);
        Checks.positive("tau", tau);
        Checks.present("mask", mask);
        final int n = scores.numRows;
        if (mask.size() != n) {
            throw new IllegalArgumentException("mask is " + mask.size() + " x " + mask.size()
                    + " but scores are " + n + " x " + n);
        }
        final DMatrixRMaj gradient = new DMatrixRMaj(n, n);
        final double[] g = gradient.data;     // first the row terms e^{z - m_i}, finally dL/dS
        final double[] e = new double[n * n]; // first the column terms e^{z - m_j}, then q
        final SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode, g, e);
        final double[] colSum = new double[n]; // b_j
        final double[] colNorm = new double[n];
        for (int j = 0; j < n; j++) {
            colNorm[j] = st.colNorm(j);
        }
        final double[] pRow = new double[n];
        final double[] uRow = new double[n];
        final double[] cRow = new double[n];
        // Column sums b_j = sum_i v_ij, kept as (the largest term, the rest): see cancellation below.
        final double[] colTop = new double[n];
        final double[] colRest = new double[n];
        final boolean logBound = bound.kind() == ComplementaryBound.Kind.LOG;
        final double eps = mode == Mode.FAITHFUL ? Mode.RELEASE_EPSILON : 0.0;
        final LogProduct logs = new LogProduct();
        double loss = 0;

        for (int i = 0; i < n; i++) {
            final int base = i * n;
            final double rowNorm = st.rowNorm(i);
            final int top = st.rowArgMax(i);
            double rowRest = 0; // a_i without its largest term
            for (int j = 0; j < n; j++) {
                // Divide (not multiply by a reciprocal): the release does, and 1 - p near 0 shows the ulp.
                final double p = g[base + j] / rowNorm;
                final double q = e[base + j] / colNorm[j];
                double u = 0;
                double c = 1.0;
                if (mask.contains(i, j)) { // image i queries the texts
                    c = st.rowComplement(i, j, p);
                    if (logBound) {
                        logs.add(c + eps);
                    } else {
                        loss += bound.value(p, c, mode);
                    }
                    u = bound.pTimesDerivative(p, c, mode);
                    if (j != top) {
                        rowRest += u;
                    }
                }
                if (mask.contains(j, i)) { // text j queries the images (text j's mask row)
                    double cq = st.colComplement(i, j, q);
                    if (logBound) {
                        logs.add(cq + eps);
                    } else {
                        loss += bound.value(q, cq, mode);
                    }
                    double v = bound.pTimesDerivative(q, cq, mode);
                    if (i == st.colArgMax(j)) {
                        colTop[j] = v;
                    } else {
                        colRest[j] += v;
                    }
                }
                pRow[j] = p;
                uRow[j] = u;
                cRow[j] = c;
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
        if (logBound) {
            loss = logs.negativeLogSum();
        }
        final double scale = 1.0 / (n * tau);
        for (int i = 0; i < n; i++) {
            final int base = i * n;
            for (int j = 0; j < n; j++) {
                double q = e[base + j];
                double grad = g[base + j];
                boolean isTop = i == st.colArgMax(j);
                double v = 0;
                double cq = 1.0;
                if (mask.contains(j, i)) {
                    cq = st.colComplement(i, j, q);
                    v = isTop ? colTop[j] : bound.pTimesDerivative(q, cq, mode);
                }
                double others = isTop ? colRest[j] : (colRest[j] - v) + colTop[j];
                g[base + j] = (grad + v * cq - q * others) * scale;
            }
        }
        return new LossValue(loss / n, gradient);
    }
}

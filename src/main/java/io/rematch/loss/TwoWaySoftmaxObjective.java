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
 * the column terms, one row. The log bound's logarithms are summed as the log of a product
 * ({@link LogProduct}).
 */
final class TwoWaySoftmaxObjective {

    private TwoWaySoftmaxObjective() {
    }

    static LossValue evaluate(DMatrixRMaj scores, double tau, Mode mode, ComplementaryBound bound, PairMask mask) {
        Checks.squareFinite("scores", scores);
        Checks.positive("tau", tau);
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
        final double[] invColNorm = new double[n];
        for (int j = 0; j < n; j++) {
            invColNorm[j] = 1.0 / st.colNorm(j);
        }
        final double[] pRow = new double[n];
        final boolean logBound = bound.kind() == ComplementaryBound.Kind.LOG;
        final double eps = mode == Mode.FAITHFUL ? Mode.RELEASE_EPSILON : 0.0;
        final LogProduct logs = new LogProduct();
        double loss = 0;

        for (int i = 0; i < n; i++) {
            final int base = i * n;
            final double invRowNorm = 1.0 / st.rowNorm(i);
            double rowSum = 0; // a_i
            for (int j = 0; j < n; j++) {
                final double p = g[base + j] * invRowNorm;
                final double q = e[base + j] * invColNorm[j];
                double term = 0;
                if (mask.contains(i, j)) { // image i queries the texts
                    double c = st.rowComplement(i, j, p);
                    if (logBound) {
                        logs.add(c + eps);
                    } else {
                        loss += bound.value(p, c, mode);
                    }
                    double u = bound.pTimesDerivative(p, c, mode);
                    rowSum += u;
                    term = u;
                }
                if (mask.contains(j, i)) { // text j queries the images (text j's mask row)
                    double c = st.colComplement(i, j, q);
                    if (logBound) {
                        logs.add(c + eps);
                    } else {
                        loss += bound.value(q, c, mode);
                    }
                    double v = bound.pTimesDerivative(q, c, mode);
                    colSum[j] += v;
                    term += v;
                }
                pRow[j] = p;
                g[base + j] = term;
                e[base + j] = q;
            }
            for (int j = 0; j < n; j++) {
                g[base + j] -= pRow[j] * rowSum;
            }
        }
        if (logBound) {
            loss = logs.negativeLogSum();
        }
        final double scale = 1.0 / (n * tau);
        for (int i = 0; i < n; i++) {
            final int base = i * n;
            for (int j = 0; j < n; j++) {
                g[base + j] = (g[base + j] - e[base + j] * colSum[j]) * scale;
            }
        }
        return new LossValue(loss / n, gradient);
    }
}

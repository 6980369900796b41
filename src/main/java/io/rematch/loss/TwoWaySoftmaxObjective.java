package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.prob.Mode;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * The shared engine of the softmax losses (InfoNCE and every complementary loss):
 * \[ L = \frac1N \sum_{i,j} M_{ij}\,\phi\big(p^{v2t}_{ij}\big) + \frac1N \sum_{j,i} M_{ji}\,\phi\big(p^{t2v}_{ji}\big) \]
 * with \(p^{v2t}\), \(p^{t2v}\) the two matching probabilities (RCL Eq. 1-2) and \(M\) the
 * {@link PairMask} (row \(k\) selects the entries of image \(k\)'s row and of text \(k\)'s row).
 *
 * <p><b>Gradient.</b> For a row softmax \(p = \mathrm{softmax}(z/\tau)\) and
 * \(u_l = M_l\,p_l\phi'(p_l)\), \(\partial L/\partial z_j = \frac1{N\tau}\big(u_j - p_j \sum_l u_l\big)\)
 * (the same formula holds with the release's \(+10^{-10}\) denominators). Summing the row
 * direction (image queries) and the column direction (text queries) gives \(\partial L /
 * \partial S\).
 *
 * <p><b>Cost.</b> One sweep for the softmax statistics ({@link SoftmaxStatistics}), one sweep
 * that writes the row terms and accumulates the column sums \(b_j = \sum_i v_{ij}\) (the row
 * sums \(a_i\) are finished while the row is still in cache), and one sweep that subtracts
 * \(q_{ij} b_j\). The gradient array is the only \(N \times N\) allocation; two rows of scratch.
 */
final class TwoWaySoftmaxObjective {

    private TwoWaySoftmaxObjective() {
    }

    static LossValue evaluate(DMatrixRMaj scores, double tau, Mode mode, EntryPenalty penalty, PairMask mask) {
        Checks.squareFinite("scores", scores);
        Checks.positive("tau", tau);
        final int n = scores.numRows;
        if (mask.size() != n) {
            throw new IllegalArgumentException("mask is " + mask.size() + " x " + mask.size()
                    + " but scores are " + n + " x " + n);
        }
        final SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode);
        final double[] s = scores.data;
        final DMatrixRMaj gradient = new DMatrixRMaj(n, n);
        final double[] g = gradient.data;
        final double[] colSum = new double[n];   // b_j
        final double[] pRow = new double[n];
        final double invN = 1.0 / n;
        double loss = 0;

        for (int i = 0; i < n; i++) {
            final int base = i * n;
            double rowSum = 0; // a_i
            for (int j = 0; j < n; j++) {
                final double sij = s[base + j];
                final double p = st.rowProbability(i, sij);
                pRow[j] = p;
                double term = 0;
                if (mask.contains(i, j)) {
                    double omp = st.rowComplement(i, j, p);
                    loss += penalty.value(p, omp, st.rowLogProbability(i, sij), mode);
                    double u = penalty.pTimesDerivative(p, omp, mode);
                    rowSum += u;
                    term = u;
                }
                if (mask.contains(j, i)) { // text j's row of the mask, entry i
                    final double q = st.colProbability(j, sij);
                    double omq = st.colComplement(i, j, q);
                    loss += penalty.value(q, omq, st.colLogProbability(j, sij), mode);
                    double v = penalty.pTimesDerivative(q, omq, mode);
                    colSum[j] += v;
                    term += v;
                }
                g[base + j] = term;
            }
            for (int j = 0; j < n; j++) {
                g[base + j] -= pRow[j] * rowSum;
            }
        }
        final double scale = invN / tau;
        for (int i = 0; i < n; i++) {
            final int base = i * n;
            for (int j = 0; j < n; j++) {
                double b = colSum[j];
                double corr = b == 0 ? 0 : st.colProbability(j, s[base + j]) * b;
                g[base + j] = (g[base + j] - corr) * scale;
            }
        }
        return new LossValue(loss * invN, gradient);
    }
}

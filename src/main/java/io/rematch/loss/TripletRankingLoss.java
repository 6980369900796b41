package io.rematch.loss;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * Hinge-based triplet ranking losses, the TR and TR-HN baselines of RCL (VSE++, Faghri et al.
 * 2018; RCL release {@code ContrastiveLoss}).
 *
 * <p>With \(d_i = S_{ii}\) and margin \(\alpha\):
 * \( c^{s}_{ij} = [\alpha + S_{ij} - d_i]_+ \) (image \(i\) as query, text \(j\) as negative) and
 * \( c^{im}_{ij} = [\alpha + S_{ij} - d_j]_+ \) (text \(j\) as query, image \(i\) as negative),
 * both zero on the diagonal.
 * <ul>
 *   <li>TR (sum over negatives): \(L = \sum_{i \ne j} c^s_{ij} + \sum_{i \ne j} c^{im}_{ij}\).</li>
 *   <li>TR-HN (hardest negative, "max violation"): \(L = \sum_i \max_j c^s_{ij} + \sum_j \max_i c^{im}_{ij}\).</li>
 * </ul>
 * The sums are not averaged, as in the release. The gradient is a subgradient: an active hinge
 * adds +1 to its negative entry and -1 to its positive; for TR-HN ties for the maximum go to the
 * first index, and a row whose costs are all 0 contributes nothing.
 */
public final class TripletRankingLoss implements ScoreLoss {

    private final double margin;
    private final boolean hardestNegative;

    /**
     * @param margin          \(\alpha \ge 0\) (0.2 in RCL and VSE++)
     * @param hardestNegative true for TR-HN, false for TR
     */
    public TripletRankingLoss(double margin, boolean hardestNegative) {
        this.margin = Checks.nonNegative("margin", margin);
        this.hardestNegative = hardestNegative;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores) {
        Checks.squareFinite("scores", scores);
        int n = scores.numRows;
        double[] s = scores.data;
        DMatrixRMaj gradient = new DMatrixRMaj(n, n);
        double[] g = gradient.data;
        double loss = 0;
        if (!hardestNegative) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i == j) {
                        continue;
                    }
                    double sij = s[i * n + j];
                    double cs = margin + sij - s[i * n + i];
                    if (cs > 0) {
                        loss += cs;
                        g[i * n + j] += 1;
                        g[i * n + i] -= 1;
                    }
                    double cim = margin + sij - s[j * n + j];
                    if (cim > 0) {
                        loss += cim;
                        g[i * n + j] += 1;
                        g[j * n + j] -= 1;
                    }
                }
            }
        } else {
            // Image queries: hardest text per row.
            for (int i = 0; i < n; i++) {
                double best = 0;
                int arg = -1;
                for (int j = 0; j < n; j++) {
                    double c = j == i ? 0 : margin + s[i * n + j] - s[i * n + i];
                    if (c > best) {
                        best = c;
                        arg = j;
                    }
                }
                if (arg >= 0) {
                    loss += best;
                    g[i * n + arg] += 1;
                    g[i * n + i] -= 1;
                }
            }
            // Text queries: hardest image per column.
            for (int j = 0; j < n; j++) {
                double best = 0;
                int arg = -1;
                for (int i = 0; i < n; i++) {
                    double c = i == j ? 0 : margin + s[i * n + j] - s[j * n + j];
                    if (c > best) {
                        best = c;
                        arg = i;
                    }
                }
                if (arg >= 0) {
                    loss += best;
                    g[arg * n + j] += 1;
                    g[j * n + j] -= 1;
                }
            }
        }
        return new LossValue(loss, gradient);
    }

    @Override
    public String name() {
        return hardestNegative ? "tr-hn" : "tr";
    }
}

package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import org.ejml.data.DMatrixRMaj;

/**
 * Hinge-based triplet ranking losses: the TR and TR-HN baselines of RCL (VSE++, Faghri et al.
 * 2018; RCL release {@code ContrastiveLoss}), and the forms L2RM's release uses (Han et al.,
 * CVPR 2024; {@code models.py} commit a766c22, {@code ContrastiveLoss.forward(hard_negative=...)}).
 *
 * <p>With \(d_i = S_{ii}\) and margin \(\alpha\):
 * \( c^{s}_{ij} = [\alpha + S_{ij} - d_i]_+ \) (image \(i\) as query, text \(j\) as negative) and
 * \( c^{im}_{ij} = [\alpha + S_{ij} - d_j]_+ \) (text \(j\) as query, image \(i\) as negative),
 * both zero on the diagonal. The {@link Aggregation}:
 * <ul>
 *   <li>{@code SUM} (TR): \(L = \sum_{i \ne j} c^s_{ij} + \sum_{i \ne j} c^{im}_{ij}\).</li>
 *   <li>{@code MEAN} (L2RM's {@code "warmup"}, and its per-pair {@code "eval_loss"}):
 *       \(L = \sum_i \frac1N\sum_j c^s_{ij} + \sum_j \frac1N\sum_i c^{im}_{ij}\); the mean divides by
 *       \(N\), counting the zeroed diagonal, as {@code cost_s.mean(1)} does. It is TR / N.</li>
 *   <li>{@code HARDEST} (TR-HN, L2RM's {@code "max_violation"} on the clean batch):
 *       \(L = \sum_i \max_j c^s_{ij} + \sum_j \max_i c^{im}_{ij}\).</li>
 * </ul>
 * The gradient is a subgradient: an active hinge adds +1 (times the aggregation's weight) to its
 * negative entry and -1 to its positive; for HARDEST ties for the maximum go to the first index,
 * and a row whose costs are all 0 contributes nothing.
 *
 * <p>{@link #perPairLoss} splits \(L\) into one term per given pair \(k\) (image \(k\)'s row and
 * text \(k\)'s column): with MEAN it is exactly L2RM's {@code eval_loss} vector, the input of
 * the clean/noisy split.
 */
public final class TripletRankingLoss implements ScoreLoss {

    /** How the hinge costs of one query are combined. */
    public enum Aggregation {
        /** Sum over the negatives (TR). */
        SUM,
        /** Mean over the N entries of the row / column, diagonal included (L2RM's warm-up form). */
        MEAN,
        /** The hardest negative only (TR-HN, VSE++ "max violation"). */
        HARDEST
    }

    private final double margin;
    private final Aggregation aggregation;

    /**
     * @param margin          \(\alpha \ge 0\) (0.2 in RCL, L2RM and VSE++)
     * @param hardestNegative true for TR-HN, false for TR
     */
    public TripletRankingLoss(double margin, boolean hardestNegative) {
        this(margin, hardestNegative ? Aggregation.HARDEST : Aggregation.SUM);
    }

    /**
     * @param margin      \(\alpha \ge 0\)
     * @param aggregation sum, mean or hardest negative
     */
    public TripletRankingLoss(double margin, Aggregation aggregation) {
        this.margin = Checks.nonNegative("margin", margin);
        if (aggregation == null) {
            throw new IllegalArgumentException("aggregation is missing");
        }
        this.aggregation = aggregation;
    }

    /** The aggregation of this loss. */
    public Aggregation aggregation() {
        return aggregation;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.squareFinite("scores", scores);
        int n = scores.numRows;
        DMatrixRMaj gradient = workspace.gradient(n, n);
        double[] perPair = new double[n];
        accumulate(scores, perPair, gradient.data);
        double loss = 0;
        for (double v : perPair) {
            loss += v;
        }
        return LossValue.checked(loss, gradient, Mode.STABLE, name(), "margin = " + margin,
                "its hinge terms, score differences, sum beyond the double range");
    }

    /** The margin \(\alpha\). */
    public double margin() {
        return margin;
    }

    /**
     * The loss split by given pair: entry \(k\) is the term of image \(k\) as a query plus that of
     * text \(k\) as a query (e.g. for MEAN, \(\frac1N\sum_j c^s_{kj} + \frac1N\sum_i c^{im}_{ik}\),
     * L2RM's {@code eval_loss}); the entries sum to {@link #evaluate}'s value. No gradient.
     *
     * @param scores square, finite score matrix (not modified)
     */
    public double[] perPairLoss(DMatrixRMaj scores) {
        Checks.squareFinite("scores", scores);
        double[] perPair = new double[scores.numRows];
        accumulate(scores, perPair, null);
        return perPair;
    }

    /** Adds each query's term to {@code perPair}, and its subgradient to {@code g} if not null. */
    private void accumulate(DMatrixRMaj scores, double[] perPair, double[] g) {
        final int n = scores.numRows;
        final double[] s = scores.data;
        if (aggregation == Aggregation.HARDEST) {
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
                    perPair[i] += best;
                    if (g != null) {
                        g[i * n + arg] += 1;
                        g[i * n + i] -= 1;
                    }
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
                    perPair[j] += best;
                    if (g != null) {
                        g[arg * n + j] += 1;
                        g[j * n + j] -= 1;
                    }
                }
            }
            return;
        }
        final double weight = aggregation == Aggregation.MEAN ? 1.0 / n : 1.0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0; // image i as the query
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double cs = margin + s[i * n + j] - s[i * n + i];
                if (cs > 0) {
                    rowSum += cs;
                    if (g != null) {
                        g[i * n + j] += weight;
                        g[i * n + i] -= weight;
                    }
                }
            }
            perPair[i] += rowSum * weight;
        }
        for (int j = 0; j < n; j++) {
            double colSum = 0; // text j as the query
            for (int i = 0; i < n; i++) {
                if (i == j) {
                    continue;
                }
                double cim = margin + s[i * n + j] - s[j * n + j];
                if (cim > 0) {
                    colSum += cim;
                    if (g != null) {
                        g[i * n + j] += weight;
                        g[j * n + j] -= weight;
                    }
                }
            }
            perPair[j] += colSum * weight;
        }
    }

    @Override
    public String name() {
        switch (aggregation) {
            case SUM:
                return "tr";
            case MEAN:
                return "tr-mean";
            default:
                return "tr-hn";
        }
    }
}

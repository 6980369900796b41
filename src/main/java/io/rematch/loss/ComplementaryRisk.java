package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.mask.PairMask;
import java.util.Map;
import java.util.TreeMap;
import org.ejml.data.DMatrixRMaj;

/**
 * Theorem 1 of RCL (Hu et al., TPAMI 2023, Eq. 9-13): the retrieval risk can be estimated
 * without bias from complementary labels alone.
 *
 * <p><b>Eq. 10, the complementary loss.</b> For a query \(\mathbf X\) whose \(N\) candidate
 * labels have ordinary losses \(\mathcal L(h(\mathbf X), y)\), and a complementary label set
 * \(\bar{\mathbf Y}\) (labels known to be wrong, \(|\bar{\mathbf Y}| = C \ge 1\)):
 * \[ \bar{\mathcal L}(h(\mathbf X), \bar{\mathbf Y}) = -\frac{N - C - 1}{C} \sum_{y \in \bar{\mathbf Y}} \mathcal L(h(\mathbf X), y)
 *    + \sum_{y \notin \bar{\mathbf Y}} \mathcal L(h(\mathbf X), y). \]
 * <b>Eq. 9 (Theorem 1).</b> If \(\bar{\mathbf Y}\) is a uniformly random size-\(C\) subset of
 * the \(N - 1\) wrong labels, \(\mathbb E[\bar{\mathcal L}] = \mathcal L(h(\mathbf X), y^*)\),
 * the ordinary loss of the true label \(y^*\): each wrong label is in \(\bar{\mathbf Y}\) with
 * probability \(C/(N-1)\), and the coefficients cancel. The property test checks this exactly
 * by enumerating every subset.
 *
 * <p><b>Eq. 11-12, the empirical risk.</b> Over a batch, each anchor \(k\) contributes its
 * image-query and its text-query complementary loss; grouping anchors by set size \(c\) with
 * \(\bar q_c\) = the fraction of anchors whose set has size \(c\) (Eq. 11) gives the same number
 * as the plain average (Eq. 12). We read Eq. 12's inner sums as one complementary loss per
 * anchor and direction, its complementary set being the anchor's row of \(\bar Y\).
 *
 * <p><b>Eq. 13.</b> With the MAE loss \(\mathcal L(p, y) = \lVert e_y - p \rVert_1 = 2(1 - p_y)\)
 * on a probability vector, \(\bar{\mathcal L} = \alpha \sum_{y \in \bar{\mathbf Y}} p_y\) with
 * \(\alpha = 2(N-1)/C\) exactly (the constant \(Z\) of Eq. 13 is 0): so minimising the unbiased
 * risk with MAE is minimising Eq. 14, {@link ComplementaryContrastiveLoss} with
 * {@link ComplementaryBound#mae()}.
 */
public final class ComplementaryRisk {

    private ComplementaryRisk() {
    }

    /**
     * Eq. 10: the complementary loss of one query.
     *
     * @param losses        \(\mathcal L(h(\mathbf X), y)\) for every candidate \(y = 0..N-1\), \(N \ge 2\)
     * @param complementary which candidates are in \(\bar{\mathbf Y}\); at least one
     */
    public static double complementaryLoss(double[] losses, boolean[] complementary) {
        Checks.finite("losses", losses);
        if (complementary.length != losses.length) {
            throw new IllegalArgumentException("complementary must have one flag per candidate ("
                    + losses.length + "), got " + complementary.length);
        }
        int n = losses.length;
        int c = 0;
        double in = 0, out = 0;
        for (int y = 0; y < n; y++) {
            if (complementary[y]) {
                c++;
                in += losses[y];
            } else {
                out += losses[y];
            }
        }
        if (c == 0) {
            throw new IllegalArgumentException("complementary must contain at least one label");
        }
        return -(double) (n - c - 1) / c * in + out;
    }

    /**
     * Eq. 13's coefficient \(\alpha = 2(N-1)/C\).
     *
     * @param n batch size \(N \ge 2\)
     * @param c negatives per anchor, \(1 \le C \le N-1\)
     */
    public static double maeCoefficient(int n, int c) {
        Checks.atLeast("N", n, 2);
        if (c < 1 || c > n - 1) {
            throw new IllegalArgumentException("C must be in [1, N-1] = [1, " + (n - 1) + "], got " + c);
        }
        return 2.0 * (n - 1) / c;
    }

    /**
     * Eq. 12: \(\frac1N \sum_k \big(\bar{\mathcal L}(h(\mathbf V_k), \bar{\mathcal T}_k) + \bar{\mathcal L}(h(\mathbf T_k), \bar{\mathcal V}_k)\big)\).
     *
     * @param imageLosses \(N \times N\): row \(k\) holds \(\mathcal L(h(\mathbf V_k), j)\) for every text \(j\)
     * @param textLosses  \(N \times N\): row \(k\) holds \(\mathcal L(h(\mathbf T_k), i)\) for every image \(i\)
     * @param mask        the complementary labels; row \(k\) is the set of anchor \(k\) in both directions
     */
    public static double empiricalRisk(DMatrixRMaj imageLosses, DMatrixRMaj textLosses, PairMask mask) {
        double[] perAnchor = perAnchorLosses(imageLosses, textLosses, mask);
        double sum = 0;
        for (double v : perAnchor) {
            sum += v;
        }
        return sum / perAnchor.length;
    }

    /**
     * Eq. 11: \(\sum_c \bar q_c\,\hat{\mathbb E}_c[\bar{\mathcal L}(h(\mathbf V), \cdot) + \bar{\mathcal L}(h(\mathbf T), \cdot)]\),
     * the anchors grouped by complementary-set size \(c\), with \(\bar q_c\) estimated as the
     * fraction of anchors whose set has size \(c\). Equal to {@link #empiricalRisk}.
     */
    public static double stratifiedRisk(DMatrixRMaj imageLosses, DMatrixRMaj textLosses, PairMask mask) {
        double[] perAnchor = perAnchorLosses(imageLosses, textLosses, mask);
        int n = perAnchor.length;
        Map<Integer, double[]> bySize = new TreeMap<>(); // size -> {sum, count}
        for (int k = 0; k < n; k++) {
            double[] acc = bySize.computeIfAbsent(mask.rowCount(k), c -> new double[2]);
            acc[0] += perAnchor[k];
            acc[1] += 1;
        }
        double risk = 0;
        for (double[] acc : bySize.values()) {
            double qBar = acc[1] / n;
            risk += qBar * (acc[0] / acc[1]);
        }
        return risk;
    }

    private static double[] perAnchorLosses(DMatrixRMaj imageLosses, DMatrixRMaj textLosses, PairMask mask) {
        Checks.squareFinite("imageLosses", imageLosses);
        int n = imageLosses.numRows;
        Checks.squareFinite("textLosses", textLosses);
        Checks.shape("textLosses", textLosses, n, n);
        Checks.present("mask", mask);
        if (mask.rows() != n || mask.cols() != n) {
            throw new IllegalArgumentException("mask is " + mask.rows() + " x " + mask.cols()
                    + " but the losses are " + n + " x " + n);
        }
        double[] out = new double[n];
        double[] row = new double[n];
        boolean[] set = new boolean[n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                set[j] = mask.contains(k, j);
            }
            System.arraycopy(imageLosses.data, k * n, row, 0, n);
            double v = complementaryLoss(row, set);
            System.arraycopy(textLosses.data, k * n, row, 0, n);
            out[k] = v + complementaryLoss(row, set);
        }
        return out;
    }
}

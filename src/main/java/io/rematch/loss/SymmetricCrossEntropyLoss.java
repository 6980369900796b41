package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import io.rematch.prob.SoftmaxStatistics;
import org.ejml.data.DMatrixRMaj;

/**
 * L2RM's warm-up loss, called "RCE" in the release (Han et al., CVPR 2024, Section 4.1; release
 * {@code models.py} commit a766c22, class {@code RCE}): symmetric cross-entropy (forward plus
 * reverse cross-entropy, as in SCE, Wang et al. ICCV 2019) on the diagonal labels of the batch.
 *
 * <p>With \(P\), \(Q\) the two softmax directions of \(S/\tau\) (no epsilon in the
 * denominators, unlike the rematch losses) and the label log-matrix
 * \(\ell_{ij} = \log(\delta_{ij} + 10^{-7})\) (the reverse cross-entropy's \(\log 0\) clipped to
 * \(c = \log 10^{-7} \approx -16.12\)):
 * \[ L = \frac12\Big[-\frac1n\sum_{i}\log P_{ii} - \frac1n\sum_i\log Q_{ii}
 *        - \frac1n\sum_{i,j}\ell_{ij}P_{ij} - \frac1n\sum_{j,i}\ell_{ji}Q_{ji}\Big]. \]
 * Off the diagonal \(\ell\) is the constant \(c\), so the reverse part is
 * \(-\frac1n\sum_i\big(c(1 - P_{ii}) + d\,P_{ii}\big)\), a bounded, MAE-like push on the
 * negatives' total probability.
 *
 * <p><b>Gradient.</b> Forward part: \(\frac{1}{n\tau}(P_{ik} - \delta_{ik})\) per direction (as
 * InfoNCE). Reverse part: with \(\Delta = c - d &lt; 0\),
 * \(\partial/\partial z_{ik} = -\frac1n\Delta P_{ii}P_{ik}\) for \(k \ne i\) and
 * \(+\frac1n\Delta P_{ii}(1 - P_{ii})\) for \(k = i\) (from
 * \(\partial P_{ii}/\partial z_{ik} = P_{ii}(\delta_{ik} - P_{ik})\)). \(1 - P_{ii}\) comes from
 * the sum of the other terms ({@link SoftmaxStatistics#rowComplement}), without cancellation.
 *
 * <p><b>The diagonal label</b> ({@link DiagonalLabel}) is a choice of definition, not of
 * arithmetic: the release's \(d = \log(1 + 10^{-7}) \approx 10^{-7}\) (float64, as the reference
 * values; the float32 original has \(1.19\cdot10^{-7}\)) or the textbook \(d = \log 1 = 0\). The
 * release's softmax here has no epsilon, so the max-subtracted softmax computes its function:
 * there is no arithmetic mode.
 */
public final class SymmetricCrossEntropyLoss implements ScoreLoss {

    /** The release's label smoothing constant inside the log ({@code eps = 1e-7} in {@code RCE}). */
    public static final double LABEL_EPSILON = 1e-7;

    /** The log-label of the given pair in the reverse cross-entropy. */
    public enum DiagonalLabel {
        /** \(\log 1 = 0\): the textbook reverse cross-entropy with a one-hot label. */
        TEXTBOOK,
        /** \(\log(1 + 10^{-7})\): the release's, which adds its epsilon to every label. */
        RELEASE
    }

    private final double tau;
    private final DiagonalLabel label;

    /** The textbook diagonal label. */
    public SymmetricCrossEntropyLoss(double tau) {
        this(tau, DiagonalLabel.TEXTBOOK);
    }

    /**
     * @param tau   temperature \(\tau > 0\) (0.05 in L2RM)
     * @param label the diagonal label: textbook (\(\log 1\)) or the release's (\(\log(1 + 10^{-7})\))
     */
    public SymmetricCrossEntropyLoss(double tau, DiagonalLabel label) {
        this.tau = Checks.positive("tau", tau);
        this.label = Checks.present("label", label);
    }

    /** The diagonal label in use. */
    public DiagonalLabel label() {
        return label;
    }

    @Override
    public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
        Checks.square("scores", scores);
        final int n = scores.numRows;
        final double[] s = scores.data;
        final DMatrixRMaj gradient = workspace.gradient(n, n);
        final double[] g = gradient.data;
        final double[] colTerms = workspace.first(n * n);
        // g holds the row terms e^{z - m_i} until overwritten below.
        final SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, Mode.STABLE, g, colTerms);
        final double c = Math.log(LABEL_EPSILON);
        final double d = label == DiagonalLabel.RELEASE ? Math.log(1.0 + LABEL_EPSILON) : 0.0;
        final double delta = c - d;
        final double[] pDiag = new double[n], pComp = new double[n], qDiag = new double[n], qComp = new double[n];
        double forward = 0, reverse = 0;
        for (int i = 0; i < n; i++) {
            double sii = s[i * n + i];
            pDiag[i] = st.rowProbability(i, sii);
            pComp[i] = st.rowComplement(i, i, pDiag[i]);
            qDiag[i] = st.colProbability(i, sii);
            qComp[i] = st.colComplement(i, i, qDiag[i]);
            forward -= st.rowLogProbability(i, sii) + st.colLogProbability(i, sii);
            reverse -= c * pComp[i] + d * pDiag[i] + c * qComp[i] + d * qDiag[i];
        }
        final double scale = 0.5 / (n * tau);
        for (int i = 0; i < n; i++) {
            final int base = i * n;
            final double rowNorm = st.rowNorm(i);
            for (int j = 0; j < n; j++) {
                final int k = base + j;
                final double p = g[k] / rowNorm;
                final double q = colTerms[k] / st.colNorm(j);
                double v;
                if (i == j) {
                    // forward: -(1 - p) - (1 - q); reverse: +delta p (1 - p) + delta q (1 - q)
                    v = -pComp[i] - qComp[i] + delta * (pDiag[i] * pComp[i] + qDiag[i] * qComp[i]);
                } else {
                    // row i (image i): p_ij; column j (caption j): q_ji, whose diagonal is q_jj
                    v = p + q - delta * (pDiag[i] * p + qDiag[j] * q);
                }
                g[k] = v * scale;
            }
        }
        return LossValue.checked(0.5 * (forward + reverse) / n, gradient, Mode.STABLE, name(), "tau = " + tau);
    }

    @Override
    public String name() {
        return "rce";
    }
}

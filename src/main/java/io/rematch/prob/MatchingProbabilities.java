package io.rematch.prob;

import io.rematch.numeric.Mode;
import org.ejml.data.DMatrixRMaj;

/**
 * RCL's cross-modal matching probabilities (Hu et al., TPAMI 2023, Section 3.2).
 *
 * <p>Eq. 1, image \(\mathbf V_i\) querying the texts:
 * \[ p^{v2t}_{ij} = \frac{e^{S_{ij}/\tau}}{\sum_{l=1}^{N_t} e^{S_{il}/\tau}} \]
 * Eq. 2, text \(\mathbf T_i\) querying the images:
 * \[ p^{t2v}_{ij} = \frac{e^{S_{ji}/\tau}}{\sum_{l=1}^{N_v} e^{S_{li}/\tau}} \]
 * i.e. the row softmax of \(S/\tau\) and the row softmax of \(S^\top/\tau\). (The paper prints
 * Eq. 2's denominator as \(\sum_l e^{S_{jl}/\tau}\), a typo: a distribution over the images
 * \(j\) for text \(i\) normalises over \(S_{li}\), as the release does.) Row \(i\) of
 * {@link #textToImage} belongs to text \(i\), as in the release ({@code t2i} there).
 *
 * <p>\(S\) is \(N_v \times N_t\) (images x texts) and need not be square; \(\tau > 0\) is the
 * temperature (0.05 in RCL and L2RM). Every row of the result is a probability distribution:
 * entries in [0, 1] summing to 1 (to \(10^{-10}\) relative in {@link Mode#FAITHFUL}, whose
 * denominators carry the release's \(+10^{-10}\)).
 */
public final class MatchingProbabilities {

    private MatchingProbabilities() {
    }

    /** Eq. 1: the \(N_v \times N_t\) matrix \(p^{v2t}\) (row softmax of \(S/\tau\)). */
    public static DMatrixRMaj imageToText(DMatrixRMaj scores, double tau, Mode mode) {
        SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode);
        int n = scores.numRows, m = scores.numCols;
        DMatrixRMaj p = new DMatrixRMaj(n, m);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                p.data[i * m + j] = st.rowProbability(i, scores.data[i * m + j]);
            }
        }
        return p;
    }

    /** Eq. 2: the \(N_t \times N_v\) matrix \(p^{t2v}\) (row softmax of \(S^\top/\tau\)). */
    public static DMatrixRMaj textToImage(DMatrixRMaj scores, double tau, Mode mode) {
        SoftmaxStatistics st = SoftmaxStatistics.of(scores, tau, mode);
        int n = scores.numRows, m = scores.numCols;
        DMatrixRMaj q = new DMatrixRMaj(m, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                q.data[j * n + i] = st.colProbability(j, scores.data[i * m + j]);
            }
        }
        return q;
    }
}

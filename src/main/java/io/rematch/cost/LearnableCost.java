package io.rematch.cost;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * A learnable map from a similarity matrix to a transport cost matrix: L2RM's "learn the cost
 * function" (Han et al., CVPR 2024, Section 3.2, Eq. 7-8). The cost feeds the partial optimal
 * transport that rematches the noisy batch; it is trained self-supervised by
 * {@link KeyPointTraining}.
 *
 * <p>Parameters are a flat vector \(\theta\) ({@link #parameters()}, a copy), so that one
 * optimizer ({@link io.rematch.optim.Adam}) serves every implementation.
 *
 * <p>Two implementations: {@link RowLinearCost}, the release's \(\mathrm{ReLU}(W s + b)\) on each
 * row (depends on the order of the captions in the batch: hhc1997/L2RM issue #14), and
 * {@link MonotoneElementwiseCost}, \(C_{ij} = \varphi(S_{ij})\) with \(\varphi\) non-increasing,
 * which is permutation-equivariant.
 */
public interface LearnableCost {

    /**
     * The release's lower clamp on the cost before transport ({@code cost.clip(1e-10)} in
     * {@code SGRAF.forward}, L2RM commit a766c22): the dummy-row construction scales with
     * \(\max C\), which must not be 0.
     */
    double TRANSPORT_FLOOR = 1e-10;

    /**
     * The cost matrix \(C\), the same shape as {@code similarities} (not modified).
     *
     * @throws IllegalArgumentException naming {@code similarities} if it is empty, not finite or
     *                                  of a shape the cost cannot take
     */
    DMatrixRMaj cost(DMatrixRMaj similarities);

    /**
     * \(\partial L/\partial\theta\) for a loss \(L\) of the cost, given the upstream gradient
     * \(U = \partial L/\partial C\) (same shape as {@code similarities}); in the layout of
     * {@link #parameters()}.
     */
    double[] parameterGradient(DMatrixRMaj similarities, DMatrixRMaj upstream);

    /** A copy of the parameter vector \(\theta\). */
    double[] parameters();

    /**
     * Replaces the parameters (copied).
     *
     * @throws IllegalArgumentException if the length differs or an entry is not finite
     */
    void setParameters(double[] parameters);

    /** A short name: {@code row-linear} or {@code monotone}. */
    String name();

    /** \(\max(C, 10^{-10})\): the cost as L2RM hands it to the partial transport solver. */
    default DMatrixRMaj transportCost(DMatrixRMaj similarities) {
        DMatrixRMaj c = cost(similarities);
        for (int k = 0; k < c.getNumElements(); k++) {
            c.data[k] = Math.max(c.data[k], TRANSPORT_FLOOR);
        }
        return c;
    }

    /** Throws unless {@code upstream} has the shape of {@code similarities} and is finite. */
    static void checkUpstream(DMatrixRMaj similarities, DMatrixRMaj upstream) {
        Checks.finite("upstream", upstream);
        Checks.shape("upstream", upstream, similarities.numRows, similarities.numCols);
    }
}

package io.rematch.cost;

import io.rematch.check.Checks;
import io.rematch.optim.Adam;
import org.ejml.data.DMatrixRMaj;

/**
 * One self-supervised update of a {@link LearnableCost} (Han et al., CVPR 2024, Eq. 8; release
 * {@code main_L2RM.py} commit a766c22, "update the cost function"): with the retrieval model
 * frozen, \(S\) the similarities of the queue (with the {@link KeyPoints} planted) against the
 * clean captions and \(Y\) the supervision,
 * \[ L_{cost} = \sum_{i,j} Y_{ij}\, C(S)_{ij}, \]
 * minimised by one Adam step (L2RM: learning rate \(2\cdot10^{-6}\), decayed with the model's
 * schedule). The known-true pairs must get a low cost. \(\partial L/\partial C = Y\), so the
 * parameter gradient is the cost's {@link LearnableCost#parameterGradient} with upstream \(Y\).
 */
public final class KeyPointTraining {

    /** L2RM's learning rate for the cost function ({@code --lr_cost}, 2e-6). */
    public static final double DEFAULT_LEARNING_RATE = 2e-6;

    private KeyPointTraining() {
    }

    /**
     * The key-point loss \(\sum Y \odot C(S)\) (no update).
     *
     * @throws IllegalArgumentException if the shapes differ or an input is not finite
     */
    public static double loss(LearnableCost cost, DMatrixRMaj similarities, DMatrixRMaj supervision) {
        check(similarities, supervision);
        DMatrixRMaj c = cost.cost(similarities);
        double l = 0;
        for (int k = 0; k < c.getNumElements(); k++) {
            l += supervision.data[k] * c.data[k];
        }
        return l;
    }

    /**
     * One Adam step on the key-point loss; updates the cost's parameters.
     *
     * @param cost         the cost to train
     * @param similarities queue images x clean captions, key points planted
     * @param supervision  the same shape: 1 at the planted pairs ({@link KeyPoints#supervision()})
     * @param adam         the optimizer holding this cost's moment estimates
     * @return the loss before the step (what the release logs as {@code cost_losses})
     */
    public static double step(LearnableCost cost, DMatrixRMaj similarities, DMatrixRMaj supervision, Adam adam) {
        double before = loss(cost, similarities, supervision);
        double[] theta = cost.parameters();
        if (adam == null || adam.size() != theta.length) {
            throw new IllegalArgumentException("adam must be sized for the cost's " + theta.length + " parameters");
        }
        adam.stepInPlace(theta, cost.parameterGradient(similarities, supervision));
        cost.setParameters(theta);
        return before;
    }

    private static void check(DMatrixRMaj similarities, DMatrixRMaj supervision) {
        Checks.finite("similarities", similarities);
        Checks.finite("supervision", supervision);
        Checks.shape("supervision", supervision, similarities.numRows, similarities.numCols);
    }
}

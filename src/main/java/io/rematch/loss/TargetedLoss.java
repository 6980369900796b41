package io.rematch.loss;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * A loss between the model's matching probabilities and soft targets: L2RM's rematch losses
 * (Han et al., CVPR 2024, Section 3.3), whose targets are the partial transport plan \(\pi\) of
 * the noisy batch, recomputed for every batch.
 *
 * <p>The score matrix \(S\) is \(n \times m\) (rows: the images of the queue, columns: the
 * captions); the targets have the same shape, non-negative entries and are normalised by the
 * loss itself ({@link SoftTargets}). The gradient is \(\partial L/\partial S\) with the
 * targets held constant (L2RM computes \(\pi\) under {@code torch.no_grad()}).
 *
 * <p>{@link #withTargets} adapts a loss with fixed targets to the {@link ScoreLoss} interface,
 * for the command line and the shared gradient contract.
 */
public interface TargetedLoss {

    /**
     * Evaluates the loss and its gradient \(\partial L / \partial S\).
     *
     * @param scores  finite \(n \times m\) score matrix (not modified)
     * @param targets finite, non-negative \(n \times m\) matrix, e.g. a transport plan (not modified)
     * @param workspace buffers to reuse; the returned gradient is its buffer
     * @throws IllegalArgumentException naming {@code scores} or {@code targets} if either is
     *                                  empty, non-finite, of the wrong shape, or the targets are negative
     *                                  or have an all-zero row or column that the loss refuses
     */
    LossValue evaluate(DMatrixRMaj scores, DMatrixRMaj targets, LossWorkspace workspace);

    /** As {@link #evaluate(DMatrixRMaj, DMatrixRMaj, LossWorkspace)} with fresh buffers. */
    default LossValue evaluate(DMatrixRMaj scores, DMatrixRMaj targets) {
        return evaluate(scores, targets, new LossWorkspace());
    }

    /** The command-line name, e.g. {@code sym-kl}. */
    String name();

    /**
     * This loss with fixed targets, as a {@link ScoreLoss}. The targets are copied; their
     * entries are checked now, their shape against each score matrix.
     */
    default FixedTargets withTargets(DMatrixRMaj targets) {
        Checks.finite("targets", targets);
        return new FixedTargets(this, targets.copy());
    }

    /**
     * A targeted loss with its targets fixed, as a {@link ScoreLoss} (a backend can look inside it
     * and evaluate the loss on a device).
     *
     * @param loss    the loss
     * @param targets its targets (not modified)
     */
    record FixedTargets(TargetedLoss loss, DMatrixRMaj targets) implements ScoreLoss {
        @Override
        public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
            return loss.evaluate(scores, targets, workspace);
        }

        @Override
        public String name() {
            return loss.name();
        }
    }
}

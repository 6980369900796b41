package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * A loss on a batch score matrix \(S\) (\(N \times N\), \(S_{ij}\) the similarity of image
 * \(i\) and text \(j\); the diagonal holds the given, possibly mismatched, pairs).
 *
 * <p>Every implementation returns its value together with \(\partial L / \partial S\), checked
 * against central finite differences by one shared contract test, finite in stable mode at every
 * scale of the scores ({@link LossValue}).
 */
public interface ScoreLoss {

    /**
     * Evaluates the loss and its gradient, reusing {@code workspace}'s buffers; the returned
     * gradient is the workspace's buffer.
     *
     * @param scores    square, finite score matrix (not modified)
     * @param workspace buffers to reuse (see {@link LossWorkspace})
     * @throws IllegalArgumentException naming {@code scores} if it is empty, not square or not
     *                                  finite, or (stable mode) if the loss is beyond double range
     */
    LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace);

    /** As {@link #evaluate(DMatrixRMaj, LossWorkspace)} with fresh buffers. */
    default LossValue evaluate(DMatrixRMaj scores) {
        return evaluate(scores, new LossWorkspace());
    }

    /** The command-line name of this loss, e.g. {@code ccl-log}. */
    String name();
}

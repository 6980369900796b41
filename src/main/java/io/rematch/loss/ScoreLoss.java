package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * A loss on a batch score matrix \(S\) (\(N \times N\), \(S_{ij}\) the similarity of image
 * \(i\) and text \(j\); the diagonal holds the given, possibly mismatched, pairs).
 *
 * <p>Every implementation returns its value together with \(\partial L / \partial S\), checked
 * against central finite differences by one shared contract test.
 */
public interface ScoreLoss {

    /**
     * Evaluates the loss and its gradient.
     *
     * @param scores square, finite score matrix (not modified)
     * @throws IllegalArgumentException naming {@code scores} if it is empty, not square or not finite
     */
    LossValue evaluate(DMatrixRMaj scores);

    /** The command-line name of this loss, e.g. {@code ccl-log}. */
    String name();
}

package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * A loss value and its analytic gradient with respect to the score matrix \(S\) (the raw
 * similarities, before any division by a temperature); the gradient has the shape of \(S\).
 */
public record LossValue(double value, DMatrixRMaj gradient) {
}

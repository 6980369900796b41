package io.rematch.loss;

import io.rematch.prob.Mode;

/**
 * A penalty \(\phi(p)\) applied to one matching probability; the losses of RCL sum it over
 * selected entries of the two softmax directions.
 *
 * <p>The gradient only ever needs \(p\,\phi'(p)\) (the softmax Jacobian multiplies by \(p\)),
 * which stays finite for \(\phi = -\log\) at \(p \to 0\); so that is what is asked for.
 * Both methods receive \(1 - p\) computed without cancellation (see
 * {@link io.rematch.prob.SoftmaxStatistics#rowComplement}).
 */
public interface EntryPenalty {

    /**
     * \(\phi(p)\).
     *
     * @param p         the probability
     * @param oneMinusP \(1 - p\), accurate even when \(p \to 1\)
     * @param logP      \(\log p\), accurate even when \(p\) underflows
     * @param mode      stable or faithful (release) formulas
     */
    double value(double p, double oneMinusP, double logP, Mode mode);

    /** \(p\,\phi'(p)\), with the same arguments. */
    double pTimesDerivative(double p, double oneMinusP, Mode mode);
}

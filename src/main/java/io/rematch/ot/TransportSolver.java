package io.rematch.ot;

import org.ejml.data.DMatrixRMaj;

/**
 * An entropic optimal-transport solver: a plan between histograms {@code a} (rows) and
 * {@code b} (columns) for a cost matrix. Every implementation passes the same contract tests
 * ({@code TransportContractProperties}): a plan that is non-negative and finite, with the
 * marginal and mass constraints of its problem.
 */
public interface TransportSolver {

    /**
     * Solves for the plan.
     *
     * @param cost {@code n x m}, finite
     * @param a    row masses, length {@code n}, finite and \(\ge 0\)
     * @param b    column masses, length {@code m}, finite and \(\ge 0\)
     * @throws IllegalArgumentException naming {@code cost}, {@code a}, {@code b} (or the
     *                                  solver's own parameter) when the problem is malformed
     */
    TransportResult solve(DMatrixRMaj cost, double[] a, double[] b);

    /** A short name for messages and reports (e.g. {@code sinkhorn}). */
    String name();
}

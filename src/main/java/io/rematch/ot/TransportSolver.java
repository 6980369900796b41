package io.rematch.ot;

import io.rematch.mask.PairMask;
import org.ejml.data.DMatrixRMaj;

/**
 * An entropic optimal-transport solver: a plan between histograms {@code a} (rows) and
 * {@code b} (columns) for a cost matrix, optionally with forbidden entries. Every
 * implementation passes the same contract tests ({@code TransportContractProperties}): a plan
 * that is non-negative and finite, exactly 0 on forbidden entries, and, when the result says
 * {@code converged}, within the constraints of its problem. {@link Transports} makes one by
 * name.
 */
public interface TransportSolver {

    /**
     * Solves for the plan.
     *
     * @param cost      {@code n x m}, finite
     * @param a         row masses, length {@code n}, finite and \(\ge 0\)
     * @param b         column masses, length {@code m}, finite and \(\ge 0\)
     * @param forbidden entries the plan must not use, or {@code null} for none (balanced solvers
     *                  take none: a mask can make their marginals infeasible)
     * @throws IllegalArgumentException naming {@code cost}, {@code a}, {@code b}, {@code mask} (or
     *                                  the solver's own parameter) when the problem is malformed
     */
    TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden);

    /** {@link #solve(DMatrixRMaj, double[], double[], PairMask)} with nothing forbidden. */
    default TransportResult solve(DMatrixRMaj cost, double[] a, double[] b) {
        return solve(cost, a, b, null);
    }

    /** Uniform marginals \(a = \mathbf 1/n\), \(b = \mathbf 1/m\), nothing forbidden. */
    default TransportResult solve(DMatrixRMaj cost) {
        TransportArguments.cost(cost);
        return solve(cost, TransportArguments.uniform(cost.numRows), TransportArguments.uniform(cost.numCols), null);
    }

    /** The method's name, as {@link Transports#create} takes it (e.g. {@code sinkhorn}). */
    String name();

    /** How this solver stops. */
    Stopping stopping();
}

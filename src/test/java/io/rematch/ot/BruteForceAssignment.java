package io.rematch.ot;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * Exact optimal assignment of a small square cost matrix by enumerating all \(n!\)
 * permutations (Heap's algorithm), for tests: the optimal transport between uniform marginals
 * \(\mathbf 1/n\) is \(1/n\) times a permutation matrix (Birkhoff-von Neumann: the vertices of
 * the transport polytope are permutation matrices), so as \(\varepsilon \to 0\) the entropic
 * cost \(\langle C, \pi_\varepsilon\rangle\) tends to \(\min_\sigma \sum_i C_{i\sigma(i)} / n\).
 * Limited to \(n \le\) {@link #MAX_SIZE} (5,040 permutations).
 */
public final class BruteForceAssignment {

    /** Largest n accepted: 7! = 5,040 permutations. */
    public static final int MAX_SIZE = 7;

    /**
     * An optimal assignment.
     *
     * @param permutation row {@code i} is assigned to column {@code permutation[i]}
     * @param cost        \(\sum_i C_{i,\sigma(i)}\)
     */
    public record Assignment(int[] permutation, double cost) {
    }

    private BruteForceAssignment() {
    }

    /** The minimum-cost permutation (the first found among ties). */
    public static Assignment solve(DMatrixRMaj cost) {
        Checks.squareFinite("cost", cost);
        int n = cost.numRows;
        if (n > MAX_SIZE) {
            throw new IllegalArgumentException("cost must be at most " + MAX_SIZE + " x " + MAX_SIZE
                    + " for brute force (n! permutations), got " + n + " x " + n);
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        int[] best = perm.clone();
        double bestCost = total(cost, perm);
        int[] c = new int[n];
        int i = 1;
        while (i < n) {   // Heap's algorithm, iterative form
            if (c[i] < i) {
                int k = (i % 2 == 0) ? 0 : c[i];
                int t = perm[k];
                perm[k] = perm[i];
                perm[i] = t;
                double v = total(cost, perm);
                if (v < bestCost) {
                    bestCost = v;
                    best = perm.clone();
                }
                c[i]++;
                i = 1;
            } else {
                c[i] = 0;
                i++;
            }
        }
        return new Assignment(best, bestCost);
    }

    private static double total(DMatrixRMaj cost, int[] perm) {
        double s = 0;
        for (int i = 0; i < perm.length; i++) {
            s += cost.data[i * cost.numCols + perm[i]];
        }
        return s;
    }
}

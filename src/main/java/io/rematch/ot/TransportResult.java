package io.rematch.ot;

import org.ejml.data.DMatrixRMaj;

/**
 * What an optimal-transport solver returns: the plan \(\pi\) and how the iteration ended.
 *
 * <p>Solvers never throw when they reach their iteration cap: they return the last iterate with
 * {@code converged = false} and a {@link #warning()}, as POT does with
 * {@code warnings.warn("Sinkhorn did not converge...")}. The library prints nothing; the
 * command line prints the warning once. Caller mistakes (bad marginals, a negative
 * regularisation, ...) throw {@link IllegalArgumentException} before any iteration.
 *
 * @param plan       the transport plan, {@code rows x cols} of the cost, entries \(\ge 0\) and finite
 * @param iterations iterations whose result is in {@code plan} (POT's {@code log['niter'] + 1})
 * @param errors     the stopping errors in the order they were computed (each solver documents
 *                   which error and how often; POT's {@code log['err']})
 * @param error      the last computed stopping error ({@code NaN} if none was computed)
 * @param converged  whether the stopping rule was met before the iteration cap <em>and</em> the
 *                   plan meets the constraints of its problem ({@link Stopping})
 * @param warning    why the solver did not converge, or what else the caller should know;
 *                   {@code null} when there is nothing to say
 */
public record TransportResult(DMatrixRMaj plan, int iterations, double[] errors, double error,
                              boolean converged, String warning) {

    /** Rejects a missing plan or a negative iteration count (a solver bug, not a caller's). */
    public TransportResult {
        if (plan == null || errors == null || iterations < 0) {
            throw new IllegalArgumentException("a transport result needs a plan, an error history and iterations >= 0");
        }
    }

    /** \(\pi \mathbf 1\): the mass leaving each row. */
    public double[] rowSums() {
        double[] s = new double[plan.numRows];
        int m = plan.numCols;
        for (int i = 0; i < plan.numRows; i++) {
            double t = 0;
            for (int j = 0; j < m; j++) {
                t += plan.data[i * m + j];
            }
            s[i] = t;
        }
        return s;
    }

    /** \(\pi^\top \mathbf 1\): the mass arriving in each column. */
    public double[] colSums() {
        double[] s = new double[plan.numCols];
        int m = plan.numCols;
        for (int i = 0; i < plan.numRows; i++) {
            for (int j = 0; j < m; j++) {
                s[j] += plan.data[i * m + j];
            }
        }
        return s;
    }

    /** \(\mathbf 1^\top \pi \mathbf 1\): the total transported mass. */
    public double mass() {
        double t = 0;
        for (int k = 0; k < plan.numRows * plan.numCols; k++) {
            t += plan.data[k];
        }
        return t;
    }

    /** \(\langle C, \pi \rangle = \sum_{ij} C_{ij} \pi_{ij}\), the transport cost (POT's {@code partial_w_dist}). */
    public double cost(DMatrixRMaj c) {
        if (c == null || c.numRows != plan.numRows || c.numCols != plan.numCols) {
            throw new IllegalArgumentException("cost must be " + plan.numRows + " x " + plan.numCols
                    + " like the plan, got " + (c == null ? "none" : c.numRows + " x " + c.numCols));
        }
        double t = 0;
        for (int k = 0; k < plan.numRows * plan.numCols; k++) {
            t += c.data[k] * plan.data[k];
        }
        return t;
    }

    /** \(\max_i ((\pi \mathbf 1)_i - a_i)\): positive where a row sends more than it has. */
    public double maxRowExcess(double[] a) {
        return maxExcess(rowSums(), a, "a");
    }

    /** \(\max_j ((\pi^\top \mathbf 1)_j - b_j)\): positive where a column receives more than it takes. */
    public double maxColExcess(double[] b) {
        return maxExcess(colSums(), b, "b");
    }

    /**
     * For each row, the column of its largest plan entry, or -1 where the row carries no mass
     * (ties go to the first column): what the plan proposes to match each row with.
     */
    public int[] rowArgMax() {
        int m = plan.numCols;
        int[] pick = new int[plan.numRows];
        for (int i = 0; i < plan.numRows; i++) {
            int best = -1;
            double top = 0;
            for (int j = 0; j < m; j++) {
                double v = plan.data[i * m + j];
                if (v > top) {
                    top = v;
                    best = j;
                }
            }
            pick[i] = best;
        }
        return pick;
    }

    private static double maxExcess(double[] sums, double[] cap, String name) {
        if (cap == null || cap.length != sums.length) {
            throw new IllegalArgumentException(name + " must have length " + sums.length + ", got "
                    + (cap == null ? "none" : cap.length));
        }
        double e = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < sums.length; k++) {
            e = Math.max(e, sums[k] - cap[k]);
        }
        return e;
    }
}

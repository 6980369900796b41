package io.rematch.ot;

import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Balanced entropic optimal transport by Sinkhorn iterations in the log domain, following POT
 * 0.8.2's {@code ot.bregman.sinkhorn_log} step by step (Peyré and Cuturi, "Computational Optimal
 * Transport", 2019, Remark 4.23 / Eq. 4.43-4.44).
 *
 * <p>Same problem and solution as {@link SinkhornKnopp}, written with the log-scalings
 * \(f = \log u\), \(g = \log v\) and \(\tilde M = -C/\varepsilon\), so that
 * \(\log \pi_{ij} = \tilde M_{ij} + f_i + g_j\). From \(f = g = 0\), each iteration updates
 * \(g\) first, then \(f\):
 * \[ g_j \leftarrow \log b_j - \operatorname{lse}_i(\tilde M_{ij} + f_i), \qquad
 *    f_i \leftarrow \log a_i - \operatorname{lse}_j(\tilde M_{ij} + g_j), \]
 * with the max-shifted log-sum-exp of {@code scipy.special.logsumexp}. Every 10th iteration
 * (0, 10, 20, ...) the column-marginal error
 * \(\|\sum_i e^{\tilde M_{ij} + f_i + g_j} - b_j\|_2\) is computed; stop when it is below the
 * tolerance (default \(10^{-9}\)), at most 1000 iterations (POT's defaults). The plan is
 * \(\pi_{ij} = e^{\tilde M_{ij} + f_i + g_j}\).
 *
 * <p>No exponential of \(-C/\varepsilon\) alone is ever taken, so the iteration stays finite
 * where the Gibbs kernel underflows (small \(\varepsilon\)): entries of \(\pi\) below
 * \(10^{-308}\) are 0, but no row or column is lost. Cost: \(2nm\) exponentials per iteration.
 * {@code -C/reg} is stored twice (row-major and transposed) so that both reductions read
 * contiguous memory; the column reduction of the next iteration also gives the stopping error.
 */
public final class LogSinkhorn implements TransportSolver {

    private final double reg;
    private final int maxIterations;
    private final double tolerance;

    /** POT's defaults: 1000 iterations, tolerance \(10^{-9}\). */
    public LogSinkhorn(double reg) {
        this(reg, SinkhornKnopp.DEFAULT_MAX_ITERATIONS, SinkhornKnopp.DEFAULT_TOLERANCE);
    }

    /**
     * @param reg           entropic regularisation \(\varepsilon > 0\)
     * @param maxIterations iteration cap \(\ge 1\)
     * @param tolerance     stop when the column-marginal error is below this (\(\ge 0\))
     */
    public LogSinkhorn(double reg, int maxIterations, double tolerance) {
        this.reg = TransportArguments.reg(reg);
        this.maxIterations = TransportArguments.maxIterations(maxIterations);
        this.tolerance = TransportArguments.tolerance(tolerance);
    }

    @Override
    public String name() {
        return "sinkhorn-log";
    }

    /** Uniform marginals \(a = \mathbf 1/n\), \(b = \mathbf 1/m\). */
    public TransportResult solve(DMatrixRMaj cost) {
        return solve(cost, TransportArguments.uniform(cost.numRows), TransportArguments.uniform(cost.numCols));
    }

    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b) {
        TransportArguments.cost(cost);
        final int n = cost.numRows;
        final int m = cost.numCols;
        TransportArguments.histogram("a", a, n);
        TransportArguments.histogram("b", b, m);

        double[] mr = new double[n * m];
        for (int e = 0; e < n * m; e++) {
            mr[e] = -cost.data[e] / reg;
        }
        double[] mrT = LogSumExp.transpose(mr, n, m);
        double[] loga = LogSumExp.log(a);
        double[] logb = LogSumExp.log(b);
        double[] f = new double[n];
        double[] g = new double[m];
        double[] colLse = new double[m];   // lse_i(Mr_ij + f_i) for the current f
        columnLse(mrT, n, m, f, colLse);

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean converged = false;
        int done = 0;
        for (int ii = 0; ii < maxIterations; ii++) {
            for (int j = 0; j < m; j++) {
                g[j] = logb[j] - colLse[j];
            }
            for (int i = 0; i < n; i++) {
                f[i] = loga[i] - LogSumExp.of(mr, i * m, g, m);
            }
            columnLse(mrT, n, m, f, colLse);
            done = ii + 1;
            if (ii % SinkhornKnopp.CHECK_EVERY == 0) {
                double e2 = 0;
                for (int j = 0; j < m; j++) {
                    double d = Math.exp(g[j] + colLse[j]) - b[j];
                    e2 += d * d;
                }
                err = Math.sqrt(e2);
                errors.add(err);
                if (err < tolerance) {
                    converged = true;
                    break;
                }
            }
        }
        String warning = converged ? null
                : Warnings.notConverged("Sinkhorn (log domain)", done, err, tolerance, "increase the iteration cap or reg");
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int j = 0; j < m; j++) {
                mr[row + j] = Math.exp(mr[row + j] + f[i] + g[j]);
            }
        }
        return new TransportResult(DMatrixRMaj.wrap(n, m, mr), done, SinkhornKnopp.toArray(errors), err, converged, warning);
    }

    /** {@code out[j] = lse_i(mrT[j][i] + w[i])}, reading the transposed {@code m x n} array by rows. */
    static void columnLse(double[] mrT, int n, int m, double[] w, double[] out) {
        for (int j = 0; j < m; j++) {
            out[j] = LogSumExp.of(mrT, j * n, w, n);
        }
    }
}

package io.rematch.ot;

import io.rematch.mask.PairMask;
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
 * tolerance (default \(10^{-9}\)) times \(\|b\|_1\), at most 1000 iterations (POT's defaults,
 * its tolerance made relative as in {@link SinkhornKnopp}). The plan is
 * \(\pi_{ij} = e^{\tilde M_{ij} + f_i + g_j}\).
 *
 * <p>The potentials are those of the log-domain algorithm, so the iteration stays finite where
 * the Gibbs kernel \(e^{-C/\varepsilon}\) underflows (small \(\varepsilon\)): entries of
 * \(\pi\) below \(10^{-308}\) are 0, but no row or column is lost. The two reductions are
 * evaluated by {@link AbsorbedLogKernel}: matrix-vector products on a cached kernel
 * \(e^{\tilde M + F \oplus G}\) whose reference potentials follow \(f, g\) (exact
 * exponential reductions where the cache cannot be trusted, e.g. in the first iterations at
 * small \(\varepsilon\)). One pass over the cache per iteration: row \(i\) gives \(f_i\) and,
 * while in cache, its share of the next iteration's column reductions, which also give the
 * stopping error. Same iterates as POT's {@code sinkhorn_log} to \(10^{-10}\) (tested), at the
 * speed of {@link SinkhornKnopp} once the potentials settle.
 *
 * <p>Literal form: {@link LiteralSinkhorn#logDomain} ({@code LiteralTransportTest}).
 */
public final class LogSinkhorn implements TransportSolver {

    private final double reg;
    private final Stopping stopping;

    /** POT's defaults: 1000 iterations, tolerance \(10^{-9}\) ({@link Stopping#marginals()}). */
    public LogSinkhorn(double reg) {
        this(reg, Stopping.marginals());
    }

    /**
     * @param reg      entropic regularisation \(\varepsilon > 0\)
     * @param stopping {@link Stopping.Rule#MARGINALS}, as {@link SinkhornKnopp}
     */
    public LogSinkhorn(double reg, Stopping stopping) {
        this.reg = TransportArguments.reg(reg);
        if (stopping == null) {
            throw new IllegalArgumentException("stopping is missing");
        }
        stopping.requireRule("balanced Sinkhorn", Stopping.Rule.MARGINALS);
        this.stopping = stopping;
    }

    @Override
    public String name() {
        return "sinkhorn-log";
    }

    /** The entropic regularisation. */
    public double reg() {
        return reg;
    }

    @Override
    public Stopping stopping() {
        return stopping;
    }

    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] given, PairMask forbidden) {
        final double[] b = TransportArguments.balanced(cost, a, given, forbidden, reg, stopping);
        final int maxIterations = stopping.maxIterations();
        final double massB = SinkhornKnopp.sum(b);
        final int n = cost.numRows;
        final int m = cost.numCols;

        double[] mr = new double[n * m];
        for (int e = 0; e < n * m; e++) {
            mr[e] = -cost.data[e] / reg;
        }
        AbsorbedLogKernel kernel = new AbsorbedLogKernel(mr, n, m);
        double[] loga = LogSumExp.log(a);
        double[] logb = LogSumExp.log(b);
        double[] f = new double[n];
        double[] g = new double[m];
        double[] colLse = new double[m];   // lse_i(Mr_ij + f_i) for the current f
        kernel.columns(f, colLse);
        AbsorbedLogKernel.RowUpdate rowUpdate = (i, lse) -> loga[i] - lse;

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean converged = false;
        int done = 0;
        for (int ii = 0; ii < maxIterations; ii++) {
            for (int j = 0; j < m; j++) {
                g[j] = logb[j] - colLse[j];
            }
            // f_i = log a_i - lse_j(Mr_ij + g_j), and lse_i(Mr_ij + f_i) for the next iteration, in one pass
            kernel.rowsThenColumns(g, rowUpdate, f, colLse, null);
            done = ii + 1;
            if (ii % SinkhornKnopp.CHECK_EVERY == 0) {
                double e2 = 0;
                for (int j = 0; j < m; j++) {
                    double d = Math.exp(g[j] + colLse[j]) - b[j];
                    e2 += d * d;
                }
                err = Math.sqrt(e2) / massB;
                errors.add(err);
                if (err < stopping.tolerance()) {
                    converged = true;
                    break;
                }
            }
        }
        double[] plan = kernel.planInPlace(f, g);
        return Convergence.finish(DMatrixRMaj.wrap(n, m, plan), done, SinkhornKnopp.toArray(errors), err, stopping,
                converged, null, Convergence.Constraints.balanced(a, b, massB), "Sinkhorn (log domain)",
                "increase the iteration cap or reg");
    }

}

package io.rematch.ot;

import io.rematch.mask.PairMask;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Balanced entropic optimal transport by Sinkhorn-Knopp matrix scaling (Cuturi, "Sinkhorn
 * distances: lightspeed computation of optimal transport", NIPS 2013, Algorithm 1), following
 * POT 0.8.2's {@code ot.bregman.sinkhorn_knopp} step by step.
 *
 * <p>The problem: \(\min_{\pi \ge 0,\ \pi \mathbf 1 = a,\ \pi^\top \mathbf 1 = b}
 * \langle C, \pi\rangle - \varepsilon H(\pi)\), whose solution is
 * \(\pi = \operatorname{diag}(u) K \operatorname{diag}(v)\) with the Gibbs kernel
 * \(K = e^{-C/\varepsilon}\). Starting from \(u = \mathbf 1/n\), \(v = \mathbf 1/m\), each
 * iteration updates \(v\) first, then \(u\) (POT's order):
 * \[ v \leftarrow b \oslash K^\top u, \qquad u \leftarrow a \oslash K v. \]
 * Every 10th iteration (0, 10, 20, ...) the column-marginal error
 * \(\|v \odot K^\top u - b\|_2\) is computed and the loop stops once it is below the tolerance
 * times \(\|b\|_1\) ({@link Stopping.Rule#MARGINALS}; POT's {@code stopThr}, default \(10^{-9}\),
 * is absolute: the same test for histograms of total 1, POT's default); at most 1000 iterations
 * (POT's {@code numItermax}). As in POT, if \(K^\top u\) has a zero or \(u, v\) a non-finite
 * entry, the previous \(u, v\) are kept and the loop stops (with a warning). The totals of
 * \(a\) and \(b\) must agree (to the tolerance, at least \(10^{-9}\) relative): the problem
 * has no solution otherwise, and POT would run its cap. Totals that differ by float32 rounding
 * (at most \(10^{-6}\) relative) are reconciled by scaling \(b\) to the total of \(a\).
 *
 * <p>Implementation: the kernel is computed once as \(e^{-(C - \min C)/\varepsilon}\); the
 * constant shift multiplies \(K\) by a scalar, which changes \(v\) by the inverse scalar and
 * leaves \(u\) and every iterate of \(\pi\) unchanged, but keeps the largest kernel entry at 1
 * (no overflow for negative costs). One iteration is one pass over \(K\): row \(i\) gives
 * \((K v)_i\), hence \(u_i\), and while the row is in cache it is added, times \(u_i\), to
 * \(K^\top u\) for the next iteration (which also gives the stopping error for free). If a whole
 * row or column of the kernel underflows, the problem is rejected (naming {@code reg}) with a
 * pointer to {@link LogSinkhorn}, instead of returning NaN.
 *
 * <p>Literal form: {@link LiteralSinkhorn#scaling}, the iteration as plain loops ({@code LiteralTransportTest}).
 */
public final class SinkhornKnopp implements TransportSolver {

    /** POT checks the error every 10th iteration ({@code if ii % 10 == 0}). */
    static final int CHECK_EVERY = 10;

    private final double reg;
    private final Stopping stopping;

    /** POT's defaults: 1000 iterations, tolerance \(10^{-9}\) ({@link Stopping#marginals()}). */
    public SinkhornKnopp(double reg) {
        this(reg, Stopping.marginals());
    }

    /**
     * @param reg      entropic regularisation \(\varepsilon > 0\)
     * @param stopping {@link Stopping.Rule#MARGINALS}: the column-marginal error relative to
     *                 \(\|b\|_1\); tolerance 0 runs exactly the cap
     */
    public SinkhornKnopp(double reg, Stopping stopping) {
        this.reg = TransportArguments.reg(reg);
        if (stopping == null) {
            throw new IllegalArgumentException("stopping is missing");
        }
        stopping.requireRule("balanced Sinkhorn", Stopping.Rule.MARGINALS);
        this.stopping = stopping;
    }

    @Override
    public String name() {
        return "sinkhorn";
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
        final double massB = sum(b);   // the error is relative to the mass
        final int n = cost.numRows;
        final int m = cost.numCols;

        double shift = TransportArguments.min(cost);
        double[] k = new double[n * m];
        for (int e = 0; e < n * m; e++) {
            k[e] = Math.exp((cost.data[e] - shift) / -reg);
        }
        TransportArguments.requireKernelRepresentable(k, n, m, reg, shift, cost, "LogSinkhorn, --method sinkhorn-log", null);

        double[] u = new double[n];
        double[] v = new double[m];
        java.util.Arrays.fill(u, 1.0 / n);
        java.util.Arrays.fill(v, 1.0 / m);
        double[] ktu = new double[m];         // K^T u for the current u
        columnSums(k, n, m, u, ktu);
        double[] uNew = new double[n];
        double[] vNew = new double[m];
        double[] ktuNew = new double[m];
        FusedPass pass = new FusedPass(k, n, m);

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean converged = false;
        String numerical = null;
        int done = 0;
        for (int ii = 0; ii < maxIterations; ii++) {
            boolean bad = false;
            for (int j = 0; j < m; j++) {
                if (ktu[j] == 0) {
                    bad = true;
                }
                vNew[j] = b[j] / ktu[j];
            }
            // u_i = a_i / (K v)_i, and K^T u for the next iteration, in one pass over K
            final double[] uOut = uNew;
            pass.rowsThenColumns(vNew, (i, d) -> uOut[i] = a[i] / d, ktuNew);
            if (!bad) {
                bad = !allFinite(uNew) || !allFinite(vNew);
            }
            if (bad) {
                numerical = "Sinkhorn: numerical errors at iteration " + ii
                        + " (K^T u has a zero or u, v a non-finite entry); returning the previous iterate."
                        + " Use the log-domain solver (LogSinkhorn, --method sinkhorn-log) or a larger reg";
                break;
            }
            double[] t = u; u = uNew; uNew = t;
            t = v; v = vNew; vNew = t;
            t = ktu; ktu = ktuNew; ktuNew = t;
            done = ii + 1;
            if (ii % CHECK_EVERY == 0) {
                double e2 = 0;
                for (int j = 0; j < m; j++) {
                    double d = v[j] * ktu[j] - b[j];
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
        for (int i = 0; i < n; i++) {
            int row = i * m;
            for (int j = 0; j < m; j++) {
                k[row + j] = u[i] * k[row + j] * v[j];
            }
        }
        return Convergence.finish(DMatrixRMaj.wrap(n, m, k), done, toArray(errors), err, stopping, converged, numerical,
                Convergence.Constraints.balanced(a, b, massB), "Sinkhorn", "increase the iteration cap or reg");
    }

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    /** {@code out = K^T w} for a row-major {@code n x m} kernel. */
    static void columnSums(double[] k, int n, int m, double[] w, double[] out) {
        java.util.Arrays.fill(out, 0);
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double wi = w[i];
            for (int j = 0; j < m; j++) {
                out[j] += k[row + j] * wi;
            }
        }
    }

    static boolean allFinite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    static double[] toArray(List<Double> l) {
        double[] r = new double[l.size()];
        for (int k = 0; k < r.length; k++) {
            r[k] = l.get(k);
        }
        return r;
    }
}

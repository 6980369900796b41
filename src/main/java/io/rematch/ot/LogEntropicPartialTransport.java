package io.rematch.ot;

import io.rematch.mask.PairMask;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Entropic partial optimal transport (Benamou et al. 2015; POT's
 * {@code entropic_partial_wasserstein}) in the log domain: the same iterates as
 * {@link EntropicPartialTransport}, kept as logarithms so that they stay finite where
 * \(e^{-C/\varepsilon}\) underflows, where POT returns NaN (POT issue #723).
 *
 * <p>With \(L_0 = -C/\varepsilon\) and the factorisation
 * \(K = \gamma \operatorname{diag}(\alpha) e^{L_0} \operatorname{diag}(\beta)\) derived in
 * {@link EntropicPartialTransport}, one iteration is, for \(x = \log\alpha\), \(y = \log\beta\),
 * \(c = \log\gamma\):
 * \[ x_i \leftarrow \min\big(\log a_i - c - \operatorname{lse}_j(L_{0,ij} + y_j),\ 0\big),\quad
 *    \ell_j = \operatorname{lse}_i(L_{0,ij} + x_i),\quad
 *    y_j \leftarrow \min\big(\log b_j - c - \ell_j,\ 0\big),\quad
 *    c \leftarrow \log \mathfrak m - \operatorname{lse}_j(\ell_j + y_j), \]
 * from \(x = y = 0\), \(c = \log\mathfrak m - \operatorname{lse}_{ij} L_{0,ij}\).
 *
 * <p><b>Stopping</b>: the rules of {@link EntropicPartialTransport}. {@link Stopping.Rule#MARGINALS}
 * (the default) tests the optimality conditions of the plan every iteration from the same
 * reductions (\(x_i &lt; 0\) is an active row scaling). {@link Stopping.Rule#PLAN_CHANGE} is POT's:
 * every 10th iteration \(\|K_{\text{prev}} - K\|_F\) (one extra pass over the cache), loop while
 * it exceeds the tolerance, with one refinement: a change of exactly 0 ends the loop only if
 * \(x, y, c\) did not change either, because where \(e^{L_0}\) underflows the plan can look
 * unchanged while the iteration is still moving mass onto the underflowing entries (POT cannot
 * get there: it returns NaN); a plan it stops on is then checked against its constraints. Cost:
 * \(2nm\) exponentials per iteration until the potentials settle, a multiply-add per entry after
 * ({@link AbsorbedLogKernel}); the plan \(e^{L_{0,ij} + x_i + y_j + c}\) has exact zeros only where
 * it is below \(10^{-308}\) or forbidden by the mask.
 */
public final class LogEntropicPartialTransport implements TransportSolver {

    private final double reg;
    private final double mass;
    private final Stopping stopping;

    /** Stops on the marginals ({@link Stopping#marginals()}). */
    public LogEntropicPartialTransport(double reg, double mass) {
        this(reg, mass, Stopping.marginals());
    }

    /** As {@link EntropicPartialTransport#EntropicPartialTransport(double, double, Stopping)}. */
    public LogEntropicPartialTransport(double reg, double mass, Stopping stopping) {
        this.reg = TransportArguments.reg(reg);
        this.mass = TransportArguments.massParameter(mass);
        if (stopping == null) {
            throw new IllegalArgumentException("stopping is missing");
        }
        stopping.requireRule("entropic partial OT", Stopping.Rule.MARGINALS, Stopping.Rule.PLAN_CHANGE);
        this.stopping = stopping;
    }

    @Override
    public String name() {
        return "partial-log";
    }

    /** The entropic regularisation. */
    public double reg() {
        return reg;
    }

    /** The mass parameter (as given; {@link TransportArguments#partial} turns it into the transported mass). */
    public double mass() {
        return mass;
    }

    @Override
    public Stopping stopping() {
        return stopping;
    }

    /** Solves with the entries of {@code forbidden} at 0 ({@code null}: none). */
    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden) {
        final double mTarget = TransportArguments.partial(cost, a, b, mass, forbidden, reg);
        final int n = cost.numRows;
        final int m = cost.numCols;
        final boolean marginals = stopping.rule() == Stopping.Rule.MARGINALS;
        final double tol = stopping.tolerance();
        double[] l0 = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                l0[i * m + j] = forbidden != null && forbidden.contains(i, j) ? Double.NEGATIVE_INFINITY : -cost.data[i * m + j] / reg;
            }
        }
        AbsorbedLogKernel kernel = new AbsorbedLogKernel(l0, n, m);
        double[] loga = LogSumExp.log(a);
        double[] logb = LogSumExp.log(b);
        double logMass = Math.log(mTarget);

        double[] colLse = new double[m];
        kernel.columns(new double[n], colLse);
        final double[] cHolder = {logMass - LogSumExp.of(colLse)};   // c = log m - lse_ij L0_ij
        double[] x = new double[n];
        double[] y = new double[m];
        double[] xPrev = new double[n];
        double[] yPrev = new double[m];
        double[] rowPot = new double[n];       // x + c: the engine's row potentials
        double[] ellPlusY = new double[m];
        final boolean[] checkRows = {false};
        final double[] rowResidual = new double[n];   // per row: the rows may run concurrently
        AbsorbedLogKernel.RowUpdate rowUpdate = (i, lse) -> {
            double c = cHolder[0];
            if (checkRows[0]) {   // row i of the committed plan, before x_i moves on
                double r = Math.exp(x[i] + c + lse);
                rowResidual[i] = x[i] < 0 ? Math.abs(r - a[i]) : r - a[i];
            }
            x[i] = a[i] == 0 ? Double.NEGATIVE_INFINITY : Math.min(loga[i] - c - lse, 0);
            return x[i] + c;
        };

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        double colResidual = Double.NaN;
        boolean ruleMet = false;
        String numerical = null;
        int done = 0;
        for (int cpt = 0; ; cpt++) {
            checkRows[0] = marginals && done > 0;
            if (cpt == stopping.maxIterations() && !checkRows[0]) {
                break;
            }
            System.arraycopy(x, 0, xPrev, 0, n);
            System.arraycopy(y, 0, yPrev, 0, m);
            double cPrev = cHolder[0];
            // x_i = min(log a_i - c - lse_j(L0_ij + y_j), 0), then lse_i(L0_ij + x_i + c) per column
            kernel.rowsThenColumns(y, rowUpdate, rowPot, colLse, null);
            if (checkRows[0]) {
                double rows = 0;
                for (int i = 0; i < n; i++) {
                    rows = Math.max(rows, rowResidual[i]);
                }
                err = Math.max(rows, colResidual) / mTarget;
                errors.add(err);
                if (tol > 0 && !(err > tol)) {
                    ruleMet = true;
                }
            }
            if (ruleMet || cpt == stopping.maxIterations()) {
                System.arraycopy(xPrev, 0, x, 0, n);   // this pass only tested the committed plan
                break;
            }
            for (int j = 0; j < m; j++) {
                double ell = colLse[j] - cPrev;
                y[j] = b[j] == 0 ? Double.NEGATIVE_INFINITY : Math.min(logb[j] - cPrev - ell, 0);
                ellPlusY[j] = ell + y[j];
            }
            double c = logMass - LogSumExp.of(ellPlusY);
            if (Double.isNaN(c) || Double.isInfinite(c) || hasNaN(x) || hasNaN(y)) {
                System.arraycopy(xPrev, 0, x, 0, n);
                System.arraycopy(yPrev, 0, y, 0, m);
                numerical = "entropic partial OT (log domain): numerical errors at iteration " + cpt
                        + "; returning the previous iterate";
                break;
            }
            cHolder[0] = c;
            done = cpt + 1;
            if (marginals) {
                double worst = 0;
                for (int j = 0; j < m; j++) {
                    double col = Math.exp(c + ellPlusY[j]);   // column j of the committed plan
                    worst = Math.max(worst, y[j] < 0 ? Math.abs(col - b[j]) : col - b[j]);
                }
                colResidual = worst;
            } else if (cpt % EntropicPartialTransport.CHECK_EVERY == 0) {
                err = kernel.change(plus(xPrev, cPrev), yPrev, plus(x, c), y);
                errors.add(err);
                // The plan can look unchanged while the Dykstra state still moves: entries that
                // underflow in e^{...} hide mass that later iterations must move (a row costing
                // 1000 reg more than the rest). Stop only when the factors are stationary too.
                boolean stationary = c == cPrev && java.util.Arrays.equals(x, xPrev) && java.util.Arrays.equals(y, yPrev);
                if (tol > 0 && !(err > tol) && (err > 0 || stationary)) {
                    ruleMet = true;
                    break;
                }
            }
        }
        double[] plan = kernel.planInPlace(plus(x, cHolder[0]), y);
        return Convergence.finish(DMatrixRMaj.wrap(n, m, plan), done, SinkhornKnopp.toArray(errors), err, stopping,
                ruleMet, numerical, Convergence.Constraints.partial(a, b, mTarget), "entropic partial OT (log domain)",
                marginals ? "increase the iteration cap or reg"
                        : "POT's tolerance 1e-100 runs to the cap unless an iterate repeats exactly; the marginals rule stops when the plan is optimal");
    }

    private static double[] plus(double[] v, double c) {
        double[] r = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            r[k] = v[k] + c;
        }
        return r;
    }

    private static boolean hasNaN(double[] v) {
        for (double d : v) {
            if (Double.isNaN(d)) {
                return true;
            }
        }
        return false;
    }
}

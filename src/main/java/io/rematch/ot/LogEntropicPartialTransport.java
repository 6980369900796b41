package io.rematch.ot;

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
 * from \(x = y = 0\), \(c = \log\mathfrak m - \operatorname{lse}_{ij} L_{0,ij}\). Same stopping
 * rule as POT: every 10th iteration \(\|K_{\text{prev}} - K\|_F\) (one extra pass with two
 * exponentials per entry), loop while it exceeds the tolerance (default \(10^{-100}\)), at most
 * 1000 iterations; one refinement: a change of exactly 0 ends the loop only if \(x, y, c\) did
 * not change either, because where \(e^{L_0}\) underflows the plan can look unchanged while the
 * iteration is still moving mass onto the underflowing entries (POT cannot get there: it
 * returns NaN). Cost: \(2nm\) exponentials per iteration (\(2.2 nm\) with the checks); the
 * plan \(e^{L_{0,ij} + x_i + y_j + c}\) has exact zeros only where it is below \(10^{-308}\) or
 * forbidden by the mask.
 */
public final class LogEntropicPartialTransport implements TransportSolver {

    private final double reg;
    private final double mass;
    private final int maxIterations;
    private final double tolerance;

    /** POT's defaults: 1000 iterations, tolerance \(10^{-100}\). */
    public LogEntropicPartialTransport(double reg, double mass) {
        this(reg, mass, EntropicPartialTransport.DEFAULT_MAX_ITERATIONS, EntropicPartialTransport.DEFAULT_TOLERANCE);
    }

    /** As {@link EntropicPartialTransport#EntropicPartialTransport(double, double, int, double)}. */
    public LogEntropicPartialTransport(double reg, double mass, int maxIterations, double tolerance) {
        this.reg = TransportArguments.reg(reg);
        if (!(mass > 0) || !Double.isFinite(mass)) {
            throw new IllegalArgumentException("mass must be a finite number > 0, got " + mass);
        }
        this.mass = mass;
        this.maxIterations = TransportArguments.maxIterations(maxIterations);
        this.tolerance = TransportArguments.tolerance(tolerance);
    }

    @Override
    public String name() {
        return "partial-log";
    }

    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b) {
        return solve(cost, a, b, null);
    }

    /** Solves with the entries of {@code mask} forbidden ({@code null}: none). */
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, TransportMask mask) {
        TransportArguments.cost(cost);
        final int n = cost.numRows;
        final int m = cost.numCols;
        double sumA = TransportArguments.histogram("a", a, n);
        double sumB = TransportArguments.histogram("b", b, m);
        final double mTarget = TransportArguments.mass(mass, sumA, sumB);
        if (mask != null) {
            mask.requireFeasible("mask", n, m);
        }
        double[] l0 = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                l0[i * m + j] = mask != null && mask.forbidden(i, j) ? Double.NEGATIVE_INFINITY : -cost.data[i * m + j] / reg;
            }
        }
        double[] l0T = LogSumExp.transpose(l0, n, m);
        double[] loga = LogSumExp.log(a);
        double[] logb = LogSumExp.log(b);
        double logMass = Math.log(mTarget);

        double[] zerosM = new double[m];
        double[] rowLse = new double[n];
        for (int i = 0; i < n; i++) {
            rowLse[i] = LogSumExp.of(l0, i * m, zerosM, m);
        }
        double c = logMass - LogSumExp.of(rowLse);
        double[] x = new double[n];
        double[] y = new double[m];
        double[] xPrev = new double[n];
        double[] yPrev = new double[m];
        double[] ell = new double[m];
        double[] ellPlusY = new double[m];

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean converged = false;
        String warning = null;
        int done = 0;
        for (int cpt = 0; cpt < maxIterations; cpt++) {
            System.arraycopy(x, 0, xPrev, 0, n);
            System.arraycopy(y, 0, yPrev, 0, m);
            double cPrev = c;
            for (int i = 0; i < n; i++) {
                x[i] = a[i] == 0 ? Double.NEGATIVE_INFINITY
                        : Math.min(loga[i] - c - LogSumExp.of(l0, i * m, y, m), 0);
            }
            for (int j = 0; j < m; j++) {
                ell[j] = LogSumExp.of(l0T, j * n, x, n);
                y[j] = b[j] == 0 ? Double.NEGATIVE_INFINITY : Math.min(logb[j] - c - ell[j], 0);
                ellPlusY[j] = ell[j] + y[j];
            }
            c = logMass - LogSumExp.of(ellPlusY);
            if (Double.isNaN(c) || Double.isInfinite(c) || hasNaN(x) || hasNaN(y)) {
                System.arraycopy(xPrev, 0, x, 0, n);
                System.arraycopy(yPrev, 0, y, 0, m);
                c = cPrev;
                warning = Warnings.warn("entropic partial OT (log domain): numerical errors at iteration " + cpt
                        + "; returning the previous iterate");
                break;
            }
            done = cpt + 1;
            if (cpt % EntropicPartialTransport.CHECK_EVERY == 0) {
                err = change(l0, n, m, xPrev, yPrev, cPrev, x, y, c);
                errors.add(err);
                // The plan can look unchanged while the Dykstra state still moves: entries that
                // underflow in e^{...} hide mass that later iterations must move (a row costing
                // 1000 reg more than the rest). Stop only when the factors are stationary too.
                boolean stationary = c == cPrev && java.util.Arrays.equals(x, xPrev) && java.util.Arrays.equals(y, yPrev);
                if (tolerance > 0 && !(err > tolerance) && (err > 0 || stationary)) {
                    converged = true;
                    break;
                }
            }
        }
        if (!converged && warning == null) {
            warning = Warnings.notConverged("entropic partial OT (log domain)", done, err, tolerance,
                    "the plan is the last iterate (POT's default tolerance 1e-100 always runs the full cap)");
        }
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double xi = x[i] + c;
            for (int j = 0; j < m; j++) {
                l0[row + j] = Math.exp(l0[row + j] + xi + y[j]);
            }
        }
        return new TransportResult(DMatrixRMaj.wrap(n, m, l0), done, SinkhornKnopp.toArray(errors), err, converged, warning);
    }

    /** \(\|K_{\text{prev}} - K\|_F\) with \(K = e^{L_0 + x \oplus y + c}\). */
    private static double change(double[] l0, int n, int m, double[] xp, double[] yp, double cp,
                                 double[] x, double[] y, double c) {
        double e2 = 0;
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double rp = xp[i] + cp;
            double rn = x[i] + c;
            for (int j = 0; j < m; j++) {
                double l = l0[row + j];
                if (l == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double d = Math.exp(l + rp + yp[j]) - Math.exp(l + rn + y[j]);
                e2 += d * d;
            }
        }
        return Math.sqrt(e2);
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

package io.rematch.ot;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * L2RM's partial optimal transport with forbidden (masked) pairs: Han et al., "Learning to
 * Rematch Mismatched Pairs for Robust Cross-Modal Retrieval", CVPR 2024, Sec. 3.2 (partial OT
 * with masked positives), as released in hhc1997/L2RM a766c22, {@code models.py},
 * {@code SGRAF.partial_ot} and {@code SGRAF.sinkhorn_log_domain}.
 *
 * <p><b>Construction</b> ({@link DummyExtension}). Moving only mass \(s\) between \(a\) (rows) and \(b\) (columns) is
 * made a balanced problem with one dummy row and one dummy column that absorb the rest:
 * \[ C' = \begin{pmatrix} C &amp; \xi \mathbf 1 \\ \xi \mathbf 1^\top &amp; 2\xi + A \end{pmatrix},\quad
 *    \xi = 100 \max C,\ A = \max C,\qquad
 *    a' = \begin{pmatrix} a \\ \|a\|_1 - s \end{pmatrix},\ b' = \begin{pmatrix} b \\ \|b\|_1 - s \end{pmatrix}. \]
 * The constants 100 and \(2\xi + A\) are the release's defaults ({@code xi=None -> 1e2 * C.max()},
 * {@code A=None -> C.max()}). Since the dummy-dummy corner costs more than two dummy entries,
 * it carries (almost) nothing, and the real block then carries mass \(s\). Forbidden entries of
 * the real block (by default, in L2RM, the diagonal: the given, possibly mismatched, pairs)
 * are exactly 0 in the plan.
 *
 * <p><b>Iteration</b> (the release's, log domain, potentials \(u, v\) in cost units):
 * \(M(u, v)_{ij} = (-C'_{ij} + u_i + v_j)/\varepsilon\), forbidden entries replaced by
 * \(-10^6\) after the division; from \(u = v = 0\):
 * \[ u \leftarrow \varepsilon(\log a' - \operatorname{lse}_{\text{row}} M(u, v)) + u,\qquad
 *    v \leftarrow \varepsilon(\log b' - \operatorname{lse}_{\text{col}} M(u, v)) + v \]
 * (\(u\) first, and \(v\) uses the new \(u\)); the plan is \(e^{M(u,v)}\) without the dummy row
 * and column.
 *
 * <p><b>Arithmetic</b> ({@link Mode}). {@link Mode#FAITHFUL}: exactly the release's, whose
 * log-sum-exp is \(\log(\sum_j e^{M_{ij} - \max_j M_{ij}} + 10^{-10}) + \max_j M_{ij}\) (the
 * \(10^{-10}\) inside the log) with forbidden entries at \(-10^6\); it reproduces
 * {@code plan_clean_float64} of the reference set to \(10^{-9}\) relative. {@link Mode#STABLE}:
 * the textbook log-sum-exp, forbidden entries at \(-\infty\).
 *
 * <p><b>Stopping</b> ({@link Stopping}). {@link Stopping.Rule#MARGINALS} (the default): the
 * row-marginal error \(\|e^{M} \mathbf 1 - a'\|_2\) of the extended plan (its columns hold
 * exactly after each \(v\) update) relative to \(\|a\|_1\), checked every iteration.
 * {@link Stopping.Rule#POTENTIAL_CHANGE}: the release's \(\|u - u_{\text{prev}}\|_2 &lt; 10^{-3}\)
 * (checked after both updates; {@code thresh=1e-3}, {@link Stopping#l2rmRelease()}), the error
 * history being \(\|u - u_{\text{prev}}\|_2\) per iteration. That rule is loose: the marginals
 * then hold only roughly (the real block may carry 0.136 instead of \(s = 0.1\), reference case
 * n = 4), so a plan it stops on is checked against the extended marginals and reported as
 * converged only if they hold to {@link Stopping#FEASIBILITY_TOLERANCE}.
 *
 * <p>Even at convergence the real block carries slightly more than \(s\): the dummy corner is
 * expensive, not forbidden, and holds about \(e^{-A/\varepsilon}\) of the dummy mass (the
 * release's construction; invisible at \(\varepsilon = 0.07\) with costs in [0, 1]).
 *
 * <p>Literal form (stable mode): {@link LiteralMaskedPartialTransport} ({@code LiteralTransportTest}).
 */
public final class MaskedPartialTransport implements TransportSolver {

    /** L2RM's default {@code --rho}: the transported mass \(s\) with uniform marginals of total 1. */
    public static final double DEFAULT_MASS = 0.1;
    /** The release's dummy cost factor: \(\xi = 100 \max C\). */
    public static final double DUMMY_COST_FACTOR = 100;
    /** The release's value for forbidden entries of \(M\) (after the division by reg). */
    public static final double FAITHFUL_MASK_VALUE = -1e6;
    /** The release's constant inside the log of its log-sum-exp. */
    public static final double FAITHFUL_LSE_EPSILON = 1e-10;

    private final double reg;
    private final double mass;
    private final Mode mode;
    private final Stopping stopping;

    /**
     * The release's loop in {@code mode}: faithful stops as the release does
     * ({@link Stopping#l2rmRelease()}), stable on the marginals ({@link Stopping#marginals()}).
     */
    public MaskedPartialTransport(double reg, double mass, Mode mode) {
        this(reg, mass, mode, mode == Mode.FAITHFUL ? Stopping.l2rmRelease() : Stopping.marginals());
    }

    /**
     * @param reg      entropic regularisation \(\varepsilon > 0\) (L2RM: 0.01 to 0.07, default 0.07)
     * @param mass     transported mass \(s\), \(0 &lt; s &lt; \min(\|a\|_1, \|b\|_1)\) (L2RM: 0.1)
     * @param mode     the release's arithmetic (faithful) or the textbook's (stable)
     * @param stopping {@link Stopping.Rule#MARGINALS} or {@link Stopping.Rule#POTENTIAL_CHANGE}
     */
    public MaskedPartialTransport(double reg, double mass, Mode mode, Stopping stopping) {
        this.reg = TransportArguments.reg(reg);
        this.mass = TransportArguments.massParameter(mass);
        if (mode == null) {
            throw new IllegalArgumentException("mode is missing");
        }
        if (stopping == null) {
            throw new IllegalArgumentException("stopping is missing");
        }
        stopping.requireRule("L2RM partial OT", Stopping.Rule.MARGINALS, Stopping.Rule.POTENTIAL_CHANGE);
        this.mode = mode;
        this.stopping = stopping;
    }

    @Override
    public String name() {
        return "l2rm";
    }

    @Override
    public Stopping stopping() {
        return stopping;
    }

    /** The arithmetic mode. */
    public Mode mode() {
        return mode;
    }

    /** The entropic regularisation. */
    public double reg() {
        return reg;
    }

    /** The transported mass \(s\). */
    public double mass() {
        return mass;
    }

    /** L2RM's call: uniform \(a = b = \mathbf 1/n\), the diagonal forbidden. */
    public TransportResult solveBatch(DMatrixRMaj cost) {
        TransportArguments.cost(cost);
        return solve(cost, TransportArguments.uniform(cost.numRows), TransportArguments.uniform(cost.numCols),
                PairMask.diagonal(cost.numRows, cost.numCols));
    }

    /**
     * Solves the masked partial problem.
     *
     * @param cost      {@code n x m}, finite, \(\ge 0\) with \(\max C > 0\) (the dummy cost is
     *                  \(100 \max C\)); L2RM's cost is clipped at \(10^{-10}\) by the caller
     * @param a         row masses (length n)
     * @param b         column masses (length m)
     * @param forbidden entries of the real block at 0, or {@code null} for none
     * @throws IllegalArgumentException naming {@code cost}, {@code a}, {@code b}, {@code mass},
     *                                  {@code reg} or {@code mask}
     */
    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden) {
        DummyExtension x = DummyExtension.of(cost, a, b, mass, forbidden, DUMMY_COST_FACTOR);
        TransportArguments.regForCost(reg, x.maxCost, "L2RM's dummy corner costs 201 x max cost");
        final int n1 = x.n1;
        final int m1 = x.m1;
        final boolean faithful = mode == Mode.FAITHFUL;
        final boolean marginals = stopping.rule() == Stopping.Rule.MARGINALS;
        final double massA = SinkhornKnopp.sum(x.p);
        boolean[] rowForbidden = x.rowHasForbidden();
        boolean[] colForbidden = x.colHasForbidden();
        AbsorbedLogKernel kernel = new AbsorbedLogKernel(x.logKernel(reg), n1, m1);
        double[] u = new double[n1];          // the release's potentials, in cost units
        double[] v = new double[m1];
        double[] uOld = new double[n1];
        double[] f = new double[n1];          // u / reg
        double[] g = new double[m1];          // v / reg
        double[] colLse = new double[m1];     // lse_i(-C'_ij / reg + u_i / reg)
        double[] rowMax = faithful ? new double[n1] : null;
        double[] colMax = faithful ? new double[m1] : null;
        double[] scratch = new double[Math.max(n1, m1)];
        double[] e2 = new double[1];
        // u_i <- reg (log a'_i - lse_j M_ij) + u_i, M = (-C' + u + v) / reg, from row i's reduction
        AbsorbedLogKernel.RowUpdate rowUpdate = (i, lse) -> {
            if (x.p[i] == 0) {   // a row without mass: potential -inf, plan row 0
                u[i] = Double.NEGATIVE_INFINITY;
                return u[i];
            }
            double full = uOld[i] / reg + lse;
            if (faithful) {
                full = releaseLse(full, uOld[i] / reg + rowMax[i], rowForbidden[i],
                        () -> releaseRowLse(x, i, uOld[i], v, scratch));
            }
            double d = Math.exp(full) - x.p[i];   // row marginal of the current plan
            e2[0] += d * d;
            u[i] = reg * (x.logp[i] - full) + uOld[i];
            return u[i] / reg;
        };
        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean ruleMet = false;
        int done = 0;
        for (int it = 0; it < stopping.maxIterations(); it++) {
            System.arraycopy(u, 0, uOld, 0, n1);
            for (int j = 0; j < m1; j++) {
                g[j] = v[j] / reg;
            }
            e2[0] = 0;
            kernel.rowsThenColumns(g, rowUpdate, f, colLse, null, rowMax, colMax);
            if (marginals) {
                err = Math.sqrt(e2[0]) / massA;
                errors.add(err);
                if (err < stopping.tolerance()) {
                    System.arraycopy(uOld, 0, u, 0, n1);   // keep the plan whose marginals were checked
                    ruleMet = true;
                    break;
                }
            }
            // v_j <- reg (log b'_j - lse_i M_ij) + v_j with the new u
            for (int j = 0; j < m1; j++) {
                if (x.q[j] == 0) {
                    v[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double full = g[j] + colLse[j];
                if (faithful) {
                    final int jj = j;
                    full = releaseLse(full, g[j] + colMax[j], colForbidden[j],
                            () -> releaseColumnLse(x, jj, v[jj], u, scratch));
                }
                v[j] = reg * (x.logq[j] - full) + v[j];
            }
            done = it + 1;
            if (!marginals) {
                double d2 = 0;
                for (int i = 0; i < n1; i++) {
                    double d = x.p[i] == 0 ? 0 : u[i] - uOld[i];
                    d2 += d * d;
                }
                err = Math.sqrt(d2);
                errors.add(err);
                if (err < stopping.tolerance()) {
                    ruleMet = true;
                    break;
                }
            }
        }
        return Convergence.finish(x.realPlan(u, v, reg), done, SinkhornKnopp.toArray(errors), err, stopping, ruleMet,
                null, Convergence.Constraints.measured(() -> x.extendedViolation(u, v, reg)),
                faithful ? "L2RM partial OT (faithful)" : "L2RM partial OT",
                faithful ? "the release stops at its cap too (niter=1000)" : "increase the iteration cap or reg");
    }

    /**
     * The release's log-sum-exp \(\log(\sum_k e^{z_k - \mu} + 10^{-10}) + \mu\),
     * \(\mu = \max_k z_k\), from the exact \(\operatorname{lse}(z)\) over the allowed entries and
     * their maximum: forbidden entries are \(-10^6\) in the release, so they raise \(\mu\) to
     * \(-10^6\) at least and add \(e^{-10^6 - \mu}\), which is exactly 0 in double unless the
     * allowed entries are all below \(-10^6 + 745\); only then (an extreme reg) is the row
     * recomputed term by term ({@code plain}).
     */
    private static double releaseLse(double exact, double allowedMax, boolean hasForbidden,
                                     java.util.function.DoubleSupplier plain) {
        if (hasForbidden && !(allowedMax > FAITHFUL_MASK_VALUE + 800)) {
            return plain.getAsDouble();
        }
        double mu = allowedMax;
        return Math.log(Math.exp(exact - mu) + FAITHFUL_LSE_EPSILON) + mu;
    }

    /**
     * The release's log-sum-exp over row \(i\) of \(M\), term by term:
     * \(z_j = ((-C'_{ij} + u_i) + v_j)/\varepsilon\) (the release's order of operations), forbidden
     * \(z_j = -10^6\), then \(\log(\sum_j e^{z_j - \max z} + 10^{-10}) + \max z\).
     */
    private double releaseRowLse(DummyExtension x, int i, double ui, double[] v, double[] z) {
        int off = i * x.m1;
        for (int j = 0; j < x.m1; j++) {
            z[j] = x.forbidden[off + j] ? FAITHFUL_MASK_VALUE : ((-x.cost[off + j] + ui) + v[j]) / reg;
        }
        return releaseLse(z, x.m1);
    }

    /** The same over column \(j\) (strided). */
    private double releaseColumnLse(DummyExtension x, int j, double vj, double[] u, double[] z) {
        for (int i = 0; i < x.n1; i++) {
            int e = i * x.m1 + j;
            z[i] = x.forbidden[e] ? FAITHFUL_MASK_VALUE : ((-x.cost[e] + u[i]) + vj) / reg;
        }
        return releaseLse(z, x.n1);
    }

    private static double releaseLse(double[] z, int len) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) {
            mx = z[k] > mx ? z[k] : mx;
        }
        double s = 0;
        for (int k = 0; k < len; k++) {
            s += Math.exp(z[k] - mx);
        }
        return Math.log(s + FAITHFUL_LSE_EPSILON) + mx;
    }
}

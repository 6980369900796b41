package io.rematch.ot;

import io.rematch.mask.PairMask;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Entropic partial optimal transport by iterative Bregman projections (Benamou, Carlier, Cuturi,
 * Nenna and Peyré, "Iterative Bregman projections for regularized transportation problems",
 * SIAM J. Sci. Comput. 37(2), 2015, Section 5.2 and Proposition 5), the algorithm of POT 0.8.2's
 * {@code ot.partial.entropic_partial_wasserstein}, in the scaling domain with \(O(n + m)\) extra
 * memory.
 *
 * <p>The problem: transport exactly mass \(0 &lt; \mathfrak m \le \min(\|a\|_1, \|b\|_1)\) at least
 * entropic cost,
 * \[ \min_{\pi \ge 0} \langle C, \pi \rangle - \varepsilon H(\pi) \quad\text{s.t.}\quad
 *    \pi \mathbf 1 \le a,\ \ \pi^\top \mathbf 1 \le b,\ \ \mathbf 1^\top \pi \mathbf 1 = \mathfrak m. \]
 * POT starts from \(K = e^{-C/\varepsilon}\) scaled to mass \(\mathfrak m\) and applies Dykstra's
 * algorithm: three KL projections, one per constraint set, each preceded by multiplying back its
 * correction factor \(q_1, q_2, q_3\) (dense \(n \times m\) arrays in POT):
 * \[ K_1 = \operatorname{diag}\!\Big(\min\big(\tfrac{a}{(K \odot q_1)\mathbf 1}, 1\big)\Big)(K \odot q_1),\ q_1 \leftarrow q_1 \odot \tfrac{K}{K_1};\quad
 *    K_2 = (K_1 \odot q_2)\operatorname{diag}\!\Big(\min\big(\tfrac{b}{(K_1 \odot q_2)^\top \mathbf 1}, 1\big)\Big),\ q_2 \leftarrow q_2 \odot \tfrac{K_1}{K_2};\quad
 *    K \leftarrow \tfrac{\mathfrak m\,(K_2 \odot q_3)}{\mathbf 1^\top (K_2 \odot q_3) \mathbf 1},\ q_3 \leftarrow q_3 \odot \tfrac{K_2}{K}. \]
 *
 * <p><b>The correction factors are a column vector, a row vector and a scalar.</b> Each
 * projection is a diagonal scaling: \(K_1 = \operatorname{diag}(\alpha)(K \odot q_1)\), so
 * \(q_1 \odot K / K_1 = q_1 \odot K / (\alpha\, K \odot q_1)\) has entries \(1/\alpha_i\):
 * \(q_1\) depends on the row only; likewise \(q_2\) has entries \(1/\beta_j\) and \(q_3 = 1/\gamma\)
 * is a scalar. Multiplying by \(q_1\) therefore exactly undoes the previous row scaling, and by
 * induction every iterate has the form
 * \[ K = \gamma\, \operatorname{diag}(\alpha)\, K_0\, \operatorname{diag}(\beta), \qquad K_0 = e^{-C/\varepsilon}, \]
 * with one iteration being
 * \[ \alpha \leftarrow \min\Big(\frac{a}{\gamma K_0 \beta}, 1\Big),\qquad
 *    \beta \leftarrow \min\Big(\frac{b}{\gamma K_0^\top \alpha}, 1\Big),\qquad
 *    \gamma \leftarrow \frac{\mathfrak m}{\alpha^\top K_0 \beta}, \]
 * starting from \(\alpha = \mathbf 1, \beta = \mathbf 1, \gamma = \mathfrak m / \mathbf 1^\top K_0
 * \mathbf 1\) (the \(\beta\) update uses the previous \(\gamma\), as POT's order implies; the
 * mass projection rescales whatever the scalar correction was). This is \(O(nm)\) time and
 * \(O(n + m)\) extra memory per iteration, where POT's {@code np.dot(np.diag(...), K)} is
 * \(O(n^2 m)\) time and allocates several \(n \times m\) arrays. The same plan up to rounding
 * (tested against POT to \(10^{-10}\) relative).
 *
 * <p>One iteration is one pass over \(K_0\) ({@link FusedPass}, on all cores for a large
 * problem, with the same result on any number of them): row \(i\) gives
 * \((K_0\beta)_i\), hence \(\alpha_i\), and while it is in cache it is added, times \(\alpha_i\),
 * to \(K_0^\top\alpha\);
 * \(\alpha^\top K_0 \beta = \sum_j \beta_j (K_0^\top \alpha)_j\) costs \(O(m)\).
 *
 * <p><b>Stopping</b> ({@link Stopping}). The default rule, {@link Stopping.Rule#MARGINALS},
 * checks the optimality conditions of the current plan \(\pi = \gamma\,\mathrm{diag}(\alpha) K_0
 * \mathrm{diag}(\beta)\) every iteration: its mass is \(\mathfrak m\) by construction; a row
 * must not exceed \(a_i\) and, where its scaling is active (\(\alpha_i &lt; 1\), a positive dual
 * variable), must meet it; columns likewise. It stops once the largest violation is at most the
 * tolerance times \(\mathfrak m\). The column sums of an iterate are known when it is formed, its
 * row sums from the next pass, which then also checks (and discards its update when the test
 * passes). {@link Stopping.Rule#PLAN_CHANGE} is POT's rule: every 10th iteration (0, 10, 20, ...)
 * the change \(\|K_{\text{prev}} - K\|_F\), \(\|K_{\text{prev}} - K\|_F^2 = \sum_{ij} K_{0,ij}^2
 * (\gamma'\alpha'_i\beta'_j - \gamma\alpha_i\beta_j)^2\) from the previous and current factors
 * (no copy of \(K\)), folded into the next iteration's pass; the loop runs while it is
 * \(>\) the tolerance (POT's \(10^{-100}\): to the cap, unless an iterate repeats bit for bit), and a plan it
 * stops on is then checked against its constraints ({@link Stopping#FEASIBILITY_TOLERANCE}).
 *
 * <p>Entries forbidden by a {@link PairMask} are 0 in \(K_0\), hence in the plan; a row or column
 * with every entry forbidden simply carries nothing. The kernel is computed as
 * \(e^{-(C - \min C)/\varepsilon}\) (the normalisation to mass \(\mathfrak m\) absorbs the
 * constant); if a whole row or column of it underflows the problem is rejected (naming
 * {@code reg}) with a pointer to {@link LogEntropicPartialTransport}: POT returns NaN there
 * (POT issue #723).
 *
 * <p>Literal form: {@link LiteralPartialTransport}, POT's three projections with their dense
 * corrections as written ({@code LiteralTransportTest}, also against POT's plans).
 */
public final class EntropicPartialTransport implements TransportSolver {

    /** POT computes its change test when {@code cpt % 10 == 0}. */
    static final int CHECK_EVERY = 10;

    private final double reg;
    private final double mass;
    private final Stopping stopping;

    /** Stops on the marginals ({@link Stopping#marginals()}). */
    public EntropicPartialTransport(double reg, double mass) {
        this(reg, mass, Stopping.marginals());
    }

    /**
     * @param reg      entropic regularisation \(\varepsilon > 0\)
     * @param mass     transported mass \(\mathfrak m > 0\), checked against \(a, b\) at solve time;
     *                 {@code Double.POSITIVE_INFINITY} moves \(\min(\|a\|_1, \|b\|_1)\) (POT's default)
     * @param stopping {@link Stopping.Rule#MARGINALS} or {@link Stopping.Rule#PLAN_CHANGE}
     *                 ({@link Stopping#potPartial()} is POT's loop)
     */
    public EntropicPartialTransport(double reg, double mass, Stopping stopping) {
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
        return "partial";
    }

    /** The entropic regularisation. */
    public double reg() {
        return reg;
    }

    /** The mass parameter ({@code Double.POSITIVE_INFINITY}: the smaller marginal's). */
    public double mass() {
        return mass;
    }

    @Override
    public Stopping stopping() {
        return stopping;
    }

    /**
     * Solves with the entries of {@code forbidden} at 0 ({@code null}: none).
     *
     * @throws IllegalArgumentException naming {@code cost}, {@code a}, {@code b}, {@code mass},
     *                                  {@code mask} or {@code reg} (kernel underflow)
     */
    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden) {
        final double mTarget = TransportArguments.partial(cost, a, b, mass, forbidden, reg);
        final int n = cost.numRows;
        final int m = cost.numCols;
        final boolean marginals = stopping.rule() == Stopping.Rule.MARGINALS;
        final double tol = stopping.tolerance();

        double shift = TransportArguments.min(cost);
        double[] k0 = new double[n * m];
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                int e = i * m + j;
                double v = forbidden != null && forbidden.contains(i, j) ? 0 : Math.exp((cost.data[e] - shift) / -reg);
                k0[e] = v;
                total += v;
            }
        }
        TransportArguments.requireKernelRepresentable(k0, n, m, reg, shift, cost,
                "LogEntropicPartialTransport, --method partial-log", forbidden);

        double[] alpha = filled(n, 1);
        double[] beta = filled(m, 1);
        double gamma = mTarget / total;
        double[] alphaPrev = new double[n];
        double[] betaPrev = new double[m];
        double gammaPrev = Double.NaN;
        double[] alphaNew = new double[n];
        double[] betaNew = new double[m];
        double[] col = new double[m];
        double[] rowCheck = new double[n];    // each row's violation (marginals) or squared change (plan change)
        FusedPass pass = new FusedPass(k0, n, m);

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        double colResidual = Double.NaN; // marginals: the committed plan's largest column violation
        boolean pending = false;         // plan change: the last committed iteration is still to be tested
        boolean ruleMet = false;
        String numerical = null;
        int done = 0;
        for (int cpt = 0; ; cpt++) {
            final boolean check = marginals ? done > 0 : pending;
            if (cpt == stopping.maxIterations() && !check) {
                break;
            }
            // alpha_i = min(a_i / (gamma K0 beta)_i, 1), and K0^T alpha, in one pass over K0; with the
            // same row dots (in cache), the test of the committed plan: its row violations (marginals)
            // or its change ||K_prev - K||_F (plan change), one entry of rowCheck per row
            final double[] aNew = alphaNew;
            final double[] aCur = alpha;
            final double[] aPrev = alphaPrev;
            final double[] bCur = beta;
            final double[] bPrev = betaPrev;
            final double g = gamma;
            final double gPrev = gammaPrev;
            pass.rowsThenColumns(beta, (i, dot) -> {
                double d = g * dot;
                double ai = d > a[i] ? a[i] / d : 1;     // min(a_i / rowsum_i, 1)
                aNew[i] = ai;
                if (check) {
                    if (marginals) {
                        double r = aCur[i] * d;           // row i of the committed plan
                        rowCheck[i] = aCur[i] < 1 ? Math.abs(r - a[i]) : r - a[i];
                    } else {
                        rowCheck[i] = rowChange(k0, i * m, m, gPrev * aPrev[i], bPrev, g * aCur[i], bCur);
                    }
                }
                return ai;
            }, col);
            if (check) {
                pending = false;
                // reduced in row order, whichever threads made the rows
                double rows = 0;
                for (int i = 0; i < n; i++) {
                    rows = marginals ? Math.max(rows, rowCheck[i]) : rows + rowCheck[i];
                }
                err = marginals ? Math.max(rows, colResidual) / mTarget : Math.sqrt(rows);
                errors.add(err);
                if (tol > 0 && !(err > tol)) {
                    ruleMet = true;
                    break;   // POT's "while err > stopThr": the pass just made is not committed
                }
            }
            if (cpt == stopping.maxIterations()) {
                break;
            }
            double kept = 0;
            for (int j = 0; j < m; j++) {
                double d = gamma * col[j];
                double bj = d > b[j] ? b[j] / d : 1;     // min(b_j / colsum_j, 1)
                betaNew[j] = bj;
                kept += bj * col[j];
            }
            double gammaNew = mTarget / kept;
            if (!Double.isFinite(gammaNew) || !SinkhornKnopp.allFinite(alphaNew)) {
                numerical = "entropic partial OT: numerical errors at iteration " + cpt
                        + "; returning the previous iterate. Use LogEntropicPartialTransport (--method partial-log)";
                break;
            }
            double[] t = alphaPrev; alphaPrev = alpha; alpha = alphaNew; alphaNew = t;
            t = betaPrev; betaPrev = beta; beta = betaNew; betaNew = t;
            gammaPrev = gamma;
            gamma = gammaNew;
            done = cpt + 1;
            if (marginals) {
                double worst = 0;
                for (int j = 0; j < m; j++) {
                    double c = gamma * beta[j] * col[j];  // column j of the committed plan
                    worst = Math.max(worst, beta[j] < 1 ? Math.abs(c - b[j]) : c - b[j]);
                }
                colResidual = worst;
            } else if (cpt % CHECK_EVERY == 0) {
                pending = true;
            }
        }
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double si = gamma * alpha[i];
            for (int j = 0; j < m; j++) {
                k0[row + j] = si * k0[row + j] * beta[j];
            }
        }
        return Convergence.finish(DMatrixRMaj.wrap(n, m, k0), done, SinkhornKnopp.toArray(errors), err, stopping,
                ruleMet, numerical, Convergence.Constraints.partial(a, b, mTarget), "entropic partial OT",
                marginals ? "increase the iteration cap or reg"
                        : "POT's tolerance 1e-100 runs to the cap unless an iterate repeats exactly; the marginals rule stops when the plan is optimal");
    }

    /** \(\sum_j (K_{0,ij}(s'\beta'_j - s\beta_j))^2\) for one row (four independent sums). */
    static double rowChange(double[] k0, int row, int m, double sp, double[] bPrev, double sn, double[] b) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int j = 0;
        for (; j + 3 < m; j += 4) {
            double t0 = k0[row + j] * (sp * bPrev[j] - sn * b[j]);
            double t1 = k0[row + j + 1] * (sp * bPrev[j + 1] - sn * b[j + 1]);
            double t2 = k0[row + j + 2] * (sp * bPrev[j + 2] - sn * b[j + 2]);
            double t3 = k0[row + j + 3] * (sp * bPrev[j + 3] - sn * b[j + 3]);
            a0 += t0 * t0;
            a1 += t1 * t1;
            a2 += t2 * t2;
            a3 += t3 * t3;
        }
        for (; j < m; j++) {
            double t = k0[row + j] * (sp * bPrev[j] - sn * b[j]);
            a0 += t * t;
        }
        return (a0 + a1) + (a2 + a3);
    }

    static double[] filled(int len, double v) {
        double[] x = new double[len];
        java.util.Arrays.fill(x, v);
        return x;
    }
}

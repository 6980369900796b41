package io.rematch.ot;

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
 * <p>The problem: transport exactly mass \(0 < \mathfrak m \le \min(\|a\|_1, \|b\|_1)\) at least
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
 * <p>One iteration is one pass over \(K_0\) ({@link FusedPass}): row \(i\) gives
 * \((K_0\beta)_i\), hence \(\alpha_i\), and while it is in cache it is added, times \(\alpha_i\),
 * to \(K_0^\top\alpha\);
 * \(\alpha^\top K_0 \beta = \sum_j \beta_j (K_0^\top \alpha)_j\) costs \(O(m)\).
 *
 * <p>Stopping rule (POT's): every 10th iteration (0, 10, 20, ...) the change
 * \(\|K_{\text{prev}} - K\|_F\) is computed, \(\|K_{\text{prev}} - K\|_F^2 = \sum_{ij} K_{0,ij}^2
 * (\gamma'\alpha'_i\beta'_j - \gamma\alpha_i\beta_j)^2\) from the previous and current factors
 * (no copy of \(K\)), folded into the next iteration's pass; the loop runs while it is
 * \(>\) the tolerance (default \(10^{-100}\), so in practice exactly 1000 iterations) and at
 * most {@link #DEFAULT_MAX_ITERATIONS} iterations.
 *
 * <p>Entries of an optional {@link TransportMask} are 0 in \(K_0\), hence in the plan. The kernel
 * is computed as \(e^{-(C - \min C)/\varepsilon}\) (the normalisation to mass \(\mathfrak m\)
 * absorbs the constant); if a whole row or column of it underflows the problem is rejected
 * (naming {@code reg}) with a pointer to {@link LogEntropicPartialTransport}: POT returns NaN
 * there (POT issue #723).
 */
public final class EntropicPartialTransport implements TransportSolver {

    /** POT 0.8.2 {@code entropic_partial_wasserstein(numItermax=1000)}. */
    public static final int DEFAULT_MAX_ITERATIONS = 1000;
    /** POT 0.8.2 {@code entropic_partial_wasserstein(stopThr=1e-100)}. */
    public static final double DEFAULT_TOLERANCE = 1e-100;
    /** POT computes the error when {@code cpt % 10 == 0}. */
    static final int CHECK_EVERY = 10;

    private final double reg;
    private final double mass;
    private final int maxIterations;
    private final double tolerance;

    /** POT's defaults: 1000 iterations, tolerance \(10^{-100}\). */
    public EntropicPartialTransport(double reg, double mass) {
        this(reg, mass, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE);
    }

    /**
     * @param reg           entropic regularisation \(\varepsilon > 0\)
     * @param mass          transported mass \(\mathfrak m\), checked against \(a, b\) at solve time
     * @param maxIterations iteration cap \(\ge 1\)
     * @param tolerance     stop once \(\|K_{\text{prev}} - K\|_F \le\) this (\(\ge 0\)); 0 runs
     *                      exactly {@code maxIterations} iterations
     */
    public EntropicPartialTransport(double reg, double mass, int maxIterations, double tolerance) {
        this.reg = TransportArguments.reg(reg);
        this.mass = TransportArguments.massParameter(mass);
        this.maxIterations = TransportArguments.maxIterations(maxIterations);
        this.tolerance = TransportArguments.tolerance(tolerance);
    }

    @Override
    public String name() {
        return "partial";
    }

    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b) {
        return solve(cost, a, b, null);
    }

    /**
     * Solves with the entries of {@code mask} forbidden ({@code null}: none).
     *
     * @throws IllegalArgumentException naming {@code cost}, {@code a}, {@code b}, {@code mass},
     *                                  {@code mask} or {@code reg} (kernel underflow)
     */
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, TransportMask mask) {
        final double mTarget = TransportArguments.partial(cost, a, b, mass, mask);
        final int n = cost.numRows;
        final int m = cost.numCols;

        double shift = TransportArguments.min(cost);
        double[] k0 = new double[n * m];
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                int e = i * m + j;
                double v = mask != null && mask.forbidden(i, j) ? 0 : Math.exp((cost.data[e] - shift) / -reg);
                k0[e] = v;
                total += v;
            }
        }
        TransportArguments.requireKernelRepresentable(k0, n, m, reg, shift, cost,
                "LogEntropicPartialTransport, --method partial-log");

        double[] alpha = filled(n, 1);
        double[] beta = filled(m, 1);
        double gamma = mTarget / total;
        double[] alphaPrev = new double[n];
        double[] betaPrev = new double[m];
        double gammaPrev = Double.NaN;
        double[] alphaNew = new double[n];
        double[] betaNew = new double[m];
        double[] col = new double[m];

        List<Double> errors = new ArrayList<>();
        double err = Double.NaN;
        boolean pending = false;   // the error of the last committed iteration is still to be computed
        boolean converged = false;
        String warning = null;
        int done = 0;
        for (int cpt = 0; ; cpt++) {
            if (cpt == maxIterations) {
                if (pending) {
                    err = change(k0, n, m, alphaPrev, betaPrev, gammaPrev, alpha, beta, gamma);
                    errors.add(err);
                    converged = !(err > tolerance);
                }
                break;
            }
            // alpha_i = min(a_i / (gamma K0 beta)_i, 1), and K0^T alpha, in one pass over K0; at a
            // check, the change ||K_prev - K||_F of the last iteration from the same rows (in cache)
            final double[] aNew = alphaNew;
            final double[] aCur = alpha;
            final double[] aPrev = alphaPrev;
            final double[] bCur = beta;
            final double[] bPrev = betaPrev;
            final double g = gamma;
            final double gPrev = gammaPrev;
            final boolean check = pending;
            final double[] e2 = {0};
            FusedPass.rowsThenColumns(k0, n, m, beta, (i, dot) -> {
                double d = g * dot;
                double ai = d > a[i] ? a[i] / d : 1;     // min(a_i / rowsum_i, 1)
                aNew[i] = ai;
                if (check) {
                    int row = i * m;
                    double sp = gPrev * aPrev[i];
                    double sn = g * aCur[i];
                    e2[0] += rowChange(k0, row, m, sp, bPrev, sn, bCur);
                }
                return ai;
            }, col);
            if (pending) {
                pending = false;
                err = Math.sqrt(e2[0]);
                errors.add(err);
                if (tolerance > 0 && !(err > tolerance)) {
                    converged = true;
                    break;   // POT's "while err > stopThr": the pass just made is not committed
                }
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
                warning = Warnings.warn("entropic partial OT: numerical errors at iteration " + cpt
                        + "; returning the previous iterate. Use LogEntropicPartialTransport (--method partial-log)");
                break;
            }
            double[] t = alphaPrev; alphaPrev = alpha; alpha = alphaNew; alphaNew = t;
            t = betaPrev; betaPrev = beta; beta = betaNew; betaNew = t;
            gammaPrev = gamma;
            gamma = gammaNew;
            done = cpt + 1;
            if (cpt % CHECK_EVERY == 0) {
                pending = true;
            }
        }
        if (!converged && warning == null) {
            warning = Warnings.notConverged("entropic partial OT", done, err, tolerance,
                    "the plan is the last iterate (POT's default tolerance 1e-100 always runs the full cap)");
        }
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double si = gamma * alpha[i];
            for (int j = 0; j < m; j++) {
                k0[row + j] = si * k0[row + j] * beta[j];
            }
        }
        return new TransportResult(DMatrixRMaj.wrap(n, m, k0), done, SinkhornKnopp.toArray(errors), err, converged, warning)
                .withConstraintReport(a, b, mTarget);
    }

    /** \(\|K_{\text{prev}} - K\|_F\) from the factors of both iterates. */
    static double change(double[] k0, int n, int m, double[] alphaPrev, double[] betaPrev, double gammaPrev,
                         double[] alpha, double[] beta, double gamma) {
        double e2 = 0;
        for (int i = 0; i < n; i++) {
            e2 += rowChange(k0, i * m, m, gammaPrev * alphaPrev[i], betaPrev, gamma * alpha[i], beta);
        }
        return Math.sqrt(e2);
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

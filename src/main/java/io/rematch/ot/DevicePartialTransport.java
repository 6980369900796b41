package io.rematch.ot;

import com.aparapi.Range;
import io.rematch.mask.PairMask;
import io.rematch.opencl.KernelPool;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * {@link EntropicPartialTransport} with its iterations on an OpenCL device
 * ({@link EntropicPartialKernel}, float32): the same loop, the same marginals stopping rule, the
 * same {@link TransportResult}. The kernel \(K_0 = e^{-(C - \min C)/\varepsilon}\) is formed and
 * checked on the host in float64 (the same validation and underflow check as the CPU), copied to
 * the device once; per iteration the device makes both passes and returns \(n + 2m\) floats (the
 * row violations, \(\beta\) and \(\beta_j c_j\)) from which the host forms \(\gamma\) and the test;
 * the plan is assembled on the host in float64 from the final factors, its \(\gamma\) taken so
 * that its mass is \(\mathfrak m\) to double rounding.
 *
 * <p>float32 sums resolve a marginal to about \(10^{-6}\) of the mass, so this solver takes
 * tolerances of at least {@link #TOLERANCE_FLOOR} (or 0: a fixed number of iterations);
 * {@link #supports} says which solvers it can stand in for, and the backend keeps the others on
 * the CPU. {@code converged} keeps its meaning: the plan meets its constraints to the tolerance.
 */
public final class DevicePartialTransport implements TransportSolver {

    /** The smallest marginals tolerance float32 iterations can honestly meet. */
    public static final double TOLERANCE_FLOOR = 1e-5;

    private static final int GROUP = 64;

    private final EntropicPartialTransport solver;
    private final double reg;
    private final double mass;
    private final OpenClDevice device;

    /**
     * @param solver the CPU solver it stands in for ({@link #supports} must hold)
     * @param device where the iterations run
     */
    public DevicePartialTransport(EntropicPartialTransport solver, OpenClDevice device) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL partial OT stops on the marginals at a tolerance of at least "
                    + TOLERANCE_FLOOR + " (or 0), not " + solver.stopping());
        }
        this.solver = solver;
        this.reg = solver.reg();
        this.mass = solver.mass();
        this.device = device;
    }

    /** Whether the device can stand in for {@code s}: entropic partial OT, marginals rule, tolerance 0 or >= the floor. */
    public static boolean supports(TransportSolver s) {
        if (!(s instanceof EntropicPartialTransport)) {
            return false;
        }
        Stopping st = s.stopping();
        return st.rule() == Stopping.Rule.MARGINALS && (st.tolerance() == 0 || st.tolerance() >= TOLERANCE_FLOOR);
    }

    @Override
    public String name() {
        return solver.name();
    }

    @Override
    public Stopping stopping() {
        return solver.stopping();
    }

    @Override
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden) {
        final double mTarget = TransportArguments.partial(cost, a, b, mass, forbidden, reg);
        final int n = cost.numRows;
        final int m = cost.numCols;
        final Stopping stopping = solver.stopping();
        final double tol = stopping.tolerance();
        double shift = TransportArguments.min(cost);
        double[] k0 = new double[n * m];
        double total = 0;
        for (int e = 0; e < n * m; e++) {
            int i = e / m;
            int j = e % m;
            double v = forbidden != null && forbidden.contains(i, j) ? 0 : Math.exp((cost.data[e] - shift) / -reg);
            k0[e] = v;
            total += v;
        }
        TransportArguments.requireKernelRepresentable(k0, n, m, reg, shift, cost,
                "LogEntropicPartialTransport, --method partial-log", forbidden);
        long bytes = 4L * ((long) n * m + 4L * n + 5L * m);
        Launch.requireMemory(device, 4L * n * m, bytes, "partial OT of " + n + " x " + m);
        requireFloat32(k0, n, m, mTarget / total, "entropic partial OT");
        try (KernelPool.Lease<EntropicPartialKernel> lease = KernelPool.lease(device, EntropicPartialKernel.class, EntropicPartialKernel::new)) {
            EntropicPartialKernel k = lease.kernel();
            k.n = n;
            k.m = m;
            k.k0 = Launch.toFloat(k0);
            k.a = Launch.toFloat(a);
            k.b = Launch.toFloat(b);
            k.alpha = new float[2 * n];
            k.beta = new float[2 * m];
            java.util.Arrays.fill(k.alpha, 1f);
            java.util.Arrays.fill(k.beta, 1f);
            k.rowViolation = new float[n];
            k.kept = new float[m];
            k.parity = 0;
            for (float[] buf : new float[][] {k.k0, k.a, k.b, k.alpha, k.beta}) {
                Launch.put(k, buf, device, "partial OT's buffers");
            }
            Range rows = Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP);
            Range cols = Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP);
            double gamma = mTarget / total;
            List<Double> errors = new ArrayList<>();
            double err = Double.NaN;
            double colResidual = Double.NaN;
            boolean ruleMet = false;
            String numerical = null;
            int done = 0;
            float[] betaNew = new float[2 * m];
            for (int cpt = 0; ; cpt++) {
                boolean check = done > 0;
                if (cpt == stopping.maxIterations() && !check) {
                    break;
                }
                k.gamma = (float) gamma;
                k.pass = EntropicPartialKernel.ROWS;
                Launch.run(k, rows, device, "partial OT's row pass");
                if (check) {
                    Launch.get(k, k.rowViolation, device, "partial OT's row violations");
                    double worst = 0;
                    for (int i = 0; i < n; i++) {
                        worst = Math.max(worst, k.rowViolation[i]);
                    }
                    err = Math.max(worst, colResidual) / mTarget;
                    errors.add(err);
                    if (tol > 0 && !(err > tol)) {
                        ruleMet = true;
                        break;
                    }
                }
                if (cpt == stopping.maxIterations()) {
                    break;
                }
                k.pass = EntropicPartialKernel.COLUMNS;
                Launch.run(k, cols, device, "partial OT's column pass");
                Launch.get(k, k.kept, device, "partial OT's column sums");
                double sum = 0;
                for (int j = 0; j < m; j++) {
                    sum += k.kept[j];
                }
                double gammaNew = mTarget / sum;
                float asFloat = (float) gammaNew;
                if (!(sum > 0) || !Float.isFinite(asFloat) || asFloat == 0) {
                    // the CPU would go on (or stop with the previous iterate) in float64: let it
                    throw new io.rematch.opencl.Float32Range("entropic partial OT: the mass scaling " + gammaNew
                            + " left float32 at iteration " + cpt);
                }
                Launch.get(k, k.beta, device, "partial OT's beta");
                System.arraycopy(k.beta, 0, betaNew, 0, 2 * m);
                int next = (1 - k.parity) * m;
                double worst = 0;
                for (int j = 0; j < m; j++) {
                    double c = gammaNew * k.kept[j];    // column j of the new plan: gamma beta_j (K0^T alpha)_j
                    worst = Math.max(worst, betaNew[next + j] < 1 ? Math.abs(c - b[j]) : c - b[j]);
                }
                colResidual = worst;
                k.parity = 1 - k.parity;
                gamma = gammaNew;
                done = cpt + 1;
            }
            Launch.get(k, k.alpha, device, "partial OT's alpha");
            Launch.get(k, k.beta, device, "partial OT's beta");
            // the plan in float64 from the final factors; gamma recomputed in float64 so that the
            // mass is the target to double rounding (float32's sums leave it off by about 1e-8)
            int p = k.parity;
            double planMass = 0;
            for (int i = 0; i < n; i++) {
                double ai = k.alpha[p * n + i];
                for (int j = 0; j < m; j++) {
                    double v = ai * k0[i * m + j] * k.beta[p * m + j];
                    k0[i * m + j] = v;
                    planMass += v;
                }
            }
            double scale = planMass > 0 ? mTarget / planMass : gamma;
            for (int e = 0; e < n * m; e++) {
                k0[e] *= scale;
            }
            DMatrixRMaj plan = DMatrixRMaj.wrap(n, m, k0);
            Convergence.Constraints constraints = Convergence.Constraints.partial(a, b, mTarget);
            if (ruleMet) {
                // the test ran on the float32 iterate; converged must hold for the plan returned
                double v = constraints.violation(plan).relative();
                if (v > tol) {
                    throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "entropic partial OT: the"
                            + " float32 iterate met the tolerance %.3g but the float64 plan misses it (%.3g)", tol, v));
                }
            }
            return Convergence.finish(plan, done, SinkhornKnopp.toArray(errors), err, stopping,
                    ruleMet, numerical, constraints, "entropic partial OT (OpenCL)",
                    "increase the iteration cap or reg");
        }
    }

    /**
     * Refuses, for the CPU, a kernel whose rows or columns float32 would flush to (near) zero and a
     * starting scale outside float32: the float64 check that every row and column carries mass does
     * not cover float32's range (entries below about 1e-38).
     */
    static void requireFloat32(double[] k0, int n, int m, double scale, String what) {
        final double floor = 1e-30;
        double[] colMax = new double[m];
        for (int i = 0; i < n; i++) {
            double rowMax = 0;
            for (int j = 0; j < m; j++) {
                double v = k0[i * m + j];
                rowMax = Math.max(rowMax, v);
                colMax[j] = Math.max(colMax[j], v);
            }
            if (rowMax > 0 && rowMax < floor) {
                throw new io.rematch.opencl.Float32Range(what + ": row " + i + " of the kernel e^(-C/reg) peaks at "
                        + rowMax + ", below float32's range");
            }
        }
        for (int j = 0; j < m; j++) {
            if (colMax[j] > 0 && colMax[j] < floor) {
                throw new io.rematch.opencl.Float32Range(what + ": column " + j + " of the kernel e^(-C/reg) peaks at "
                        + colMax[j] + ", below float32's range");
            }
        }
        float f = (float) scale;
        if (!Float.isFinite(f) || f == 0) {
            throw new io.rematch.opencl.Float32Range(what + ": the starting scale " + scale + " is outside float32");
        }
    }

}

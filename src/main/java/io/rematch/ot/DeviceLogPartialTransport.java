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
 * {@link LogEntropicPartialTransport} with its iterations on an OpenCL device
 * ({@link LogEntropicPartialKernel}, float32): the same updates, the same marginals stopping rule,
 * the same {@link TransportResult}. The log-kernel \(-(C - \min C)/\varepsilon\) is formed in
 * float64 and copied once (the shift is absorbed by \(c\)); per iteration the device makes both
 * passes and returns \(n + 2m\) floats (the row violations, \(y\) and \(\ell + y\)), from which the
 * host forms \(c\) in float64 and the test; the plan is assembled on the host in float64 from the
 * final potentials, \(e^{L_{ij} + x_i + y_j + c}\), scaled so that its mass is \(\mathfrak m\) to
 * double rounding.
 *
 * <p>It is the form for a regularisation at which \(e^{-C/\varepsilon}\) leaves float32 (there the
 * scaling kernel, {@link DevicePartialTransport}, hands the problem to the CPU). float32 keeps about
 * \(6 \cdot 10^{-8}\) of each exponent, so a plan entry carries a relative error of about
 * \(|L_{ij}| \cdot 6 \cdot 10^{-8}\); tolerances below {@link DevicePartialTransport#TOLERANCE_FLOOR}
 * stay on the CPU, and a float64 plan that misses the tolerance its float32 test met is a
 * {@link io.rematch.opencl.Float32Range}: the backend then solves on the CPU, so {@code converged}
 * describes the plan returned.
 */
public final class DeviceLogPartialTransport implements TransportSolver {

    private static final int GROUP = 64;

    private final LogEntropicPartialTransport solver;
    private final OpenClDevice device;

    /**
     * @param solver the CPU solver it stands in for ({@link #supports} must hold)
     * @param device where the iterations run
     */
    public DeviceLogPartialTransport(LogEntropicPartialTransport solver, OpenClDevice device) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL log-domain partial OT stops on the marginals at a tolerance of"
                    + " at least " + DevicePartialTransport.TOLERANCE_FLOOR + " (or 0), not " + solver.stopping());
        }
        this.solver = solver;
        this.device = device;
    }

    /** Whether the device can stand in for {@code s}: log-domain partial OT, marginals rule, tolerance 0 or at least the floor. */
    public static boolean supports(TransportSolver s) {
        if (!(s instanceof LogEntropicPartialTransport)) {
            return false;
        }
        Stopping st = s.stopping();
        return st.rule() == Stopping.Rule.MARGINALS
                && (st.tolerance() == 0 || st.tolerance() >= DevicePartialTransport.TOLERANCE_FLOOR);
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
        final double reg = solver.reg();
        final double mTarget = TransportArguments.partial(cost, a, b, solver.mass(), forbidden, reg);
        final int n = cost.numRows;
        final int m = cost.numCols;
        final Stopping stopping = solver.stopping();
        final double tol = stopping.tolerance();
        double shift = TransportArguments.min(cost);
        double[] ld = new double[n * m];
        double lowest = 0;
        for (int e = 0; e < n * m; e++) {
            boolean closed = forbidden != null && forbidden.contains(e / m, e % m);
            ld[e] = closed ? Double.NEGATIVE_INFINITY : -(cost.data[e] - shift) / reg;
            if (!closed) {
                lowest = Math.min(lowest, ld[e]);
            }
        }
        if (!(lowest > -1e29)) {    // far from LOG_ZERO and float32's range: a closed entry stays distinct
            throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT,
                    "entropic partial OT (log domain): (max C - min C) / reg = %.3g leaves float32", -lowest));
        }
        long bytes = 4L * ((long) n * m + 5L * n + 5L * m);
        Launch.requireMemory(device, 4L * n * m, bytes, "log-domain partial OT of " + n + " x " + m);
        double logMass = Math.log(mTarget);
        double c = logMass - LogSumExp.of(ld);    // x = y = 0: c = log m - lse_ij L_ij
        try (KernelPool.Lease<LogEntropicPartialKernel> lease = KernelPool.lease(device, LogEntropicPartialKernel.class, LogEntropicPartialKernel::new)) {
            LogEntropicPartialKernel k = lease.kernel();
            k.n = n;
            k.m = m;
            k.l = new float[n * m];
            for (int e = 0; e < n * m; e++) {
                k.l[e] = ld[e] == Double.NEGATIVE_INFINITY ? LogSinkhornKernel.LOG_ZERO : (float) ld[e];
            }
            k.loga = LogSinkhornKernel.logs(a);
            k.logb = LogSinkhornKernel.logs(b);
            k.a = Launch.toFloat(a);
            k.x = new float[2 * n];
            k.y = new float[2 * m];
            k.rowViolation = new float[n];
            k.ellPlusY = new float[m];
            k.parity = 0;
            for (float[] buf : new float[][] {k.l, k.loga, k.logb, k.a, k.x, k.y}) {
                Launch.put(k, buf, device, "log-domain partial OT's buffers");
            }
            Range rows = Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP);
            Range cols = Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP);
            List<Double> errors = new ArrayList<>();
            double err = Double.NaN;
            double colResidual = Double.NaN;
            boolean ruleMet = false;
            int done = 0;
            double[] ellPlusY = new double[m];
            for (int cpt = 0; ; cpt++) {
                boolean check = done > 0;
                if (cpt == stopping.maxIterations() && !check) {
                    break;
                }
                k.c = (float) c;
                k.pass = LogEntropicPartialKernel.ROWS;
                Launch.run(k, rows, device, "log-domain partial OT's row pass");
                if (check) {
                    Launch.get(k, k.rowViolation, device, "log-domain partial OT's row violations");
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
                k.pass = LogEntropicPartialKernel.COLUMNS;
                Launch.run(k, cols, device, "log-domain partial OT's column pass");
                Launch.get(k, k.ellPlusY, device, "log-domain partial OT's column sums");
                Launch.get(k, k.y, device, "log-domain partial OT's y");
                for (int j = 0; j < m; j++) {
                    ellPlusY[j] = b[j] == 0 ? Double.NEGATIVE_INFINITY : k.ellPlusY[j];
                }
                double cNew = logMass - LogSumExp.of(ellPlusY);
                if (!Double.isFinite(cNew) || !Float.isFinite((float) cNew)) {
                    throw new io.rematch.opencl.Float32Range("entropic partial OT (log domain): the mass potential "
                            + cNew + " left float32 at iteration " + cpt);
                }
                int next = (1 - k.parity) * m;
                double worst = 0;
                for (int j = 0; j < m; j++) {
                    double col = Math.exp(cNew + ellPlusY[j]);   // column j of the new plan
                    worst = Math.max(worst, k.y[next + j] < 0 ? Math.abs(col - b[j]) : col - b[j]);
                }
                colResidual = worst;
                k.parity = 1 - k.parity;
                c = cNew;
                done = cpt + 1;
            }
            Launch.get(k, k.x, device, "log-domain partial OT's x");
            Launch.get(k, k.y, device, "log-domain partial OT's y");
            // the plan in float64 from the committed potentials, scaled to the target mass
            int p = k.parity;
            double planMass = 0;
            for (int i = 0; i < n; i++) {
                double xi = a[i] == 0 ? Double.NEGATIVE_INFINITY : k.x[p * n + i];
                if (!Float.isFinite(k.x[p * n + i])) {
                    throw new io.rematch.opencl.Float32Range("entropic partial OT (log domain, OpenCL): a potential left float32");
                }
                for (int j = 0; j < m; j++) {
                    double yj = b[j] == 0 ? Double.NEGATIVE_INFINITY : k.y[p * m + j];
                    if (!Float.isFinite(k.y[p * m + j])) {
                        throw new io.rematch.opencl.Float32Range("entropic partial OT (log domain, OpenCL): a potential left float32");
                    }
                    double v = Math.exp(ld[i * m + j] + xi + yj + c);
                    ld[i * m + j] = v;
                    planMass += v;
                }
            }
            if (planMass > 0) {
                double scale = mTarget / planMass;
                for (int e = 0; e < n * m; e++) {
                    ld[e] *= scale;
                }
            }
            DMatrixRMaj plan = DMatrixRMaj.wrap(n, m, ld);
            Convergence.Constraints constraints = Convergence.Constraints.partial(a, b, mTarget);
            if (ruleMet) {
                // the test ran on the float32 iterate; converged must hold for the plan returned
                double v = constraints.violation(plan).relative();
                if (v > tol) {
                    throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "entropic partial OT (log domain):"
                            + " the float32 iterate met the tolerance %.3g but the float64 plan misses it (%.3g)", tol, v));
                }
            }
            return Convergence.finish(plan, done, SinkhornKnopp.toArray(errors), err, stopping, ruleMet, null,
                    constraints, "entropic partial OT (log domain, OpenCL)", "increase the iteration cap or reg");
        }
    }
}

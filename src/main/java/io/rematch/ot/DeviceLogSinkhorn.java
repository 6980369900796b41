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
 * {@link LogSinkhorn} with its iterations on an OpenCL device ({@link LogSinkhornKernel},
 * float32): the same updates (\(g\) from the columns, then \(f\) from the rows), the same check of
 * the column marginals every {@value SinkhornKnopp#CHECK_EVERY} iterations, the same
 * {@link TransportResult}. The log-kernel is \(-(C - \min C)/\varepsilon\), formed in float64 and
 * copied once (the shift is absorbed by the potentials: the plan is the same). Up to
 * {@code DevicePartialTransport.oneGroupEntries} entries the whole loop runs in one launch of one
 * work-group, its checks on the device; above, the host reads \(m\) error terms at each check.
 * The plan is assembled in float64, \(e^{L_{ij} + f_i + g_j}\), from the final potentials.
 *
 * <p>float32 keeps about \(6 \cdot 10^{-8}\) of each exponent, so a plan entry carries a relative
 * error of about \(|L_{ij}| \cdot 6 \cdot 10^{-8}\) (at \(\varepsilon = 0.01\) and costs in
 * \([0, 2]\): \(10^{-5}\)); {@code DeviceLogSinkhornContractTest} states the tolerance. As for
 * {@link DeviceSinkhorn}, tolerances below {@link DevicePartialTransport#TOLERANCE_FLOOR} stay on
 * the CPU, a non-finite potential or a float64 plan that misses the tolerance its float32 test
 * met is reported with {@link io.rematch.opencl.Float32Range}, and the backend then solves on the
 * CPU: {@code converged} always describes the plan returned.
 */
public final class DeviceLogSinkhorn implements TransportSolver {

    /**
     * Up to this many entries the loop runs in one work-group on a CPU's OpenCL (on a GPU:
     * {@link DevicePartialTransport#ONE_GROUP_ENTRIES_GPU}): none. Its exponentials make it bound by
     * one core's arithmetic there: measured on PoCL on this project's 2-core machine
     * ({@code rematch bench --backend opencl --operations sinkhorn-log}, 1,000 iterations), one
     * group against pass by pass took 243.4 against 237.1 ms at 128 x 128, 950.2 against 595.6 ms at
     * 256 x 256, 3.78 against 2.17 s at 512 x 512.
     */
    static final long ONE_GROUP_ENTRIES_CPU = 0;

    private static final int GROUP = 64;

    private final LogSinkhorn solver;
    private final OpenClDevice device;
    private final long oneGroupEntries;

    /** @param solver the CPU solver it stands in for ({@link #supports} must hold) */
    public DeviceLogSinkhorn(LogSinkhorn solver, OpenClDevice device) {
        this(solver, device, DevicePartialTransport.oneGroupEntries(device, ONE_GROUP_ENTRIES_CPU));
    }

    /** As above, with the loop in one work-group up to {@code oneGroupEntries} entries (tests: both forms). */
    DeviceLogSinkhorn(LogSinkhorn solver, OpenClDevice device, long oneGroupEntries) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL log-domain Sinkhorn takes tolerances of at least "
                    + DevicePartialTransport.TOLERANCE_FLOOR + " (or 0), not " + solver.stopping());
        }
        this.solver = solver;
        this.device = device;
        this.oneGroupEntries = oneGroupEntries;
    }

    /** Whether the device can stand in for {@code s}: log-domain Sinkhorn at a tolerance of 0 or at least the floor. */
    public static boolean supports(TransportSolver s) {
        if (!(s instanceof LogSinkhorn)) {
            return false;
        }
        double tol = s.stopping().tolerance();
        return tol == 0 || tol >= DevicePartialTransport.TOLERANCE_FLOOR;
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
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] given, PairMask forbidden) {
        Stopping stopping = solver.stopping();
        double reg = solver.reg();
        final double[] b = TransportArguments.balanced(cost, a, given, forbidden, reg, stopping);
        final double massB = SinkhornKnopp.sum(b);
        final int n = cost.numRows;
        final int m = cost.numCols;
        double shift = TransportArguments.min(cost);
        double[] ld = new double[n * m];
        double lowest = 0;
        for (int e = 0; e < n * m; e++) {
            ld[e] = -(cost.data[e] - shift) / reg;
            lowest = Math.min(lowest, ld[e]);
        }
        if (!(lowest > -1e29)) {    // far from LOG_ZERO and float32's range: a zero marginal stays distinct
            throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT,
                    "log-domain Sinkhorn: (max C - min C) / reg = %.3g leaves float32", -lowest));
        }
        long bytes = 4L * ((long) n * m + 3L * n + 6L * m + stopping.maxIterations() / SinkhornKnopp.CHECK_EVERY + 5);
        Launch.requireMemory(device, 4L * n * m, bytes, "log-domain Sinkhorn of " + n + " x " + m);
        try (KernelPool.Lease<LogSinkhornKernel> lease = KernelPool.lease(device, LogSinkhornKernel.class, LogSinkhornKernel::new)) {
            LogSinkhornKernel k = lease.kernel();
            k.n = n;
            k.m = m;
            k.l = Launch.toFloat(ld);
            k.loga = LogSinkhornKernel.logs(a);
            k.logb = LogSinkhornKernel.logs(b);
            k.b = Launch.toFloat(b);
            k.f = new float[n];
            k.g = new float[2 * m];
            k.error = new float[m];
            k.parity = 0;
            for (float[] buf : new float[][] {k.l, k.loga, k.logb, k.b, k.f, k.g}) {
                Launch.put(k, buf, device, "log-domain Sinkhorn's buffers");
            }
            k.errors = new float[1];    // the one-group loop's (Aparapi sends no null buffer)
            k.state = new int[4];
            int group = (long) n * m <= oneGroupEntries
                    && stopping.maxIterations() <= DevicePartialTransport.ONE_GROUP_ITERATIONS
                    ? DevicePartialTransport.groupSize(k, device, n, m) : 0;
            Loop loop = group > 0 ? inOneGroup(k, group, stopping, massB) : passByPass(k, stopping, massB);
            List<Double> errors = loop.errors;
            double err = errors.isEmpty() ? Double.NaN : errors.get(errors.size() - 1);
            boolean converged = loop.converged;
            int done = loop.done;
            int planParity = loop.planParity;
            Launch.get(k, k.f, device, "log-domain Sinkhorn's f");
            Launch.get(k, k.g, device, "log-domain Sinkhorn's g");
            int gOff = planParity * m;
            for (int i = 0; i < n; i++) {
                double fi = a[i] == 0 ? Double.NEGATIVE_INFINITY : k.f[i];
                if (!Float.isFinite(k.f[i])) {
                    throw new io.rematch.opencl.Float32Range("log-domain Sinkhorn (OpenCL): a potential left float32");
                }
                for (int j = 0; j < m; j++) {
                    double gj = b[j] == 0 ? Double.NEGATIVE_INFINITY : k.g[gOff + j];
                    if (!Float.isFinite(k.g[gOff + j])) {
                        throw new io.rematch.opencl.Float32Range("log-domain Sinkhorn (OpenCL): a potential left float32");
                    }
                    ld[i * m + j] = Math.exp(ld[i * m + j] + fi + gj);
                }
            }
            if (converged) {
                // the test ran on float32 sums; converged must hold for the float64 plan returned
                double e = DeviceSinkhorn.columnError(ld, n, m, b) / massB;
                if (!(e < stopping.tolerance())) {
                    throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "log-domain Sinkhorn: the float32"
                            + " iterate met the tolerance %.3g but the float64 plan misses it (%.3g)", stopping.tolerance(), e));
                }
                err = e;
                errors.set(errors.size() - 1, e);   // the error of the plan returned
            }
            return Convergence.finish(DMatrixRMaj.wrap(n, m, ld), done, SinkhornKnopp.toArray(errors), err, stopping,
                    converged, null, Convergence.Constraints.balanced(a, b, massB), "Sinkhorn (log domain, OpenCL)",
                    "increase the iteration cap or reg");
        }
    }

    /** What a loop left: iterations done, the error of each check, whether the rule held, the plan's g. */
    private record Loop(int done, List<Double> errors, boolean converged, int planParity) {
    }

    /** The loop in one launch of one work-group ({@link LogSinkhornKernel#SOLVE}), then the state and the errors. */
    private Loop inOneGroup(LogSinkhornKernel k, int size, Stopping stopping, double massB) {
        int cap = stopping.maxIterations();
        k.pass = LogSinkhornKernel.SOLVE;
        k.massB = (float) massB;
        k.tolerance = (float) stopping.tolerance();
        k.cap = cap;
        k.errors = new float[cap / SinkhornKnopp.CHECK_EVERY + 1];
        Launch.run(k, Range.create(device.aparapi(), size, size), device, String.format(Locale.ROOT,
                "log-domain Sinkhorn's loop (%d x %d, up to %d iterations)", k.n, k.m, cap));
        Launch.get(k, k.state, device, "log-domain Sinkhorn's state");
        int count = k.state[LogSinkhornKernel.ERRORS];
        List<Double> errors = DevicePartialTransport.errors(k, k.errors, count, device, "log-domain Sinkhorn's errors");
        return new Loop(k.state[LogSinkhornKernel.DONE], errors,
                k.state[LogSinkhornKernel.STOPPED] == SinkhornKernel.MET, k.state[LogSinkhornKernel.PLAN]);
    }

    /** The loop from the host: a launch per pass, and a read of the error terms at each check. */
    private Loop passByPass(LogSinkhornKernel k, Stopping stopping, double massB) {
        int m = k.m;
        Range rows = Range.create(device.aparapi(), Launch.padded(k.n, GROUP), GROUP);
        Range cols = Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP);
        // the first g is log b - lse_i(L_ij + 0): a column pass whose error terms are ignored
        k.pass = LogSinkhornKernel.COLUMNS;
        Launch.run(k, cols, device, "log-domain Sinkhorn's first column pass");
        k.parity = 1;
        List<Double> errors = new ArrayList<>();
        int done = 0;
        int planParity = k.parity;    // the g the last row pass used: the plan's
        for (int ii = 0; ii < stopping.maxIterations(); ii++) {
            planParity = k.parity;
            k.pass = LogSinkhornKernel.ROWS;
            Launch.run(k, rows, device, "log-domain Sinkhorn's row pass");
            k.pass = LogSinkhornKernel.COLUMNS;
            Launch.run(k, cols, device, "log-domain Sinkhorn's column pass");
            done = ii + 1;
            if (ii % SinkhornKnopp.CHECK_EVERY == 0) {
                Launch.get(k, k.error, device, "log-domain Sinkhorn's errors");
                double e2 = 0;
                for (int j = 0; j < m; j++) {
                    e2 += k.error[j];
                }
                double err = Math.sqrt(e2) / massB;
                errors.add(err);
                if (err < stopping.tolerance()) {
                    return new Loop(done, errors, true, planParity);
                }
            }
            k.parity = 1 - k.parity;
        }
        return new Loop(done, errors, false, planParity);
    }
}

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
 * {@link SinkhornKnopp} with its iterations on an OpenCL device ({@link SinkhornKernel},
 * float32): the same updates, the same check of the column marginals every
 * {@value SinkhornKnopp#CHECK_EVERY} iterations, the same {@link TransportResult}. The kernel
 * \(K = e^{-(C - \min C)/\varepsilon}\) is formed and checked on the host in float64 and copied
 * once. Up to {@code DevicePartialTransport.oneGroupEntries} entries the whole loop runs in one
 * launch of one work-group, its checks on the device; above, the host reads \(m\) error terms and
 * \(v\) at each check. The plan is assembled in float64 from the final \(u, v\).
 *
 * <p>Tolerances below {@link DevicePartialTransport#TOLERANCE_FLOOR}, which float32 sums cannot
 * resolve, stay on the CPU ({@link #supports}). Where a scaling turns zero or non-finite (the CPU
 * then stops and returns the previous iterate, at the very iteration), this solver cannot return
 * that iterate: it says so with {@link io.rematch.opencl.Float32Range}, and the backend solves on
 * the CPU instead. So does a plan whose float32 test passed but whose float64 assembly misses the
 * tolerance: {@code converged} is checked on the plan returned.
 */
public final class DeviceSinkhorn implements TransportSolver {

    /**
     * Up to this many entries the loop runs in one work-group on a CPU's OpenCL (on a GPU:
     * {@link DevicePartialTransport#ONE_GROUP_ENTRIES_GPU}). Measured on PoCL on this project's
     * 2-core machine ({@code rematch bench --backend opencl --operations sinkhorn}, 1,000
     * iterations), one group against pass by pass: 27.6 against 67.0 ms at 128 x 128, 113.3 against
     * 143.0 ms at 256 x 256, 475.1 against 395.2 ms at 512 x 512.
     */
    static final long ONE_GROUP_ENTRIES_CPU = 1L << 16;

    private static final int GROUP = 64;

    private final SinkhornKnopp solver;
    private final OpenClDevice device;
    private final long oneGroupEntries;

    /** @param solver the CPU solver it stands in for ({@link #supports} must hold) */
    public DeviceSinkhorn(SinkhornKnopp solver, OpenClDevice device) {
        this(solver, device, DevicePartialTransport.oneGroupEntries(device, ONE_GROUP_ENTRIES_CPU));
    }

    /** As above, with the loop in one work-group up to {@code oneGroupEntries} entries (tests: both forms). */
    DeviceSinkhorn(SinkhornKnopp solver, OpenClDevice device, long oneGroupEntries) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL Sinkhorn takes tolerances of at least "
                    + DevicePartialTransport.TOLERANCE_FLOOR + " (or 0), not " + solver.stopping());
        }
        this.solver = solver;
        this.device = device;
        this.oneGroupEntries = oneGroupEntries;
    }

    /** Whether the device can stand in for {@code s}: balanced Sinkhorn at a tolerance of 0 or at least the floor. */
    public static boolean supports(TransportSolver s) {
        if (!(s instanceof SinkhornKnopp)) {
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
        double[] kd = new double[n * m];
        for (int e = 0; e < n * m; e++) {
            kd[e] = Math.exp((cost.data[e] - shift) / -reg);
        }
        TransportArguments.requireKernelRepresentable(kd, n, m, reg, shift, cost, "LogSinkhorn, --method sinkhorn-log", null);
        long bytes = 4L * ((long) n * m + 2L * n + 5L * m + stopping.maxIterations() / SinkhornKnopp.CHECK_EVERY + 5);
        Launch.requireMemory(device, 4L * n * m, bytes, "Sinkhorn of " + n + " x " + m);
        DevicePartialTransport.requireFloat32(kd, n, m, 1.0, "Sinkhorn");
        try (KernelPool.Lease<SinkhornKernel> lease = KernelPool.lease(device, SinkhornKernel.class, SinkhornKernel::new)) {
            SinkhornKernel k = lease.kernel();
            k.n = n;
            k.m = m;
            k.k = new float[n * m];
            io.rematch.opencl.HostArrays.narrow(kd, 0, k.k, n * m);
            k.a = Launch.toFloat(a);
            k.b = Launch.toFloat(b);
            k.u = new float[n];
            java.util.Arrays.fill(k.u, 1f / n);
            k.v = new float[2 * m];
            k.error = new float[m];
            k.parity = 0;
            for (float[] buf : new float[][] {k.k, k.a, k.b, k.u, k.v}) {
                Launch.put(k, buf, device, "Sinkhorn's buffers");
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
            Launch.get(k, k.v, device, "Sinkhorn's v");
            Launch.get(k, k.u, device, "Sinkhorn's u");
            // parity now points at the v formed after the last iteration; the plan's v is the other one
            int planV = (1 - k.parity) * m;
            for (int i = 0; i < n; i++) {
                double ui = k.u[i];
                for (int j = 0; j < m; j++) {
                    kd[i * m + j] = ui * kd[i * m + j] * k.v[planV + j];
                }
            }
            if (converged) {
                // the test ran on float32 sums; converged must hold for the float64 plan returned
                double e = columnError(kd, n, m, b) / massB;
                if (!(e < stopping.tolerance())) {
                    throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "Sinkhorn: the float32 iterate"
                            + " met the tolerance %.3g but the float64 plan misses it (%.3g)", stopping.tolerance(), e));
                }
                err = e;
                errors.set(errors.size() - 1, e);   // the error of the plan returned
            }
            return Convergence.finish(DMatrixRMaj.wrap(n, m, kd), done, SinkhornKnopp.toArray(errors), err, stopping,
                    converged, null, Convergence.Constraints.balanced(a, b, massB), "Sinkhorn (OpenCL)",
                    "increase the iteration cap or reg");
        }
    }

    /** What a loop left: iterations done, the error of each check, whether the rule held. */
    private record Loop(int done, List<Double> errors, boolean converged) {
    }

    /** The loop in one launch of one work-group ({@link SinkhornKernel#SOLVE}), then the state and the errors. */
    private Loop inOneGroup(SinkhornKernel k, int size, Stopping stopping, double massB) {
        int cap = stopping.maxIterations();
        k.pass = SinkhornKernel.SOLVE;
        k.massB = (float) massB;
        k.tolerance = (float) stopping.tolerance();
        k.cap = cap;
        k.errors = new float[cap / SinkhornKnopp.CHECK_EVERY + 1];
        Launch.run(k, Range.create(device.aparapi(), size, size), device, String.format(Locale.ROOT,
                "Sinkhorn's loop (%d x %d, up to %d iterations)", k.n, k.m, cap));
        Launch.get(k, k.state, device, "Sinkhorn's state");
        int done = k.state[SinkhornKernel.DONE];
        if (k.state[SinkhornKernel.STOPPED] == SinkhornKernel.RANGE) {
            throw new io.rematch.opencl.Float32Range("Sinkhorn (OpenCL): a scaling turned zero or non-finite by iteration "
                    + (done - 1));
        }
        int count = k.state[SinkhornKernel.ERRORS];
        List<Double> errors = DevicePartialTransport.errors(k, k.errors, count, device, "Sinkhorn's errors");
        k.parity = k.state[SinkhornKernel.PARITY];
        return new Loop(done, errors, k.state[SinkhornKernel.STOPPED] == SinkhornKernel.MET);
    }

    /** The loop from the host: a launch per pass, and at each check reads of \(u\), \(v\) and the error terms. */
    private Loop passByPass(SinkhornKernel k, Stopping stopping, double massB) {
        int n = k.n;
        int m = k.m;
        Range rows = Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP);
        Range cols = Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP);
        // v of the first iteration is b / K^T u for u = 1/n: a column pass whose error terms are ignored
        k.pass = SinkhornKernel.COLUMNS;
        Launch.run(k, cols, device, "Sinkhorn's first column pass");
        k.parity = 1;
        List<Double> errors = new ArrayList<>();
        int done = 0;
        for (int ii = 0; ii < stopping.maxIterations(); ii++) {
            k.pass = SinkhornKernel.ROWS;
            Launch.run(k, rows, device, "Sinkhorn's row pass");
            k.pass = SinkhornKernel.COLUMNS;
            Launch.run(k, cols, device, "Sinkhorn's column pass");
            done = ii + 1;
            if (ii % SinkhornKnopp.CHECK_EVERY == 0 || ii == stopping.maxIterations() - 1) {
                Launch.get(k, k.v, device, "Sinkhorn's v");
                Launch.get(k, k.u, device, "Sinkhorn's u");
                if (!finite(k.v) || !finite(k.u)) {
                    throw new io.rematch.opencl.Float32Range("Sinkhorn (OpenCL): a scaling turned zero or non-finite by iteration " + ii);
                }
            }
            if (ii % SinkhornKnopp.CHECK_EVERY == 0) {
                Launch.get(k, k.error, device, "Sinkhorn's errors");
                double e2 = 0;
                for (int j = 0; j < m; j++) {
                    e2 += k.error[j];
                }
                double err = Math.sqrt(e2) / massB;
                errors.add(err);
                if (err < stopping.tolerance()) {
                    k.parity = 1 - k.parity;   // v of this iteration is the one the error was measured with
                    return new Loop(done, errors, true);
                }
            }
            k.parity = 1 - k.parity;
        }
        return new Loop(done, errors, false);
    }

    /** \(\|\pi^\top \mathbf 1 - b\|_2\) of a float64 plan: the balanced solvers' stopping error, re-checked on the host. */
    static double columnError(double[] plan, int n, int m, double[] b) {
        double e2 = 0;
        for (int j = 0; j < m; j++) {
            double c = 0;
            for (int i = 0; i < n; i++) {
                c += plan[i * m + j];
            }
            e2 += (c - b[j]) * (c - b[j]);
        }
        return Math.sqrt(e2);
    }

    private static boolean finite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}

package io.rematch.ot;

import com.aparapi.Range;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.opencl.KernelPool;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * {@link MaskedPartialTransport} (L2RM's masked partial OT with the dummy row and column, stable
 * mode) with its iterations on an OpenCL device ({@link MaskedPartialKernel}, float32): the same
 * extension and arguments' checks ({@link DummyExtension}), the same updates (\(u\) from the rows,
 * then \(v\) from the columns), the same stopping rules checked at the same iterations (the row
 * marginals of the current plan every iteration, or the release's change of \(u\)), the same
 * {@link TransportResult}. The host forms the log-kernel in float64 with the dummy costs absorbed
 * into the dummy potentials (see the kernel); up to {@code DevicePartialTransport.oneGroupEntries}
 * entries the whole loop runs in one launch of one work-group, its test on the device, and above
 * the host reads \(n + 1\) error terms per iteration. The plan is assembled in float64 from the
 * final potentials, in the release's cost units.
 *
 * <p>As for the other device solvers, tolerances below {@link DevicePartialTransport#TOLERANCE_FLOOR}
 * stay on the CPU ({@link #supports}; so does the faithful mode, whose \(10^{-10}\) inside the
 * log-sum-exp float32 cannot resolve), and a plan whose float32 marginals test passed but whose
 * float64 row marginals miss the tolerance is reported with {@link io.rematch.opencl.Float32Range}
 * so that the backend solves on the CPU: {@code converged} describes the plan returned.
 */
public final class DeviceMaskedPartialTransport implements TransportSolver {

    /**
     * Up to this many entries (with the dummy row and column) the loop runs in one work-group on a
     * CPU's OpenCL (on a GPU: {@link DevicePartialTransport#ONE_GROUP_ENTRIES_GPU}). Measured on
     * PoCL on this project's 2-core machine ({@code rematch bench --backend opencl --operations l2rm},
     * 1,000 iterations), one group against pass by pass: 236.2 against 328.9 ms at 128 x 128, 0.91
     * against 1.00 s at 256 x 256.
     */
    static final long ONE_GROUP_ENTRIES_CPU = 1L << 17;

    private static final int GROUP = 64;

    private final MaskedPartialTransport solver;
    private final OpenClDevice device;
    private final long oneGroupEntries;

    /** @param solver the CPU solver it stands in for ({@link #supports} must hold) */
    public DeviceMaskedPartialTransport(MaskedPartialTransport solver, OpenClDevice device) {
        this(solver, device, DevicePartialTransport.oneGroupEntries(device, ONE_GROUP_ENTRIES_CPU));
    }

    /** As above, with the loop in one work-group up to {@code oneGroupEntries} entries (tests: both forms). */
    DeviceMaskedPartialTransport(MaskedPartialTransport solver, OpenClDevice device, long oneGroupEntries) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL L2RM partial OT takes stable mode and tolerances of at least "
                    + DevicePartialTransport.TOLERANCE_FLOOR + " (or 0), not " + solver.mode() + " mode, " + solver.stopping());
        }
        this.solver = solver;
        this.device = device;
        this.oneGroupEntries = oneGroupEntries;
    }

    /** Whether the device can stand in for {@code s}: L2RM's partial OT in stable mode at a tolerance of 0 or at least the floor. */
    public static boolean supports(TransportSolver s) {
        if (!(s instanceof MaskedPartialTransport t) || t.mode() != Mode.STABLE) {
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
    public TransportResult solve(DMatrixRMaj cost, double[] a, double[] b, PairMask forbidden) {
        final double reg = solver.reg();
        final Stopping stopping = solver.stopping();
        DummyExtension x = DummyExtension.of(cost, a, b, solver.mass(), forbidden, MaskedPartialTransport.DUMMY_COST_FACTOR);
        TransportArguments.regForCost(reg, x.maxCost, "L2RM's dummy corner costs 201 x max cost");
        final int n = x.n;
        final int m = x.m;
        final int n1 = x.n1;
        final int m1 = x.m1;
        final boolean marginals = stopping.rule() == Stopping.Rule.MARGINALS;
        final double massA = SinkhornKnopp.sum(x.p);
        final double xi = x.cost[m];    // row 0's dummy entry (row-major (n+1) x (m+1)): xi = 100 max C
        double lowest = Double.POSITIVE_INFINITY;   // the real block's smallest allowed cost
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (!x.forbidden[i * m1 + j]) {
                    lowest = Math.min(lowest, x.cost[i * m1 + j]);
                }
            }
        }
        final double cmin = lowest == Double.POSITIVE_INFINITY ? 0 : lowest;
        // -C'/reg with constants moved into the potentials, so that every exponent stays moderate:
        // the real rows' f - cmin/reg, the dummy row's f - xi/reg, the dummy column's g - (xi - cmin)/reg.
        // Then the real block is -(C - cmin)/reg, the dummy entries 0, the corner -(max C + cmin)/reg.
        final double[] rowConstant = new double[n1];
        final double[] colConstant = new double[m1];
        java.util.Arrays.fill(rowConstant, 0, n, cmin / reg);
        rowConstant[n] = xi / reg;
        colConstant[m] = (xi - cmin) / reg;
        double[] ld = new double[n1 * m1];
        double largest = 0;
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < m1; j++) {
                int e = i * m1 + j;
                ld[e] = x.forbidden[e] ? Double.NEGATIVE_INFINITY : -x.cost[e] / reg + rowConstant[i] + colConstant[j];
                largest = x.forbidden[e] ? largest : Math.max(largest, Math.abs(ld[e]));
            }
        }
        if (!(largest < 1e29)) {    // far from LOG_ZERO and float32's range
            throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT,
                    "L2RM partial OT: a log-kernel entry of size %.3g leaves float32", largest));
        }
        long bytes = 4L * ((long) n1 * m1 + 7L * n1 + 2L * m1 + stopping.maxIterations());
        Launch.requireMemory(device, 4L * n1 * m1, bytes, "L2RM partial OT of " + n + " x " + m);
        try (KernelPool.Lease<MaskedPartialKernel> lease = KernelPool.lease(device, MaskedPartialKernel.class, MaskedPartialKernel::new)) {
            MaskedPartialKernel k = lease.kernel();
            k.n1 = n1;
            k.m1 = m1;
            k.reg = (float) reg;
            k.l = new float[n1 * m1];
            for (int e = 0; e < ld.length; e++) {
                k.l[e] = ld[e] == Double.NEGATIVE_INFINITY ? LogSinkhornKernel.LOG_ZERO : (float) ld[e];
            }
            k.p = Launch.toFloat(x.p);
            k.logp = LogSinkhornKernel.logs(x.p);
            k.logq = LogSinkhornKernel.logs(x.q);
            // u = v = 0 in the release's units: the potentials here start at minus the constants
            k.f = new float[n1];
            for (int i = 0; i < n1; i++) {
                k.f[i] = (float) -rowConstant[i];
            }
            k.fOld = new float[n1];
            k.g = new float[m1];
            for (int j = 0; j < m1; j++) {
                k.g[j] = (float) -colConstant[j];
            }
            k.rowError = new float[n1];
            k.change = new float[n1];
            for (float[] buf : new float[][] {k.l, k.p, k.logp, k.logq, k.f, k.g}) {
                Launch.put(k, buf, device, "L2RM partial OT's buffers");
            }
            k.errors = new float[1];    // the one-group loop's (Aparapi sends no null buffer)
            k.state = new int[3];
            int group = (long) n1 * m1 <= oneGroupEntries
                    && stopping.maxIterations() <= DevicePartialTransport.ONE_GROUP_ITERATIONS
                    ? DevicePartialTransport.groupSize(k, device, n1, m1) : 0;
            Loop loop = group > 0 ? inOneGroup(k, group, stopping, marginals, massA)
                    : passByPass(k, stopping, marginals, massA);
            List<Double> errors = loop.errors;
            double err = errors.isEmpty() ? Double.NaN : errors.get(errors.size() - 1);
            boolean ruleMet = loop.ruleMet;
            boolean keepOld = ruleMet && marginals;   // marginals met: the plan is the one before this row pass
            int done = loop.done;
            Launch.get(k, keepOld ? k.fOld : k.f, device, "L2RM partial OT's row potentials");
            Launch.get(k, k.g, device, "L2RM partial OT's column potentials");
            float[] fl = keepOld ? k.fOld : k.f;
            double[] u = new double[n1];
            double[] v = new double[m1];
            for (int i = 0; i < n1; i++) {
                if (!Float.isFinite(fl[i])) {
                    throw new io.rematch.opencl.Float32Range("L2RM partial OT (OpenCL): a potential left float32");
                }
                u[i] = x.p[i] == 0 ? Double.NEGATIVE_INFINITY : reg * (fl[i] + rowConstant[i]);
            }
            for (int j = 0; j < m1; j++) {
                if (!Float.isFinite(k.g[j])) {
                    throw new io.rematch.opencl.Float32Range("L2RM partial OT (OpenCL): a potential left float32");
                }
                v[j] = x.q[j] == 0 ? Double.NEGATIVE_INFINITY : reg * (k.g[j] + colConstant[j]);
            }
            if (ruleMet && marginals) {
                // the test ran on float32 sums; converged must hold for the float64 plan returned
                double e = rowMarginalError(x, u, v, reg) / massA;
                if (!(e < stopping.tolerance())) {
                    throw new io.rematch.opencl.Float32Range(String.format(Locale.ROOT, "L2RM partial OT: the float32"
                            + " iterate met the tolerance %.3g but the float64 plan misses it (%.3g)", stopping.tolerance(), e));
                }
                err = e;
                errors.set(errors.size() - 1, e);   // the error of the plan returned
            }
            return Convergence.finish(x.realPlan(u, v, reg), done, SinkhornKnopp.toArray(errors), err, stopping, ruleMet,
                    null, Convergence.Constraints.measured(() -> x.extendedViolation(u, v, reg)), "L2RM partial OT (OpenCL)",
                    "increase the iteration cap or reg");
        }
    }

    /** What a loop left: iterations done, the error of each check, whether the rule held. */
    private record Loop(int done, List<Double> errors, boolean ruleMet) {
    }

    /** The loop in one launch of one work-group ({@link MaskedPartialKernel#SOLVE}), then the state and the errors. */
    private Loop inOneGroup(MaskedPartialKernel k, int size, Stopping stopping, boolean marginals, double massA) {
        int cap = stopping.maxIterations();
        k.pass = MaskedPartialKernel.SOLVE;
        k.marginals = marginals ? 1 : 0;
        k.massA = (float) massA;
        k.tolerance = (float) stopping.tolerance();
        k.cap = cap;
        k.errors = new float[Math.max(1, cap)];
        Launch.run(k, Range.create(device.aparapi(), size, size), device, String.format(Locale.ROOT,
                "L2RM partial OT's loop (%d x %d, up to %d iterations)", k.n1, k.m1, cap));
        Launch.get(k, k.state, device, "L2RM partial OT's state");
        int count = k.state[MaskedPartialKernel.ERRORS];
        List<Double> errors = DevicePartialTransport.errors(k, k.errors, count, device, "L2RM partial OT's errors");
        return new Loop(k.state[MaskedPartialKernel.DONE], errors,
                k.state[MaskedPartialKernel.STOPPED] == MaskedPartialKernel.MET);
    }

    /** The loop from the host: a launch per pass, and a read of the rows' errors (or changes) per iteration. */
    private Loop passByPass(MaskedPartialKernel k, Stopping stopping, boolean marginals, double massA) {
        Range rows = Range.create(device.aparapi(), Launch.padded(k.n1, GROUP), GROUP);
        Range cols = Range.create(device.aparapi(), Launch.padded(k.m1, GROUP), GROUP);
        List<Double> errors = new ArrayList<>();
        int done = 0;
        for (int it = 0; it < stopping.maxIterations(); it++) {
            k.pass = MaskedPartialKernel.ROWS;
            Launch.run(k, rows, device, "L2RM partial OT's row pass");
            if (marginals) {
                Launch.get(k, k.rowError, device, "L2RM partial OT's row errors");
                double err = Math.sqrt(sum(k.rowError)) / massA;
                errors.add(err);
                if (err < stopping.tolerance()) {
                    return new Loop(done, errors, true);
                }
            }
            k.pass = MaskedPartialKernel.COLUMNS;
            Launch.run(k, cols, device, "L2RM partial OT's column pass");
            done = it + 1;
            if (!marginals) {
                Launch.get(k, k.change, device, "L2RM partial OT's potential changes");
                double err = Math.sqrt(sum(k.change));
                errors.add(err);
                if (err < stopping.tolerance()) {
                    return new Loop(done, errors, true);
                }
            }
        }
        return new Loop(done, errors, false);
    }

    /** \(\|e^{M} \mathbf 1 - a'\|_2\) of the extended plan in float64: the marginals rule's error. */
    static double rowMarginalError(DummyExtension x, double[] u, double[] v, double reg) {
        double e2 = 0;
        for (int i = 0; i < x.n1; i++) {
            if (x.p[i] == 0) {
                continue;
            }
            double row = 0;
            for (int j = 0; j < x.m1; j++) {
                int e = i * x.m1 + j;
                row += x.forbidden[e] ? 0 : Math.exp(((-x.cost[e] + u[i]) + v[j]) / reg);
            }
            e2 += (row - x.p[i]) * (row - x.p[i]);
        }
        return Math.sqrt(e2);
    }

    private static double sum(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s;
    }
}

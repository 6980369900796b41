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
 * the device once. Up to {@link #ONE_GROUP_ENTRIES_GPU} entries on a GPU
 * ({@link #ONE_GROUP_ENTRIES_CPU} on a CPU) the whole loop runs in one launch of one work-group,
 * the test and \(\gamma\) formed on the device; above, per iteration the device
 * makes both passes and returns \(n + 2m\) floats (the row violations, \(\beta\) and
 * \(\beta_j c_j\)) from which the host forms \(\gamma\) and the test. The plan is assembled on the
 * host in float64 from the final factors, its \(\gamma\) taken so that its mass is
 * \(\mathfrak m\) to double rounding.
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

    /**
     * On a GPU, problems of up to this many entries (1024 x 1024) run their loop in one launch of
     * one work-group ({@link EntropicPartialKernel#SOLVE}); larger ones a launch per pass over the
     * whole device. Why this size: the pass-by-pass loop makes two launches and three reads an
     * iteration, which on an H200 came to 381 ms for 1,000 iterations at 1024 x 1024 (0.38 ms an
     * iteration, while PyTorch took 150 ms), and one work-group streams a 4 MB kernel twice an
     * iteration from the device's cache in well under that. An estimate, not yet a measurement:
     * {@code -Drematch.ot.oneGroupEntries=N} sets the bound for a benchmark (docs/gpu.md).
     */
    public static final long ONE_GROUP_ENTRIES_GPU = 1L << 20;

    /**
     * The bound for partial OT on a CPU's OpenCL (PoCL), where one work-group runs on one core
     * (each solver has its own, measured alike): measured on this project's 2-core machine ({@code rematch bench --backend opencl --operations partial},
     * 1,000 iterations), one group against pass by pass took 33 against 89 ms at 128 x 128, 125
     * against 390 ms at 256 x 256, 514 against 567 ms at 512 x 512 and 7.6 against 3.4 s at
     * 1024 x 1024.
     */
    public static final long ONE_GROUP_ENTRIES_CPU = 1L << 18;

    private final EntropicPartialTransport solver;
    private final double reg;
    private final double mass;
    private final OpenClDevice device;
    private final long oneGroupEntries;

    /**
     * @param solver the CPU solver it stands in for ({@link #supports} must hold)
     * @param device where the iterations run
     */
    public DevicePartialTransport(EntropicPartialTransport solver, OpenClDevice device) {
        this(solver, device, oneGroupEntries(device, ONE_GROUP_ENTRIES_CPU));
    }

    /**
     * The largest problem (in entries) whose loop runs in one work-group on {@code device}: 0 if
     * its work-groups hold fewer than 64 items, else
     * {@code -Drematch.ot.oneGroupEntries} when set, else {@link #ONE_GROUP_ENTRIES_GPU} on a GPU or
     * {@code onCpu} (each solver's own bound on a CPU's OpenCL, where one group runs on one core).
     */
    static long oneGroupEntries(OpenClDevice device, long onCpu) {
        if (groupSize(device) < 64) {
            return 0;
        }
        String set = System.getProperty(ONE_GROUP_PROPERTY);
        if (set != null) {
            try {
                long v = Long.parseLong(set.trim());
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("-D" + ONE_GROUP_PROPERTY + " must be a number of entries >= 0, got '"
                    + set + "'");
        }
        return device.isGpu() ? ONE_GROUP_ENTRIES_GPU : onCpu;
    }

    /**
     * The largest iteration cap the one-group loop takes: it keeps every check's error on the
     * device (4 bytes each, 16 MiB here); a larger cap runs pass by pass.
     */
    static final int ONE_GROUP_ITERATIONS = 1 << 22;

    /** The JVM property that sets {@link #oneGroupEntries} (for benchmarks). */
    public static final String ONE_GROUP_PROPERTY = "rematch.ot.oneGroupEntries";

    /** The largest one work-group {@code device} allows: a power of two up to {@link OneGroupKernel#GROUP}. */
    static int groupSize(OpenClDevice device) {
        return Integer.highestOneBit(Math.max(1, Math.min(OneGroupKernel.GROUP, device.maxWorkGroupSize())));
    }

    /**
     * The one work-group's size for an {@code n x m} problem: an item per row or column up to the
     * device's {@link #groupSize}, at least 64 (a power of two for the tree reductions); more items
     * than rows and columns would only lengthen the reductions.
     */
    static int groupSize(OpenClDevice device, int n, int m) {
        int wanted = Integer.highestOneBit(Math.max(64, Math.max(n, m) * 2 - 1));
        return Math.min(wanted, groupSize(device));
    }

    /**
     * {@link #groupSize(OpenClDevice, int, int)} within what {@code kernel}, built for the device,
     * can take in one group (a kernel's registers can hold it below the device's largest group);
     * 0 when that is under 64 items or the device does not say, and the loop then runs pass by pass.
     */
    static int groupSize(com.aparapi.Kernel kernel, OpenClDevice device, int n, int m) {
        int size = groupSize(device, n, m);
        int limit;
        try {
            limit = kernel.getKernelMaxWorkGroupSize(device.aparapi());
        } catch (com.aparapi.exception.QueryFailedException | RuntimeException e) {
            return 0;
        }
        while (size > limit) {
            size /= 2;
        }
        return size >= 64 ? size : 0;
    }

    /** As above, with the loop in one work-group up to {@code oneGroupEntries} entries (tests: both forms). */
    DevicePartialTransport(EntropicPartialTransport solver, OpenClDevice device, long oneGroupEntries) {
        if (!supports(solver)) {
            throw new IllegalArgumentException("the OpenCL partial OT stops on the marginals at a tolerance of at least "
                    + TOLERANCE_FLOOR + " (or 0), not " + solver.stopping());
        }
        this.solver = solver;
        this.reg = solver.reg();
        this.mass = solver.mass();
        this.device = device;
        this.oneGroupEntries = oneGroupEntries;
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
        long bytes = 4L * ((long) n * m + 4L * n + 5L * m + stopping.maxIterations());
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
            k.errors = new float[1];    // the one-group loop's (Aparapi sends no null buffer)
            k.state = new int[3];
            k.stats = new float[2];
            k.parity = 0;
            for (float[] buf : new float[][] {k.k0, k.a, k.b, k.alpha, k.beta}) {
                Launch.put(k, buf, device, "partial OT's buffers");
            }
            double gamma0 = mTarget / total;
            int group = (long) n * m <= oneGroupEntries
                    && stopping.maxIterations() <= DevicePartialTransport.ONE_GROUP_ITERATIONS
                    ? groupSize(k, device, n, m) : 0;
            Loop loop = group > 0 ? inOneGroup(k, group, stopping, gamma0, mTarget)
                    : passByPass(k, stopping, gamma0, mTarget, b);
            boolean ruleMet = loop.ruleMet;
            double gamma = loop.gamma;
            String numerical = null;
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
            double err = loop.errors.isEmpty() ? Double.NaN : loop.errors.get(loop.errors.size() - 1);
            return Convergence.finish(plan, loop.done, SinkhornKnopp.toArray(loop.errors), err, stopping,
                    ruleMet, numerical, constraints, "entropic partial OT (OpenCL)",
                    "increase the iteration cap or reg");
        }
    }

    /** The first {@code count} errors a one-group loop wrote into {@code errors} on the device, read back. */
    static List<Double> errors(com.aparapi.Kernel k, float[] errors, int count, OpenClDevice device, String what) {
        List<Double> out = new ArrayList<>();
        if (count > 0) {
            Launch.get(k, errors, device, what);
        }
        for (int c = 0; c < count; c++) {
            out.add((double) errors[c]);
        }
        return out;
    }

    /** What a loop left: iterations committed, the errors of the checks, whether the rule held, the last gamma. */
    private record Loop(int done, List<Double> errors, boolean ruleMet, double gamma) {
    }

    /**
     * The loop in one launch of one work-group ({@link EntropicPartialKernel#SOLVE}): no host round
     * trip until it has stopped, then the state and the errors in two reads.
     */
    private Loop inOneGroup(EntropicPartialKernel k, int size, Stopping stopping, double gamma0, double mTarget) {
        int cap = stopping.maxIterations();
        k.pass = EntropicPartialKernel.SOLVE;
        k.gamma = (float) gamma0;
        k.mass = (float) mTarget;
        k.tolerance = (float) stopping.tolerance();
        k.cap = cap;
        k.errors = new float[Math.max(1, cap)];
        Launch.run(k, Range.create(device.aparapi(), size, size), device,
                String.format(Locale.ROOT, "partial OT's loop (%d x %d, up to %d iterations)", k.n, k.m, cap));
        Launch.get(k, k.state, device, "partial OT's state");
        Launch.get(k, k.stats, device, "partial OT's statistics");
        int done = k.state[EntropicPartialKernel.DONE];
        if (k.state[EntropicPartialKernel.STOPPED] == EntropicPartialKernel.RANGE) {
            throw new io.rematch.opencl.Float32Range("entropic partial OT: the mass scaling "
                    + mTarget / k.stats[EntropicPartialKernel.SUM] + " left float32 at iteration " + done);
        }
        List<Double> errors = errors(k, k.errors, done, device, "partial OT's errors");
        k.parity = k.state[EntropicPartialKernel.PARITY];
        return new Loop(done, errors, k.state[EntropicPartialKernel.STOPPED] == EntropicPartialKernel.MET,
                k.stats[EntropicPartialKernel.GAMMA]);
    }

    /**
     * The loop from the host, a launch per pass over all rows and then all columns, and the reads
     * its test needs (the row violations, the column sums, \(\beta\)).
     */
    private Loop passByPass(EntropicPartialKernel k, Stopping stopping, double gamma0, double mTarget, double[] b) {
        int n = k.n;
        int m = k.m;
        double tol = stopping.tolerance();
        Range rows = Range.create(device.aparapi(), Launch.padded(n, GROUP), GROUP);
        Range cols = Range.create(device.aparapi(), Launch.padded(m, GROUP), GROUP);
        double gamma = gamma0;
        List<Double> errors = new ArrayList<>();
        double colResidual = Double.NaN;
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
                double err = Math.max(worst, colResidual) / mTarget;
                errors.add(err);
                if (tol > 0 && !(err > tol)) {
                    return new Loop(done, errors, true, gamma);
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
        return new Loop(done, errors, false, gamma);
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

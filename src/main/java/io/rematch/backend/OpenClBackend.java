package io.rematch.backend;

import io.rematch.loss.DeviceSoftmaxLoss;
import io.rematch.loss.DeviceTripletLoss;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.ScoreLoss;
import io.rematch.loss.TripletRankingLoss;
import io.rematch.model.Blas;
import io.rematch.model.DeviceSimilarities;
import io.rematch.model.TwoTower;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.OpenClDevice;
import java.util.function.Consumer;
import org.ejml.data.DMatrixRMaj;

/**
 * An OpenCL device through Aparapi, float32. Every launch is checked to have run on the device
 * ({@link io.rematch.opencl.Launch}); on the first {@link DeviceFailure} (a kernel that does not
 * build, memory the device does not have, Aparapi falling back to Java threads) this backend
 * warns once and computes everything from then on on the CPU, so no partial or wrong numbers are
 * returned and nothing the CPU computed is counted as the device's ({@link #report()}). One
 * device, one queue: threads that share this backend (an experiment's runs) take turns on it.
 */
public final class OpenClBackend implements Backend {

    private final OpenClDevice device;
    private final Consumer<String> warnings;
    private final Usage usage = new Usage();
    private final long budget;
    private volatile String failure;
    /** Tests only: the block after which the similarity kernel is made to fail (-1: never). */
    int failAfterBlocks = -1;

    OpenClBackend(OpenClDevice device, Consumer<String> warnings) {
        this(device, warnings, Math.min(device.maxAllocation(), device.globalMemory() / 4));
    }

    /** @param budget the device memory the similarity products may use, in bytes */
    OpenClBackend(OpenClDevice device, Consumer<String> warnings, long budget) {
        this.device = device;
        this.warnings = warnings == null ? w -> { } : warnings;
        this.budget = budget;
    }

    /** The device. */
    public OpenClDevice device() {
        return device;
    }

    @Override
    public boolean failed() {
        return failure != null;
    }

    /** Why this backend computes on the CPU now, or {@code null} while the device works. */
    public String failure() {
        return failure;
    }

    /** How often {@code operation} ran on the device ({@code "opencl"}) or the CPU ({@code "cpu"}). */
    public int count(String operation, String where) {
        return usage.count(operation, where);
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String describe() {
        String f = failure;
        return "opencl: " + device.describe() + ", kernels in float32"
                + (f == null ? "" : "; failed, so the CPU computes from then on (" + f + ")");
    }

    @Override
    public double[] similarities(double[] x, int n, double[] y, int m, int d) {
        float[] s = null;
        synchronized (this) {      // the device's turn; the CPU's work below runs outside the lock
            if (failure == null) {
                try {
                    s = new DeviceSimilarities(device, budget).compute(io.rematch.opencl.Launch.toFloat(x), n,
                            io.rematch.opencl.Launch.toFloat(y), m, d);
                    usage.add("similarities", "opencl");
                } catch (DeviceFailure e) {
                    fail(e);
                }
            }
        }
        if (s != null) {
            return toDouble(s);
        }
        usage.add("similarities", "cpu");
        return TwoTower.similarities(x, n, y, m, d);
    }

    @Override
    public float[] similarities(float[] x, int n, float[] y, int m, int d) {
        synchronized (this) {
            if (failure == null) {
                try {
                    float[] s = new DeviceSimilarities(device, budget).compute(x, n, y, m, d);
                    usage.add("similarities", "opencl");
                    return s;
                } catch (DeviceFailure e) {
                    fail(e);
                }
            }
        }
        usage.add("similarities", "cpu");
        return Blas.similarities(x, n, y, m, d);
    }

    @Override
    public void similarityBlocks(double[] x, int n, double[] y, int m, int d, int maxRows, BlockConsumer consumer) {
        if (!onDevice(x, n, y, m, d, maxRows, consumer)) {
            usage.add("similarities", "cpu");
            CpuBackend.blocksOnCpu(x, n, y, m, d, maxRows, consumer);
        }
    }

    /**
     * The blocks on the device, in its turn (the consumer runs between the device's blocks, so
     * within the turn); after a failure mid-way, the rest on the CPU. False if the device had failed
     * before: nothing was handed on.
     */
    private synchronized boolean onDevice(double[] x, int n, double[] y, int m, int d, int maxRows,
                                          BlockConsumer consumer) {
        if (failure == null) {
            // Blocks are handed on only once the device has computed them; if a later block fails,
            // the CPU redoes the rest from that row, so the consumer sees each row exactly once.
            int[] done = {0};
            double[][] wide = {new double[0]};
            try {
                int[] blocks = {0};
                new DeviceSimilarities(device, budget).blocks(io.rematch.opencl.Launch.toFloat(x), n, io.rematch.opencl.Launch.toFloat(y), m, d, maxRows, (from, rows, block) -> {
                    if (blocks[0]++ == failAfterBlocks) {
                        throw new DeviceFailure("a failure injected by a test after " + failAfterBlocks + " blocks");
                    }
                    if (wide[0].length < rows * m) {
                        wide[0] = new double[rows * m];
                    }
                    io.rematch.opencl.HostArrays.widen(block, wide[0], rows * m);
                    consumer.accept(from, rows, wide[0].length == rows * m ? wide[0]
                            : java.util.Arrays.copyOf(wide[0], rows * m));
                    done[0] = from + rows;
                });
                usage.add("similarities", "opencl");
                return true;
            } catch (DeviceFailure e) {
                fail(e);
                int from = done[0];
                if (from >= n) {
                    return true;
                }
                usage.add("similarities", "cpu");
                double[] rest = java.util.Arrays.copyOfRange(x, from * d, n * d);
                CpuBackend.blocksOnCpu(rest, n - from, y, m, d, maxRows,
                        (f, rows, block) -> consumer.accept(from + f, rows, block));
                return true;
            }
        }
        return false;
    }

    @Override
    public ScoreLoss loss(ScoreLoss loss) {
        ScoreLoss onDevice;
        if (DeviceSoftmaxLoss.supports(loss)) {
            onDevice = new DeviceSoftmaxLoss(loss, device);
        } else if (DeviceTripletLoss.supports(loss)) {
            onDevice = new DeviceTripletLoss((TripletRankingLoss) loss, device);
        } else if (loss instanceof io.rematch.loss.TargetedLoss.FixedTargets f
                && io.rematch.loss.DeviceSoftTargetLoss.supports(f.loss())) {
            onDevice = new io.rematch.loss.DeviceSoftTargetLoss(f.loss(), device).withTargets(f.targets());
        } else {
            return CpuBackend.counted(loss, usage, "cpu (" + whyNot(loss) + ")");
        }
        return new ScoreLoss() {
            @Override
            public LossValue evaluate(DMatrixRMaj scores, LossWorkspace workspace) {
                if (failure == null) {
                    try {
                        LossValue v = null;
                        synchronized (OpenClBackend.this) {    // the device's turn; re-checked inside it
                            if (failure == null) {
                                v = onDevice.evaluate(scores, workspace);
                            }
                        }
                        if (v != null) {
                            usage.add(loss.name(), "opencl");
                            return v;
                        }
                    } catch (io.rematch.opencl.Float32Range e) {
                        usage.add(loss.name(), "cpu (beyond float32)");
                        note(e);
                        return loss.evaluate(scores, workspace);
                    } catch (DeviceFailure e) {
                        fail(e);
                    }
                }
                usage.add(loss.name(), "cpu");
                return loss.evaluate(scores, workspace);
            }

            @Override
            public String name() {
                return loss.name();
            }
        };
    }

    @Override
    public io.rematch.ot.TransportSolver transport(io.rematch.ot.TransportSolver solver) {
        io.rematch.ot.TransportSolver onDevice;
        if (io.rematch.ot.DevicePartialTransport.supports(solver)) {
            onDevice = new io.rematch.ot.DevicePartialTransport((io.rematch.ot.EntropicPartialTransport) solver, device);
        } else if (io.rematch.ot.DeviceSinkhorn.supports(solver)) {
            onDevice = new io.rematch.ot.DeviceSinkhorn((io.rematch.ot.SinkhornKnopp) solver, device);
        } else if (io.rematch.ot.DeviceLogSinkhorn.supports(solver)) {
            onDevice = new io.rematch.ot.DeviceLogSinkhorn((io.rematch.ot.LogSinkhorn) solver, device);
        } else if (io.rematch.ot.DeviceMaskedPartialTransport.supports(solver)) {
            onDevice = new io.rematch.ot.DeviceMaskedPartialTransport((io.rematch.ot.MaskedPartialTransport) solver, device);
        } else if (io.rematch.ot.DeviceLogPartialTransport.supports(solver)) {
            onDevice = new io.rematch.ot.DeviceLogPartialTransport((io.rematch.ot.LogEntropicPartialTransport) solver, device);
        } else {
            return CpuBackend.counted(solver, usage, "cpu (" + whyNot(solver) + ")");
        }
        String what = "ot-" + solver.name();
        return new io.rematch.ot.TransportSolver() {
            @Override
            public io.rematch.ot.TransportResult solve(DMatrixRMaj cost, double[] a, double[] b,
                                                       io.rematch.mask.PairMask forbidden) {
                if (failure == null) {
                    try {
                        io.rematch.ot.TransportResult r = null;
                        synchronized (OpenClBackend.this) {    // the device's turn; re-checked inside it
                            if (failure == null) {
                                r = onDevice.solve(cost, a, b, forbidden);
                            }
                        }
                        if (r != null) {
                            usage.add(what, "opencl");
                            return r;
                        }
                    } catch (io.rematch.opencl.Float32Range e) {
                        usage.add(what, "cpu (beyond float32)");
                        note(e);
                        return solver.solve(cost, a, b, forbidden);
                    } catch (DeviceFailure e) {
                        fail(e);
                    }
                }
                usage.add(what, "cpu");
                return solver.solve(cost, a, b, forbidden);
            }

            @Override
            public String name() {
                return solver.name();
            }

            @Override
            public io.rematch.ot.Stopping stopping() {
                return solver.stopping();
            }
        };
    }

    /** Why {@code loss} has no kernel, for the report. */
    static String whyNot(ScoreLoss loss) {
        if (loss instanceof io.rematch.loss.ComplementaryContrastiveLoss c) {
            return c.mode() != io.rematch.numeric.Mode.STABLE ? "faithful mode has no kernel" : "no kernel for "
                    + c.negatives() + " negatives";
        }
        if (loss instanceof io.rematch.loss.ContrastiveLoss) {
            return "faithful mode has no kernel";
        }
        if (loss instanceof io.rematch.loss.TargetedLoss.FixedTargets f && f.loss() instanceof io.rematch.loss.SoftTargetLoss) {
            return "faithful mode has no kernel";
        }
        return "no kernel";
    }

    /** Why {@code solver} has no kernel, for the report. */
    static String whyNot(io.rematch.ot.TransportSolver solver) {
        if (solver instanceof io.rematch.ot.MaskedPartialTransport t && t.mode() != io.rematch.numeric.Mode.STABLE) {
            return "faithful mode has no kernel";
        }
        boolean scaling = solver instanceof io.rematch.ot.EntropicPartialTransport
                || solver instanceof io.rematch.ot.SinkhornKnopp || solver instanceof io.rematch.ot.LogSinkhorn
                || solver instanceof io.rematch.ot.MaskedPartialTransport
                || solver instanceof io.rematch.ot.LogEntropicPartialTransport;
        if (scaling && solver.stopping().tolerance() > 0
                && solver.stopping().tolerance() < io.rematch.ot.DevicePartialTransport.TOLERANCE_FLOOR) {
            return "tolerance " + solver.stopping().tolerance() + " below float32's "
                    + io.rematch.ot.DevicePartialTransport.TOLERANCE_FLOOR;
        }
        return scaling ? "no kernel for its stopping rule" : "no kernel";
    }

    /** The work done on the CPU so far (all operations): a measurement that moves it did not run on the device. */
    public int cpuCount() {
        return usage.countWhere("cpu");
    }

    /** Forgets a failure, so the next operation tries the device again (a benchmark's next measurement). */
    public synchronized void reset() {
        failure = null;
    }

    /** How many beyond-float32 reasons are warned about; the rest are only counted. */
    static final int NOTES = 3;
    private int notes;

    /** Says why an input went to the CPU (the first {@link #NOTES} times): the report only counts it. */
    private synchronized void note(io.rematch.opencl.Float32Range e) {
        if (notes++ < NOTES) {
            warnings.accept("computed on the CPU, beyond float32 on the device: " + e.getMessage()
                    + (notes == NOTES ? " (further such cases are counted in the report, not shown)" : ""));
        }
    }

    private synchronized void fail(DeviceFailure e) {
        if (failure == null) {
            failure = e.getMessage();
            warnings.accept("OpenCL failed, the CPU computes from here on: " + e.getMessage());
            for (io.rematch.model.DeviceTowers t : towers) {
                t.retire(failure);
            }
        }
    }

    private final java.util.List<io.rematch.model.DeviceTowers> towers = new java.util.ArrayList<>();
    private long finishedSteps;

    @Override
    public synchronized Training trainOn(io.rematch.model.TwoTower model) {
        if (failure != null) {
            return () -> { };
        }
        io.rematch.model.DeviceTowers t = new io.rematch.model.DeviceTowers(device, model, this);
        towers.add(t);
        model.runStepsOn(t, this::fail);
        return () -> {
            synchronized (this) {
                if (towers.remove(t)) {
                    finishedSteps += t.steps();
                    t.close();
                    model.runStepsOn(null, null);
                }
            }
        };
    }

    /** How many training steps (batches through both towers) ran on the device. */
    public synchronized long trainingSteps() {
        long n = finishedSteps;
        for (io.rematch.model.DeviceTowers t : towers) {
            n += t.steps();
        }
        return n;
    }

    @Override
    public String report() {
        long steps = trainingSteps();
        String u = usage.toString();
        if (steps == 0) {
            return u;
        }
        String t = String.format(java.util.Locale.ROOT, "training steps %,d x opencl", steps);
        return u.equals("nothing computed") ? t : u + "; " + t;
    }

    /**
     * Releases the device buffers of the training steps and disposes the kernels the host classes
     * leased and gave back ({@link io.rematch.opencl.KernelPool}: built once per command, not per call).
     */
    @Override
    public synchronized void close() {
        for (io.rematch.model.DeviceTowers t : towers) {
            finishedSteps += t.steps();
            t.close();
        }
        towers.clear();
        io.rematch.opencl.KernelPool.clear(device);
    }


    static double[] toDouble(float[] a) {
        return io.rematch.opencl.HostArrays.widen(a);
    }
}

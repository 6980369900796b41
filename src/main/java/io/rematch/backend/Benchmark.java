package io.rematch.backend;

import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.ScoreLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.ejml.data.DMatrixRMaj;

/**
 * The speed of each backend on each operation, side by side in one run: the time of a whole call
 * (host-to-device copies, the kernels, the copies back, and the float64/float32 conversions
 * included), its throughput, and the ratio to the CPU.
 *
 * <ul>
 *   <li>{@code similarities}: \(S = X Y^T\) of two \(n \times n\) float32 matrices (the CPU's
 *       {@code sgemm}); \(2n^3\) flops.</li>
 *   <li>{@code ccl}: CCL-log's loss and gradient over all negatives of an \(N \times N\) batch of
 *       cosine scores, tau 0.05; throughput as the bytes of \(S\) read and \(\partial L/\partial S\)
 *       written, counted as float32 on every backend (so the faster one shows more).</li>
 *   <li>{@code tr-hn}: TR-HN's loss and subgradient (the hardest negative, margin 0.2) on the same
 *       scores, the same throughput measure.</li>
 *   <li>{@code sym-kl}: L2RM's symmetric-KL rematch loss and gradient against soft targets shaped
 *       like a plan, tau 0.05, stable mode, the same throughput measure.</li>
 *   <li>{@code partial}: entropic partial OT (POT's algorithm in its scaling form) on an \(n \times n\)
 *       cost, reg 0.05, half the mass, a fixed number of iterations (1,000 as the PyTorch figures);
 *       throughput as the bytes of the kernel matrix read per iteration (two passes), counted as
 *       float32 on every backend.</li>
 *   <li>{@code sinkhorn}: balanced Sinkhorn on the same cost, reg 0.05, a fixed number of iterations,
 *       the same throughput measure.</li>
 *   <li>{@code l2rm}: L2RM's masked partial OT (the dummy row and column, the diagonal forbidden,
 *       uniform masses), reg 0.07, mass 0.1, stable mode, the same throughput measure.</li>
 *   <li>{@code sinkhorn-log}: the same in the log domain (on the CPU an absorbed kernel's products,
 *       on the device a max-shifted log-sum-exp of every entry), the same throughput measure.</li>
 *   <li>{@code partial-log}: entropic partial OT in the log domain, as {@code partial} otherwise.</li>
 *   <li>{@code step}: one training step of two towers 2,048 -> 1,024 -> 256 and 768 -> 1,024 -> 256
 *       (ReLU, L2-normalised; the Flickr30K-sized run of docs/benchmarks.md) on a batch of \(N\)
 *       pairs: the towers' forward and backward products (on the backend: float32 {@code sgemm} on
 *       the CPU, {@link io.rematch.model.DeviceTowers} on a device), CCL-log over all negatives on the
 *       host, and Adam with clipping on the backend (on a device the weights and moments stay
 *       there); \(6N\) flops per weight plus \(6N^2 d\) for the scores.
 *       The disagreement is that of the first step's gradients.</li>
 *   <li>{@code evaluation}: the similarity matrix of 5,000 images and 25,000 captions in 1,024
 *       dimensions (Flickr30K's test set times 5 captions, MS-COCO's 5K size) in blocks of rows, as
 *       the evaluation computes it, float64 in and out; \(2nmd\) flops.</li>
 * </ul>
 * A run on a device that fails (and so falls back to the CPU) is reported as failed, never timed
 * as the device's. Each backend's result is compared with the CPU's: the disagreement is the
 * largest absolute difference over the largest absolute CPU value (of \(S\), of
 * \(\partial L/\partial S\), of the evaluation's first block), which float32 rounding puts near
 * \(10^{-7}\) to \(10^{-6}\).
 */
public final class Benchmark {

    /** One measurement. */
    public record Row(String operation, String size, String backend, double medianSeconds, double minSeconds,
                      double throughput, String unit, double speedup, double disagreement, String note) {
    }

    /** The step's towers: those of the Flickr30K-sized run in docs/benchmarks.md (2,048-d images, 768-d captions). */
    static final io.rematch.model.EncoderSpec STEP_TOWERS = new io.rematch.model.EncoderSpec("mlp", new int[] {1024}, 256);
    static final int STEP_IMAGE = 2048;
    static final int STEP_TEXT = 768;

    /** The operations, in the order of the list above. */
    public static final List<String> OPERATIONS = List.of("similarities", "ccl", "tr-hn", "sym-kl", "partial",
            "partial-log", "sinkhorn", "sinkhorn-log", "l2rm", "step", "evaluation");

    /** The evaluation matrix's shape. */
    public static final int[] EVALUATION = {5000, 25000, 1024};

    private final int repeats;
    private final int iterations;
    private final int cpuUpTo;
    private final Consumer<String> progress;

    /**
     * @param repeats  timed calls per measurement (after one untimed warm-up: JIT, kernel build)
     * @param progress receives a line per measurement
     */
    public Benchmark(int repeats, Consumer<String> progress) {
        this(repeats, 1000, Integer.MAX_VALUE, progress);
    }

    /**
     * @param iterations partial OT's fixed iteration count
     * @param cpuUpTo    the largest n the CPU is measured at (a slow baseline at n = 8,192 would take minutes);
     *                   0: the CPU is not measured at all, the evaluation matrix included
     */
    public Benchmark(int repeats, int iterations, int cpuUpTo, Consumer<String> progress) {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("--iterations must be >= 1, got " + iterations);
        }
        this.iterations = iterations;
        this.cpuUpTo = cpuUpTo;
        this.repeats = repeats;
        this.progress = progress == null ? s -> { } : progress;
    }

    /** Every operation in {@code operations} at every size, on every backend, the CPU first. */
    public List<Row> run(List<Backend> backends, List<String> operations, int[] sizes) {
        List<Row> rows = new ArrayList<>();
        for (String op : operations) {
            List<int[]> shapes = new ArrayList<>();
            if (op.equals("evaluation")) {
                shapes.add(EVALUATION);
            } else {
                for (int n : sizes) {
                    shapes.add(new int[] {n});
                }
            }
            for (int[] shape : shapes) {
                double cpuMedian = Double.NaN;
                double[] reference = null;
                for (Backend b : backends) {
                    double[][] result = new double[1][];
                    if (b instanceof CpuBackend && (cpuUpTo == 0 || !op.equals("evaluation") && shape[0] > cpuUpTo)) {
                        Row skipped = new Row(op, op.equals("ccl") || op.equals("tr-hn") || op.equals("sym-kl") ? "N = " + shape[0]
                                : op.equals("step") ? "batch " + shape[0]
                                : op.equals("similarities") ? shape[0] + " x " + shape[0] + " x " + shape[0]
                                : shape[0] + " x " + shape[0] + ", " + iterations + " iterations",
                                b.name(), Double.NaN, Double.NaN, Double.NaN, "", Double.NaN, Double.NaN,
                                cpuUpTo == 0 ? "not measured (--cpu-up-to 0)" : "not measured above --cpu-up-to " + cpuUpTo);
                        rows.add(skipped);
                        progress.accept(line(skipped));
                        continue;
                    }
                    if (b instanceof OpenClBackend cl) {
                        cl.reset();     // one failure (say, memory at the largest size) costs one row, not the rest
                    }
                    Row r = measure(b, op, shape, result);
                    if (b instanceof CpuBackend) {
                        cpuMedian = r.medianSeconds();
                        reference = result[0];
                    }
                    double speedup = Double.isNaN(cpuMedian) || Double.isNaN(r.medianSeconds()) ? Double.NaN
                            : cpuMedian / r.medianSeconds();
                    double disagreement = b instanceof CpuBackend || reference == null || result[0] == null ? Double.NaN
                            : disagreement(reference, result[0]);
                    r = new Row(r.operation(), r.size(), r.backend(), r.medianSeconds(), r.minSeconds(), r.throughput(),
                            r.unit(), speedup, disagreement, r.note());
                    rows.add(r);
                    progress.accept(line(r));
                }
            }
        }
        return rows;
    }

    /** Max |a - b| / max |a|. */
    static double disagreement(double[] a, double[] b) {
        double scale = 0;
        double worst = 0;
        for (int k = 0; k < a.length; k++) {
            scale = Math.max(scale, Math.abs(a[k]));
            worst = Math.max(worst, Math.abs(a[k] - b[k]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    /** Times {@code op} on {@code b}; the result of its last call into {@code result[0]} (widened). */
    private Row measure(Backend b, String op, int[] shape, double[][] result) {
        SplittableRandom random = new SplittableRandom(20261203L);
        boolean[] keep = {true};       // the warm-up call keeps its result; the timed calls do not copy
        Runnable call;
        AutoCloseable after = () -> { };
        double work;
        String unit;
        String size;
        switch (op) {
            case "similarities": {
                int n = shape[0];
                float[] x = unitRows(random, n, n);
                float[] y = unitRows(random, n, n);
                call = () -> {
                    float[] out = b.similarities(x, n, y, n, n);
                    if (keep[0]) {
                        result[0] = widen(out);
                    }
                };
                work = 2.0 * n * n * n;
                unit = "GFLOP/s";
                size = n + " x " + n + " x " + n;
                break;
            }
            case "ccl":
            case "tr-hn":
            case "sym-kl": {
                int n = shape[0];
                double[] s = new double[n * n];
                for (int k = 0; k < s.length; k++) {
                    s[k] = Math.tanh(0.4 * random.nextDouble(-2, 2) + (k / n == k % n ? 0.8 : 0));
                }
                DMatrixRMaj scores = DMatrixRMaj.wrap(n, n, s);
                ScoreLoss loss;
                if (op.equals("sym-kl")) {
                    // soft targets shaped like an L2RM plan: most mass on the given pair, a little elsewhere
                    DMatrixRMaj plan = new DMatrixRMaj(n, n);
                    for (int k = 0; k < n * n; k++) {
                        plan.data[k] = k / n == k % n ? 1.0 / n : random.nextDouble() < 0.05 ? 0.1 / (n * n) : 0;
                    }
                    loss = b.loss(new io.rematch.loss.SymmetricKlDivergenceLoss(0.05, io.rematch.numeric.Mode.STABLE)
                            .withTargets(plan));
                } else {
                    loss = b.loss(op.equals("ccl") ? ComplementaryContrastiveLoss.rclDefault()
                            : new io.rematch.loss.TripletRankingLoss(0.2, true));
                }
                call = () -> {
                    double[] g = loss.evaluate(scores).gradient().data;
                    if (keep[0]) {
                        result[0] = g.clone();
                    }
                };
                work = 4.0 * 2 * n * n;       // S read and dL/dS written, as float32 on every backend
                unit = "GB/s";
                size = "N = " + n;
                break;
            }
            case "partial":
            case "partial-log":
            case "sinkhorn":
            case "sinkhorn-log":
            case "l2rm": {
                int n = shape[0];
                DMatrixRMaj cost = new DMatrixRMaj(n, n);
                for (int k = 0; k < n * n; k++) {
                    cost.data[k] = 1 - Math.tanh(0.4 * random.nextDouble(-2, 2) + (k / n == k % n ? 0.8 : 0));
                }
                io.rematch.ot.Stopping fixed = new io.rematch.ot.Stopping(io.rematch.ot.Stopping.Rule.MARGINALS, 0,
                        iterations);
                io.rematch.ot.TransportSolver solver = b.transport(op.equals("partial")
                        ? new io.rematch.ot.EntropicPartialTransport(0.05, 0.5, fixed)
                        : op.equals("partial-log") ? new io.rematch.ot.LogEntropicPartialTransport(0.05, 0.5, fixed)
                        : op.equals("sinkhorn") ? new io.rematch.ot.SinkhornKnopp(0.05, fixed)
                        : op.equals("sinkhorn-log") ? new io.rematch.ot.LogSinkhorn(0.05, fixed)
                        : new io.rematch.ot.MaskedPartialTransport(0.07, 0.1, io.rematch.numeric.Mode.STABLE, fixed));
                boolean l2rm = op.equals("l2rm");
                double[] uniform = new double[n];
                java.util.Arrays.fill(uniform, 1.0 / n);
                io.rematch.mask.PairMask diagonal = io.rematch.mask.PairMask.diagonal(n, n);
                call = () -> {
                    double[] plan = (l2rm ? solver.solve(cost, uniform, uniform, diagonal) : solver.solve(cost)).plan().data;
                    if (keep[0]) {
                        result[0] = plan.clone();
                    }
                };
                work = 4.0 * 2 * n * n * iterations;     // the kernel read twice per iteration, as float32
                unit = "GB/s";
                size = n + " x " + n + ", " + iterations + " iterations";
                break;
            }
            case "step": {
                int n = shape[0];
                io.rematch.model.TwoTower model = new io.rematch.model.TwoTower(STEP_IMAGE, STEP_TEXT, STEP_TOWERS,
                        io.rematch.model.Precision.FLOAT32, new io.rematch.numeric.RestorableRandom(20261204L));
                io.rematch.data.Features images = io.rematch.data.Features.ofFloats(n, STEP_IMAGE,
                        unitRows(random, n, STEP_IMAGE));
                io.rematch.data.Features captions = io.rematch.data.Features.ofFloats(n, STEP_TEXT,
                        unitRows(random, n, STEP_TEXT));
                int[] rows = new int[n];
                for (int i = 0; i < n; i++) {
                    rows[i] = i;
                }
                double[] scores = new double[n * n];
                ScoreLoss loss = ComplementaryContrastiveLoss.rclDefault();
                io.rematch.optim.Adam adam = new io.rematch.optim.Adam(model.parameters().size(),
                        io.rematch.optim.Adam.Settings.withLearningRate(2e-4));
                after = b.trainOn(model);
                call = () -> {
                    model.parameters().zeroGradients();
                    model.scores(images, rows, n, captions, rows, n, scores);
                    model.backward(loss.evaluate(DMatrixRMaj.wrap(n, n, scores)).gradient().data);
                    if (keep[0]) {
                        result[0] = model.parameters().gradients().clone();
                    }
                    model.parameters().step(adam, 2.0);
                };
                long weights = 0;
                for (io.rematch.model.Parameters.Slice slice : model.parameters().slices()) {
                    weights += slice.size();
                }
                // forward and two backward products of every layer, and S with its two gradients
                work = 6.0 * n * weights + 6.0 * n * n * STEP_TOWERS.embed();
                unit = "GFLOP/s";
                size = "batch " + n;
                break;
            }
            case "evaluation": {
                int n = shape[0];
                int m = shape[1];
                int d = shape[2];
                double[] x = widen(unitRows(random, n, d));
                double[] y = widen(unitRows(random, m, d));
                int rowsPerBlock = (int) Math.max(1, (1L << 24) / m);
                call = () -> b.similarityBlocks(x, n, y, m, d, rowsPerBlock, (from, rows, block) -> {
                    if (from == 0 && keep[0]) {
                        result[0] = block.clone();
                    }
                });
                work = 2.0 * n * m * d;
                unit = "GFLOP/s";
                size = n + " x " + m + " x " + d;
                break;
            }
            default:
                throw new IllegalArgumentException("--operations: unknown operation '" + op + "'; expected "
                        + String.join(", ", OPERATIONS));
        }
        try (AutoCloseable done = after) {
            return time(b, op, call, keep, work, unit, size, result);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Row time(Backend b, String op, Runnable call, boolean[] keep, double work, String unit, String size,
                     double[][] result) {
        double[] t = new double[repeats];
        long stepsBefore = b instanceof OpenClBackend cl ? cl.trainingSteps() : 0;
        call.run();                             // warm-up: the JIT, the kernel's build
        keep[0] = false;
        int cpuBefore = b instanceof OpenClBackend cl ? cl.cpuCount() : 0;
        String failed = failure(b);
        for (int k = 0; k < repeats && failed == null; k++) {
            long t0 = System.nanoTime();
            call.run();
            t[k] = (System.nanoTime() - t0) * 1e-9;
            failed = failure(b);
        }
        if (failed == null && b instanceof OpenClBackend cl && op.equals("step")
                && cl.trainingSteps() - stepsBefore != repeats + 1) {
            failed = "the training steps did not run on the device";
        }
        if (failed == null && b instanceof OpenClBackend cl && cl.cpuCount() != cpuBefore) {
            failed = "the CPU computed it (beyond float32, or no kernel for it: 'rematch devices', docs/gpu.md)";
        }
        if (failed != null) {
            result[0] = null;
            return new Row(op, size, b.name(), Double.NaN, Double.NaN, Double.NaN, unit, Double.NaN, Double.NaN,
                    "not timed as the device's: " + failed);
        }
        Arrays.sort(t);
        double median = repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
        double throughput = work / median / 1e9;
        return new Row(op, size, b.name(), median, t[0], throughput, unit, Double.NaN, Double.NaN, null);
    }

    private static String failure(Backend b) {
        return b instanceof OpenClBackend cl ? cl.failure() : null;
    }

    /** A Markdown table of the rows. */
    public static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder("| operation | size | backend | median | min | throughput | vs cpu |"
                + " disagreement |\n|---|---|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (r.note() != null) {
                s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | | | | |%n", r.operation(), r.size(),
                        r.backend(), r.note()));
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s %s | %s | %s |%n", r.operation(),
                    r.size(), r.backend(), time(r.medianSeconds()), time(r.minSeconds()), number(r.throughput()),
                    r.unit(), Double.isNaN(r.speedup()) ? "" : String.format(Locale.ROOT, "%.2fx", r.speedup()),
                    Double.isNaN(r.disagreement()) ? "" : String.format(Locale.ROOT, "%.1e", r.disagreement())));
        }
        return s.toString();
    }

    static String line(Row r) {
        return r.note() != null ? r.operation() + " " + r.size() + " on " + r.backend() + ": " + r.note()
                : String.format(Locale.ROOT, "%s %s on %s: %s (%s %s)", r.operation(), r.size(), r.backend(),
                time(r.medianSeconds()), number(r.throughput()), r.unit());
    }

    /** Three significant digits, no exponent for the sizes a throughput has. */
    static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    static String time(double seconds) {
        return seconds >= 1 ? String.format(Locale.ROOT, "%.2f s", seconds)
                : String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
    }

    private static float[] unitRows(SplittableRandom r, int rows, int d) {
        float[] a = new float[rows * d];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                double v = r.nextDouble(-1, 1);
                a[i * d + k] = (float) v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(Math.max(norm, 1e-300)));
            for (int k = 0; k < d; k++) {
                a[i * d + k] *= inv;
            }
        }
        return a;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            d[k] = a[k];
        }
        return d;
    }
}

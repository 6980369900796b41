package io.rematch.backend;

import io.rematch.loss.ScoreLoss;
import io.rematch.model.TwoTower;
import java.util.Arrays;

/**
 * The CPU: plain Java in float64, the matrix products through {@code dev.ludovic.netlib:blas}'s
 * pure-Java implementation (the Vector API; a native BLAS only under {@code REMATCH_BLAS=native}, so
 * runs reproduce on CPUs of the same vector width). Never
 * Aparapi's Java thread pool, which was measured 4x to 50x slower than a plain loop.
 */
public final class CpuBackend implements Backend {

    private final Usage usage = new Usage();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String describe() {
        return "cpu: plain Java, float64, BLAS " + io.rematch.model.Blas.implementation() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores";
    }

    @Override
    public double[] similarities(double[] x, int n, double[] y, int m, int d) {
        usage.add("similarities", "cpu");
        return TwoTower.similarities(x, n, y, m, d);
    }

    @Override
    public float[] similarities(float[] x, int n, float[] y, int m, int d) {
        usage.add("similarities", "cpu");
        return io.rematch.model.Blas.similarities(x, n, y, m, d);
    }

    @Override
    public void similarityBlocks(double[] x, int n, double[] y, int m, int d, int maxRows, BlockConsumer consumer) {
        usage.add("similarities", "cpu");
        blocksOnCpu(x, n, y, m, d, maxRows, consumer);
    }

    /**
     * The blocks of \(S = X Y^T\), computed on all cores and handed to {@code consumer} in order on
     * the calling thread. Each block is the same product as one computed alone (the same call, the
     * same bits), so only the time changes: the next blocks are computed while the consumer takes
     * one, at most {@link #window} at once so that their memory stays a small share of the heap.
     * One block, or a heap too small for two at once: the plain loop.
     */
    static void blocksOnCpu(double[] x, int n, double[] y, int m, int d, int maxRows, BlockConsumer consumer) {
        int rows = Math.max(1, Math.min(maxRows, n));
        int blocks = (n + rows - 1) / rows;
        // the pool this thread runs in (a run of rematch experiment has its own), else the common one
        java.util.concurrent.ForkJoinPool pool = java.util.concurrent.ForkJoinTask.inForkJoinPool()
                ? java.util.concurrent.ForkJoinTask.getPool() : java.util.concurrent.ForkJoinPool.commonPool();
        blocks(pool, window(blocks, 8L * rows * m + 8L * rows * d, pool), x, n, y, m, d, rows, consumer);
    }

    /** {@link #blocksOnCpu} with blocks of {@code rows} rows, at most {@code window} at once in {@code pool}. */
    static void blocks(java.util.concurrent.ForkJoinPool pool, int window, double[] x, int n, double[] y, int m, int d,
                       int rows, BlockConsumer consumer) {
        int blocks = (n + rows - 1) / rows;
        if (window <= 1) {
            for (int from = 0; from < n; from += rows) {
                int r = Math.min(rows, n - from);
                consumer.accept(from, r, block(x, from, r, y, m, d));
            }
            return;
        }
        java.util.ArrayDeque<java.util.concurrent.ForkJoinTask<double[]>> ahead = new java.util.ArrayDeque<>();
        int next = 0;
        try {
            for (int b = 0; b < blocks; b++) {
                while (next < blocks && next < b + window) {
                    int from = next * rows;
                    int r = Math.min(rows, n - from);
                    ahead.add(pool.submit(() -> block(x, from, r, y, m, d)));
                    next++;
                }
                double[] s = ahead.poll().join();
                int from = b * rows;
                consumer.accept(from, Math.min(rows, n - from), s);
            }
        } finally {
            ahead.forEach(task -> task.cancel(false));
        }
    }

    private static double[] block(double[] x, int from, int r, double[] y, int m, int d) {
        return TwoTower.similarities(Arrays.copyOfRange(x, from * d, (from + r) * d), r, y, m, d);
    }

    /**
     * How many blocks of {@code bytes} each are computed at once in {@code pool}: one per thread of
     * the pool (and the caller's, for the common pool), no more than there are, and together at most
     * an eighth of the heap's maximum; 1 means the plain loop.
     */
    static int window(int blocks, long bytes, java.util.concurrent.ForkJoinPool pool) {
        int threads = pool == java.util.concurrent.ForkJoinPool.commonPool()
                ? java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1 : pool.getParallelism();
        long fit = Runtime.getRuntime().maxMemory() / 8 / Math.max(1, bytes);
        return (int) Math.max(1, Math.min(Math.min(blocks, threads), fit));
    }

    @Override
    public ScoreLoss loss(ScoreLoss loss) {
        return counted(loss, usage, "cpu");
    }

    /** {@code loss}, each evaluation counted as {@code where} in {@code usage}. */
    static ScoreLoss counted(ScoreLoss loss, Usage usage, String where) {
        return new ScoreLoss() {
            @Override
            public io.rematch.loss.LossValue evaluate(org.ejml.data.DMatrixRMaj scores, io.rematch.loss.LossWorkspace w) {
                io.rematch.loss.LossValue v = loss.evaluate(scores, w);
                usage.add(loss.name(), where);
                return v;
            }

            @Override
            public String name() {
                return loss.name();
            }
        };
    }

    @Override
    public io.rematch.ot.TransportSolver transport(io.rematch.ot.TransportSolver solver) {
        return counted(solver, usage, "cpu");
    }

    /** {@code solver}, each solve counted as {@code where} in {@code usage}. */
    static io.rematch.ot.TransportSolver counted(io.rematch.ot.TransportSolver solver, Usage usage, String where) {
        return new io.rematch.ot.TransportSolver() {
            @Override
            public io.rematch.ot.TransportResult solve(org.ejml.data.DMatrixRMaj cost, double[] a, double[] b,
                                                       io.rematch.mask.PairMask forbidden) {
                io.rematch.ot.TransportResult r = solver.solve(cost, a, b, forbidden);
                usage.add("ot-" + solver.name(), where);
                return r;
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

    @Override
    public String report() {
        return usage.toString();
    }

    @Override
    public void close() {
    }
}

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

    static void blocksOnCpu(double[] x, int n, double[] y, int m, int d, int maxRows, BlockConsumer consumer) {
        int rows = Math.max(1, Math.min(maxRows, n));
        for (int from = 0; from < n; from += rows) {
            int r = Math.min(rows, n - from);
            consumer.accept(from, r, TwoTower.similarities(Arrays.copyOfRange(x, from * d, (from + r) * d), r, y, m, d));
        }
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

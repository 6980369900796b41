package io.rematch.bench;

import io.rematch.numeric.Mode;
import io.rematch.ot.EntropicPartialTransport;
import io.rematch.ot.LogEntropicPartialTransport;
import io.rematch.ot.LogSinkhorn;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.SinkhornKnopp;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportResult;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Optimal transport solvers, 1000 iterations each (tolerance 0: exactly the cap), on
 * squared-Euclidean costs between n random points of the unit square (n x n, uniform
 * marginals), reg = 0.05, transported mass 0.9 (the benchmark setting of docs/benchmarks.md), and the bound they are
 * measured against:
 * <ul>
 *   <li>{@code partial}: {@link EntropicPartialTransport} (POT's {@code entropic_partial_wasserstein}
 *       algorithm, O(n m) per iteration);</li>
 *   <li>{@code partialPotStoppingRule}: the same with POT's default stopping rule instead of a
 *       fixed count;</li>
 *   <li>{@code partialLog}: {@link LogEntropicPartialTransport};</li>
 *   <li>{@code sinkhornLog}: {@link LogSinkhorn}; {@code sinkhorn}: {@link SinkhornKnopp};</li>
 *   <li>{@code l2rmFaithful}, {@code l2rmStable}: {@link MaskedPartialTransport} (diagonal
 *       forbidden, s = 0.1, the L2RM release's solver; 1000 iterations);</li>
 *   <li>{@code bandwidthBound}: ONE iteration's worth of memory traffic, the two plain
 *       matrix-vector passes \(K v\) and \(K^\top u\) over an n x n double array: 1000 times this is
 *       the bound an iteration of the solvers above is compared with (docs/benchmarks.md).</li>
 * </ul>
 * Run: {@code bin/jmh PartialTransportBenchmark -wi 2 -i 3 -f 1}. The Python baselines (POT 0.8.2
 * and the release's numpy solver) are timed by {@code docs/bench/ot_python_baselines.py}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PartialTransportBenchmark {

    /** Issue #3: n = 128 (L2RM's batch), 512, 1024, 2048. */
    @Param({"128", "512", "1024", "2048"})
    public int n;

    static final int ITERATIONS = 1000;
    static final double REG = 0.05;
    static final double MASS = 0.9;

    private DMatrixRMaj cost;
    private double[] uniform;
    private double[] k;
    private double[] u;
    private double[] v;
    private double[] out;
    private double[] out2;

    /** n random points x_i, y_j in [0, 1)^2 (seed n), cost ||x_i - y_j||^2, as ot.dist. */
    public static DMatrixRMaj squaredEuclidean(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        for (int t = 0; t < 2 * n; t++) {
            x[t] = r.nextDouble();
        }
        for (int t = 0; t < 2 * n; t++) {
            y[t] = r.nextDouble();
        }
        DMatrixRMaj c = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dx = x[2 * i] - y[2 * j];
                double dy = x[2 * i + 1] - y[2 * j + 1];
                c.data[i * n + j] = dx * dx + dy * dy;
            }
        }
        return c;
    }

    @Setup
    public void setup() {
        cost = squaredEuclidean(n, n);
        uniform = new double[n];
        Arrays.fill(uniform, 1.0 / n);
        SplittableRandom r = new SplittableRandom(7);
        k = new double[n * n];
        for (int t = 0; t < n * n; t++) {
            k[t] = r.nextDouble();
        }
        u = new double[n];
        v = new double[n];
        for (int t = 0; t < n; t++) {
            u[t] = r.nextDouble();
            v[t] = r.nextDouble();
        }
        out = new double[n];
        out2 = new double[n];
    }

    @Benchmark
    public TransportResult partial() {
        return new EntropicPartialTransport(REG, MASS, new Stopping(Stopping.Rule.PLAN_CHANGE, 0, ITERATIONS)).solve(cost, uniform, uniform);
    }

    /**
     * POT's own stopping rule (tolerance 1e-100, at most 1000 iterations): the factored iterate
     * becomes a bit-for-bit fixed point (change exactly 0) long before 1000 iterations, with the
     * same plan POT returns after its 1000 (docs/benchmarks.md).
     */
    @Benchmark
    public TransportResult partialPotStoppingRule() {
        return new EntropicPartialTransport(REG, MASS, Stopping.potPartial()).solve(cost, uniform, uniform);
    }

    @Benchmark
    public TransportResult partialLog() {
        return new LogEntropicPartialTransport(REG, MASS, new Stopping(Stopping.Rule.PLAN_CHANGE, 0, ITERATIONS)).solve(cost, uniform, uniform);
    }

    @Benchmark
    public TransportResult sinkhorn() {
        return new SinkhornKnopp(REG, new Stopping(Stopping.Rule.MARGINALS, 0, ITERATIONS)).solve(cost, uniform, uniform);
    }

    @Benchmark
    public TransportResult sinkhornLog() {
        return new LogSinkhorn(REG, new Stopping(Stopping.Rule.MARGINALS, 0, ITERATIONS)).solve(cost, uniform, uniform);
    }

    @Benchmark
    public TransportResult l2rmFaithful() {
        return new MaskedPartialTransport(REG, 0.1, Mode.FAITHFUL, new Stopping(Stopping.Rule.POTENTIAL_CHANGE, 0, ITERATIONS)).solveBatch(cost);
    }

    @Benchmark
    public TransportResult l2rmStable() {
        return new MaskedPartialTransport(REG, 0.1, Mode.STABLE, new Stopping(Stopping.Rule.MARGINALS, 0, ITERATIONS)).solveBatch(cost);
    }

    /**
     * One iteration's memory-bandwidth bound: \(K v\) (row dot products) and \(K^\top u\) (column
     * accumulation) as two separate plain passes over the n x n array, the way a solver that
     * reads the matrix twice per iteration would.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public double bandwidthBound() {
        int m = n;
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int j = 0;
            for (; j + 3 < m; j += 4) {
                s0 += k[row + j] * v[j];
                s1 += k[row + j + 1] * v[j + 1];
                s2 += k[row + j + 2] * v[j + 2];
                s3 += k[row + j + 3] * v[j + 3];
            }
            out[i] = (s0 + s1) + (s2 + s3);
        }
        Arrays.fill(out2, 0);
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double ui = u[i];
            for (int j = 0; j < m; j++) {
                out2[j] += k[row + j] * ui;
            }
        }
        return out[n - 1] + out2[n - 1];
    }
}

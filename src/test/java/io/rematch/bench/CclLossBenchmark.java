package io.rematch.bench;

import io.rematch.loss.ComplementaryBound;
import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Negatives;
import io.rematch.numeric.Mode;
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
 * CCL-log loss and gradient (RCL's default loss, all negatives, tau = 0.05) on an N x N score
 * matrix of cosine-like similarities. Baseline: PyTorch 1.13 autograd, float64, one thread, on
 * the same kind of machine: 0.41 ms (N = 128), 7.4 ms (512), 630 ms (2048). The second benchmark
 * reuses a {@link LossWorkspace}, as a training loop does.
 * Run: {@code bin/jmh CclLossBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CclLossBenchmark {

    @Param({"128", "512", "2048"})
    public int n;

    @Param({"stable", "faithful"})
    public String mode;

    private DMatrixRMaj scores;
    private ComplementaryContrastiveLoss loss;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        scores = new DMatrixRMaj(n, n);
        for (int k = 0; k < n * n; k++) {
            scores.data[k] = r.nextDouble() * 2 - 1;
        }
        loss = new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05, Negatives.all(),
                Mode.parse("mode", mode));
    }

    private final LossWorkspace workspace = new LossWorkspace();

    @Benchmark
    public LossValue cclLogValueAndGradient() {
        return loss.evaluate(scores);
    }

    @Benchmark
    public LossValue cclLogWithWorkspace() {
        return loss.evaluate(scores, workspace);
    }
}

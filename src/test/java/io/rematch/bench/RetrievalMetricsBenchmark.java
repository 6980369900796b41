package io.rematch.bench;

import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Both retrieval directions on 1,000 images x 5,000 captions (the Flickr30K / MS-COCO 1K test
 * size); the target is well under a second. Run: {@code bin/jmh RetrievalMetricsBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RetrievalMetricsBenchmark {

    private DMatrixRMaj sims;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        sims = new DMatrixRMaj(1000, 5000);
        for (int k = 0; k < sims.data.length; k++) {
            sims.data[k] = r.nextDouble() * 2 - 1;
        }
    }

    @Benchmark
    public RetrievalReport evaluate1000x5000() {
        return RetrievalMetrics.evaluate(sims, 5, TieRule.PESSIMISTIC);
    }
}

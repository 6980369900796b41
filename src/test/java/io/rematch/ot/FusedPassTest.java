package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The pass on all cores: its column sums are \(K^\top c\) (against a plain loop), its row
 * coefficients are called once per row, and the result is the same bit for bit on one thread,
 * on two, on seven, and row after row, so that a solver's plan does not depend on the machine's
 * core count. Parallel streams run in the fork-join pool of the task that starts them, so a
 * pool of a chosen size stands for a machine with that many cores.
 */
class FusedPassTest {

    static double[] matrix(int n, int m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] k = new double[n * m];
        for (int e = 0; e < k.length; e++) {
            k[e] = r.nextDouble();
        }
        return k;
    }

    static <T> T inPool(int threads, Supplier<T> work) {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(work::get).join();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void columnSumsAreKTransposeTimesTheRowCoefficients() {
        int n = 1031;   // four full blocks and a partial one of 7 rows (not a multiple of 8)
        int m = 517;
        assertTrue((long) n * m >= FusedPass.PARALLEL_ENTRIES, "large enough to run on several threads");
        double[] k = matrix(n, m, 11);
        double[] w = matrix(1, m, 12);
        FusedPass pass = new FusedPass(k, n, m);
        assertEquals(5, pass.blocks());
        double[] coefficient = new double[n];
        int[] calls = new int[n];
        double[] acc = new double[m];
        pass.rowsThenColumns(w, (i, dot) -> {
            calls[i]++;
            return coefficient[i] = 1 / dot;
        }, acc);
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < m; j++) {
                dot += k[i * m + j] * w[j];
            }
            assertEquals(1, calls[i], "row " + i + " is visited once");
            assertEquals(1 / dot, coefficient[i], 1e-14 / dot, "row " + i);
        }
        for (int j = 0; j < m; j++) {
            double want = 0;
            for (int i = 0; i < n; i++) {
                want += k[i * m + j] * coefficient[i];
            }
            assertEquals(want, acc[j], 1e-13 * want, "column " + j);
        }
    }

    @Test
    void theSameBitsOnAnyNumberOfThreadsAndInOrder() {
        int n = 900;
        int m = 700;
        assertTrue((long) n * m >= FusedPass.PARALLEL_ENTRIES, "large enough to run on several threads");
        double[] k = matrix(n, m, 21);
        double[] w = matrix(1, m, 22);
        Supplier<double[]> concurrent = () -> {
            double[] acc = new double[m + n];
            new FusedPass(k, n, m).rowsThenColumns(w, (i, dot) -> acc[m + i] = Math.sqrt(dot), acc);
            return acc;
        };
        double[] one = inPool(1, concurrent);
        assertArrayEquals(one, inPool(2, concurrent));
        assertArrayEquals(one, inPool(7, concurrent));
        double[] ordered = new double[m + n];
        int[] last = {-1};
        new FusedPass(k, n, m).rowsThenColumnsInOrder(w, (i, dot) -> {
            assertEquals(last[0] + 1, i, "in order");
            last[0] = i;
            return ordered[m + i] = Math.sqrt(dot);
        }, ordered);
        assertArrayEquals(one, ordered);
    }

    @Test
    void solversGiveTheSamePlanOnAnyNumberOfThreads() {
        int n = 800;
        int m = 700;
        assertTrue((long) n * m >= FusedPass.PARALLEL_ENTRIES, "large enough to run on several threads");
        SplittableRandom r = new SplittableRandom(31);
        DMatrixRMaj cost = new DMatrixRMaj(n, m);
        for (int e = 0; e < n * m; e++) {
            cost.data[e] = r.nextDouble();
        }
        double[] a = new double[n];
        double[] b = new double[m];
        java.util.Arrays.fill(a, 1.0 / n);
        java.util.Arrays.fill(b, 1.0 / m);
        Stopping capped = Stopping.marginals().withMaxIterations(300);
        TransportSolver[] solvers = {
            new EntropicPartialTransport(0.05, 0.7, capped),
            new EntropicPartialTransport(0.05, 0.7, Stopping.potPartial().withMaxIterations(60)),
            new SinkhornKnopp(0.05, capped),
            new LogSinkhorn(0.05, capped),
            new LogEntropicPartialTransport(0.05, 0.7, capped),
        };
        for (TransportSolver solver : solvers) {
            Supplier<TransportResult> solve = () -> solver.solve(cost, a, b, (PairMask) null);
            TransportResult one = inPool(1, solve);
            TransportResult three = inPool(3, solve);
            assertTrue(one.iterations() > 0, solver.name());
            assertEquals(one.iterations(), three.iterations(), solver.name());
            assertArrayEquals(one.plan().data, three.plan().data, solver.name() + ": plans bit for bit");
            assertArrayEquals(one.errors(), three.errors(), solver.name());
        }
    }
}

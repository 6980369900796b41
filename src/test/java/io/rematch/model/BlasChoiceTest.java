package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The products go through the pure-Java BLAS even where a native one is installed: with Debian's
 * serial OpenBLAS, which netlib picks by default, runs trained in parallel differed from the same
 * runs trained alone ({@code Tensor.BLAS_INSTANCE} says more). And products from two threads at
 * once equal the same products alone, bit for bit.
 */
class BlasChoiceTest {

    static final long SEED = 20261206L;

    @Test
    void theInstanceIsPureJava() {
        org.junit.jupiter.api.Assumptions.assumeFalse("native".equals(System.getenv("REMATCH_BLAS")),
                "REMATCH_BLAS=native asks for the native BLAS");
        String name = Blas.implementation();
        assertTrue(name.equals("VectorBLAS") || name.equals("Java11BLAS"), name);
        assertFalse(Tensor.BLAS_INSTANCE instanceof dev.ludovic.netlib.blas.NativeBLAS, name);
    }

    @Test
    void productsFromTwoThreadsAtOnceEqualTheSameProductsAlone() throws Exception {
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        int n = 96;
        int tasks = 8;
        List<double[][]> inputs = new ArrayList<>();
        List<double[]> alone = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            double[] x = new double[n * n];
            double[] y = new double[n * n];
            for (int k = 0; k < n * n; k++) {
                x[k] = r.nextGaussian();
                y[k] = r.nextGaussian();
            }
            inputs.add(new double[][] {x, y});
            alone.add(TwoTower.similarities(x, n, y, n, n));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                List<Future<double[]>> got = new ArrayList<>();
                for (double[][] in : inputs) {
                    got.add(pool.submit(() -> TwoTower.similarities(in[0], n, in[1], n, n)));
                }
                for (int t = 0; t < tasks; t++) {
                    assertArrayEquals(alone.get(t), got.get(t).get(), 0.0, "round " + round + ", product " + t);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

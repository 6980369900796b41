package io.rematch.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adam as PyTorch runs it: first step, the paper's algorithm, a quadratic, invariances, bad input. */
class AdamTest {

    /** Step 1: m-hat = g and v-hat = g^2, so every coordinate moves by lr * g / (|g| + eps). */
    @Test
    void firstStepMovesEachCoordinateByTheLearningRate() {
        qt().forAll(integers().between(1, 20), longs().all(), doubles().between(1e-6, 1)).checkAssert((n, seed, lr) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] x = new double[n], g = new double[n], x0 = new double[n];
            for (int k = 0; k < n; k++) {
                x[k] = x0[k] = r.nextDouble(-1, 1);
                g[k] = r.nextDouble(-10, 10);
            }
            new Adam(n, Adam.Settings.withLearningRate(lr)).stepInPlace(x, g);
            for (int k = 0; k < n; k++) {
                double want = x0[k] - lr * g[k] / (Math.abs(g[k]) + 1e-8);
                assertEquals(want, x[k], 1e-14 * Math.max(1, Math.abs(want)));
            }
        });
    }

    /** Against Kingma and Ba's Algorithm 1 written out (bias-corrected m-hat, v-hat), 200 steps. */
    @Test
    void matchesThePapersAlgorithm() {
        qt().forAll(integers().between(1, 10), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
            double[] x = new double[n], ref = new double[n], m = new double[n], v = new double[n];
            Adam adam = new Adam(n, new Adam.Settings(lr, b1, b2, eps));
            for (int t = 1; t <= 200; t++) {
                double[] g = new double[n];
                for (int k = 0; k < n; k++) {
                    g[k] = r.nextDouble(-1, 1) + 0.3;
                    m[k] = b1 * m[k] + (1 - b1) * g[k];
                    v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
                    double mHat = m[k] / (1 - Math.pow(b1, t));
                    double vHat = v[k] / (1 - Math.pow(b2, t));
                    ref[k] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                adam.stepInPlace(x, g);
            }
            for (int k = 0; k < n; k++) {
                assertEquals(ref[k], x[k], 1e-12);
            }
            assertEquals(200, adam.steps());
        });
    }

    /** f(x) = 1/2 sum h_k (x_k - c_k)^2 with curvatures over 4 orders of magnitude: Adam reaches the minimum. */
    @Test
    void minimisesAQuadratic() {
        qt().withExamples(20).forAll(integers().between(1, 8), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] h = new double[n], c = new double[n], x = new double[n];
            for (int k = 0; k < n; k++) {
                h[k] = Math.pow(10, r.nextDouble(-2, 2));
                c[k] = r.nextDouble(-3, 3);
            }
            Adam adam = new Adam(n, Adam.Settings.withLearningRate(0.05));
            double[] g = new double[n];
            for (int t = 0; t < 4000; t++) {
                if (t == 2000) {
                    adam.setLearningRate(0.005); // a step schedule, as L2RM decays its rates
                }
                for (int k = 0; k < n; k++) {
                    g[k] = h[k] * (x[k] - c[k]);
                }
                adam.stepInPlace(x, g);
            }
            for (int k = 0; k < n; k++) {
                assertEquals(c[k], x[k], 1e-3, "coordinate " + k + " curvature " + h[k]);
            }
        });
    }

    /**
     * Adam's updates do not depend on the gradient's scale, up to eps: each step changes by at
     * most eps / |g| relative, below 1e-6 for |g| >= 0.01 here.
     */
    @Test
    void invariantToTheGradientScale() {
        qt().forAll(integers().between(1, 6), longs().all(), doubles().between(0.1, 1e3)).checkAssert((n, seed, scale) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] x = new double[n], y = new double[n];
            Adam a = new Adam(n, Adam.Settings.withLearningRate(1e-2));
            Adam b = new Adam(n, Adam.Settings.withLearningRate(1e-2));
            for (int t = 0; t < 50; t++) {
                double[] g = new double[n], gs = new double[n];
                for (int k = 0; k < n; k++) {
                    g[k] = r.nextDouble(0.1, 1);
                    gs[k] = scale * g[k];
                }
                a.stepInPlace(x, g);
                b.stepInPlace(y, gs);
            }
            for (int k = 0; k < n; k++) {
                assertEquals(x[k], y[k], 1e-5 * Math.abs(x[k]));
            }
        });
    }

    @Test
    void badInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Adam.Settings.withLearningRate(0))
                .getMessage().contains("learningRate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam.Settings(1e-3, 1.0, 0.999, 1e-8))
                .getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam.Settings(1e-3, 0.9, -0.1, 1e-8))
                .getMessage().contains("beta2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam.Settings(1e-3, 0.9, 0.999, 0))
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(0, Adam.Settings.withLearningRate(1)))
                .getMessage().contains("size"));
        Adam adam = new Adam(3, Adam.Settings.withLearningRate(1e-3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.stepInPlace(new double[2], new double[3]))
                .getMessage().contains("parameters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.stepInPlace(new double[3], new double[4]))
                .getMessage().contains("gradient"));
        double[] x = {1, 2, 3};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.stepInPlace(x, new double[] {0, Double.NaN, 0}))
                .getMessage().contains("gradient[1]"));
        assertEquals(0, adam.steps());
        assertEquals(2.0, x[1]);
        assertThrows(IllegalArgumentException.class, () -> adam.setLearningRate(-1));
    }

    /**
     * From {@link Adam#PARALLEL} entries the update runs in spans on all cores: the same bits in
     * pools of 1 and 3 threads, for both the float64 and the float32-gradient forms with clipping,
     * and each entry as the one-entry update gives it.
     */
    @Test
    void theParallelUpdateHasTheSameBitsOnAnyNumberOfThreads() throws Exception {
        int n = Adam.PARALLEL + 3 * Adam.SPAN + 123;
        long seed = 20261204L;
        System.out.println("AdamTest parallel update: seed " + seed + ", " + n + " entries");
        double[][] one = run(n, seed, 1);
        double[][] three = run(n, seed, 3);
        for (int k = 0; k < one.length; k++) {
            assertTrue(java.util.Arrays.equals(one[k], three[k]), "vector " + k + " differs between 1 and 3 threads");
        }
        // entry by entry, a one-entry optimiser (the sequential loop) on that entry's gradients
        SplittableRandom r = new SplittableRandom(seed);
        double[][] gradients = gradients(r, n);
        for (int k : new int[] {0, 1, Adam.SPAN - 1, Adam.SPAN, n / 2, n - 1}) {
            Adam single = new Adam(1, Adam.Settings.withLearningRate(2e-4));
            double[] x = {0.01 * (k % 7)};
            for (double[] g : gradients) {
                single.stepInPlace(x, new double[] {g[k]});
            }
            assertEquals(Double.doubleToRawLongBits(x[0]), Double.doubleToRawLongBits(one[0][k]), "entry " + k);
        }
    }

    private static double[][] gradients(SplittableRandom r, int n) {
        double[][] g = new double[3][n];
        for (double[] step : g) {
            for (int k = 0; k < n; k++) {
                step[k] = r.nextDouble(-1, 1);
            }
        }
        return g;
    }

    /** Three unclipped steps (float64), then three clipped ones from float32 gradients, in a pool of {@code threads}. */
    private static double[][] run(int n, long seed, int threads) throws Exception {
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            return pool.submit(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                double[][] gradients = gradients(r, n);
                double[] x = new double[n];
                for (int k = 0; k < n; k++) {
                    x[k] = 0.01 * (k % 7);
                }
                Adam adam = new Adam(n, Adam.Settings.withLearningRate(2e-4));
                for (double[] g : gradients) {
                    adam.stepInPlace(x, g);
                }
                double[] afterPlain = x.clone();
                float[] narrowed = new float[n];
                double[] scratch = new double[n];
                for (double[] g : gradients) {
                    float[] f = new float[n];
                    for (int k = 0; k < n; k++) {
                        f[k] = (float) (40 * g[k]);     // a norm far above 2: the clipping is active
                    }
                    adam.stepWithClipping(x, f, 2.0, narrowed, scratch);
                }
                double[] widened = new double[n];
                for (int k = 0; k < n; k++) {
                    widened[k] = narrowed[k];
                    if (narrowed[k] != (float) x[k]) {
                        throw new AssertionError("entry " + k + ": the float32 copy is not the rounded value");
                    }
                }
                return new double[][] {afterPlain, x, widened, adam.state().firstMoment(), adam.state().secondMoment()};
            }).get();
        } finally {
            pool.shutdown();
        }
    }

    /** Below and above {@link Adam#PARALLEL}: float32 gradients step exactly as their widened float64 copy does. */
    @Test
    void float32GradientsStepAsTheirWidenedCopyOnEitherSideOfTheParallelSize() {
        for (int n : new int[] {1000, Adam.PARALLEL + 5}) {
            SplittableRandom r = new SplittableRandom(n);
            double[] x64 = new double[n];
            double[] x32 = new double[n];
            float[] narrowed = new float[n];
            double[] scratch = new double[n];
            Adam a64 = new Adam(n, Adam.Settings.withLearningRate(2e-4));
            Adam a32 = new Adam(n, Adam.Settings.withLearningRate(2e-4));
            for (int t = 0; t < 3; t++) {
                float[] g = new float[n];
                double[] wide = new double[n];
                for (int k = 0; k < n; k++) {
                    g[k] = (float) r.nextDouble(-3, 3);
                    wide[k] = g[k];
                }
                double norm64 = a64.stepWithClipping(x64, wide, 2.0);
                double norm32 = a32.stepWithClipping(x32, g, 2.0, narrowed, scratch);
                assertEquals(Double.doubleToRawLongBits(norm64), Double.doubleToRawLongBits(norm32), "n = " + n);
            }
            assertTrue(java.util.Arrays.equals(x64, x32), "n = " + n);
        }
    }
}

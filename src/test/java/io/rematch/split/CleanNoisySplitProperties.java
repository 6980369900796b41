package io.rematch.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * The clean/noisy split: recovery of known mixtures (seeded samples), posteriors in [0, 1],
 * invariance to an affine rescale of the losses, and bad input.
 */
class CleanNoisySplitProperties {

    /** n samples, the first cleanShare clean from Beta(a0, b0), the rest from Beta(a1, b1). */
    static double[] betaSample(int n, double cleanShare, double a0, double b0, double a1, double b1, long seed, boolean[] truth) {
        Well19937c rng = new Well19937c(seed);
        BetaDistribution clean = new BetaDistribution(rng, a0, b0), noisy = new BetaDistribution(rng, a1, b1);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            truth[i] = i < cleanShare * n;
            x[i] = truth[i] ? clean.sample() : noisy.sample();
        }
        return x;
    }

    static double[] gaussianSample(int n, double cleanShare, double m0, double s0, double m1, double s1, long seed, boolean[] truth) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            truth[i] = i < cleanShare * n;
            x[i] = truth[i] ? m0 + s0 * r.nextGaussian() : m1 + s1 * r.nextGaussian();
        }
        return x;
    }

    static double accuracy(boolean[] predicted, boolean[] truth) {
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            ok += predicted[i] == truth[i] ? 1 : 0;
        }
        return ok / (double) truth.length;
    }

    /** Clean Beta(2, 20) (mean 0.09) vs noisy Beta(12, 3) (mean 0.8): both methods split > 90% right. */
    @Test
    void recoversTwoWellSeparatedBetas() {
        qt().withExamples(20).forAll(longs().all(), doubles().between(0.5, 0.9)).checkAssert((seed, share) -> {
            boolean[] truth = new boolean[1000];
            double[] losses = betaSample(1000, share, 2, 20, 12, 3, seed, truth);
            for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
                CleanNoisySplit.Result r = CleanNoisySplit.split(losses, m);
                assertTrue(accuracy(r.clean(), truth) > 0.9, m + " accuracy " + accuracy(r.clean(), truth) + " " + r.model());
            }
        });
    }

    /** Clean N(0.2, 0.05^2) vs noisy N(0.7, 0.1^2): both methods split > 90% right. */
    @Test
    void recoversTwoWellSeparatedGaussians() {
        qt().withExamples(20).forAll(longs().all(), doubles().between(0.5, 0.9)).checkAssert((seed, share) -> {
            boolean[] truth = new boolean[1000];
            double[] losses = gaussianSample(1000, share, 0.2, 0.05, 0.7, 0.1, seed, truth);
            for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
                CleanNoisySplit.Result r = CleanNoisySplit.split(losses, m);
                assertTrue(accuracy(r.clean(), truth) > 0.9, m + " accuracy " + accuracy(r.clean(), truth) + " " + r.model());
            }
        });
    }

    /** Run to convergence, the fits recover the generating parameters (5000 samples). */
    @Test
    void fitsRecoverTheGeneratingParameters() {
        qt().withExamples(10).forAll(longs().all()).checkAssert(seed -> {
            boolean[] truth = new boolean[5000];
            GaussianMixture g = GaussianMixture.fit(gaussianSample(5000, 0.7, 0.2, 0.05, 0.7, 0.1, seed, truth),
                    new GaussianMixture.Settings(500, 1e-12, 0));
            int c = g.mean(0) < g.mean(1) ? 0 : 1;
            assertEquals(0.2, g.mean(c), 0.01);
            assertEquals(0.7, g.mean(1 - c), 0.01);
            assertEquals(0.05, Math.sqrt(g.variance(c)), 0.01);
            assertEquals(0.1, Math.sqrt(g.variance(1 - c)), 0.01);
            assertEquals(0.7, g.weight(c), 0.03);
            BetaMixture b = BetaMixture.fit(betaSample(5000, 0.7, 2, 20, 12, 3, seed, truth), new BetaMixture.Settings(500, 1e-9));
            int k = b.mean(0) < b.mean(1) ? 0 : 1;
            assertEquals(2.0 / 22, b.mean(k), 0.01);
            assertEquals(0.8, b.mean(1 - k), 0.01);
            assertEquals(0.7, b.weight(k), 0.03);
            assertEquals(22, b.alpha(k) + b.beta(k), 4.4, "concentration of the clean Beta");
        });
    }

    /** Posteriors lie in [0, 1], clean + noisy = 1, and the split is posterior > 0.5; any data. */
    @Test
    void posteriorsAreProbabilities() {
        qt().forAll(integers().between(2, 300), longs().all(), integers().between(0, 3)).checkAssert((n, seed, kind) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] losses = new double[n];
            for (int i = 0; i < n; i++) {
                switch (kind) {
                    case 0: losses[i] = r.nextDouble(); break;
                    case 1: losses[i] = r.nextInt(3); break;                     // heavy ties
                    case 2: losses[i] = Math.exp(10 * r.nextGaussian()); break;  // 10 orders of magnitude
                    default: losses[i] = i == 0 ? 1 : 0; break;                  // one outlier
                }
            }
            if (losses[0] == losses[n - 1] && java.util.Arrays.stream(losses).distinct().count() == 1) {
                losses[0] += 1;
            }
            for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
                CleanNoisySplit.Result res = CleanNoisySplit.split(losses, m);
                double[] noisy = res.model().posterior(1 - res.cleanComponent(), res.normalised());
                for (int i = 0; i < n; i++) {
                    double p = res.cleanPosterior()[i];
                    assertTrue(p >= 0 && p <= 1, m + " posterior " + p);
                    assertEquals(1.0, p + noisy[i], 1e-12);
                    assertEquals(p > 0.5, res.clean()[i]);
                }
                assertTrue(res.model().mean(res.cleanComponent()) <= res.model().mean(1 - res.cleanComponent()));
                assertTrue(res.model().iterations() >= 1 && res.model().iterations() <= 10);
            }
        });
    }

    /** The losses are min-max normalised first: a l + b (a > 0) gives the same posteriors and split. */
    @Test
    void invariantToAnAffineRescaleOfTheLosses() {
        qt().forAll(longs().all(), doubles().between(1e-3, 1e3), doubles().between(-1e3, 1e3)).checkAssert((seed, a, b) -> {
            boolean[] truth = new boolean[400];
            double[] losses = gaussianSample(400, 0.7, 0.2, 0.08, 0.6, 0.15, seed, truth);
            double[] scaled = new double[losses.length];
            for (int i = 0; i < losses.length; i++) {
                scaled[i] = a * losses[i] + b;
            }
            for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
                CleanNoisySplit.Result x = CleanNoisySplit.split(losses, m), y = CleanNoisySplit.split(scaled, m);
                assertArrayEquals(x.cleanPosterior(), y.cleanPosterior(), 1e-9, m.toString());
                for (int i = 0; i < losses.length; i++) {
                    if (Math.abs(x.cleanPosterior()[i] - 0.5) > 1e-9) {
                        assertEquals(x.clean()[i], y.clean()[i], m + " pair " + i);
                    }
                }
            }
        });
    }

    /** A lower loss is never less likely clean (when the clean component is the narrower, as here). */
    @Test
    void cleanPosteriorFallsWithTheLoss() {
        boolean[] truth = new boolean[2000];
        double[] losses = betaSample(2000, 0.8, 2, 20, 12, 3, 7, truth);
        for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
            CleanNoisySplit.Result r = CleanNoisySplit.split(losses, m);
            Integer[] order = new Integer[losses.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (p, q) -> Double.compare(losses[p], losses[q]));
            double lowest = r.cleanPosterior()[order[0]];
            assertTrue(lowest > 0.99, m + ": lowest loss posterior " + lowest);
            assertTrue(r.cleanPosterior()[order[order.length - 1]] < 0.01, m + ": highest loss");
        }
    }

    @Test
    void badInput() {
        for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
            assertMessage(() -> CleanNoisySplit.split(new double[] {0.1, Double.NaN, 0.3}, m), "losses[1]", "NaN");
            assertMessage(() -> CleanNoisySplit.split(new double[] {0.1, Double.POSITIVE_INFINITY}, m), "losses[1]");
            assertMessage(() -> CleanNoisySplit.split(new double[] {0.1}, m), "losses", "1 value");
            assertMessage(() -> CleanNoisySplit.split(new double[0], m), "losses");
            assertMessage(() -> CleanNoisySplit.split(null, m), "losses");
            assertMessage(() -> CleanNoisySplit.split(new double[] {0.4, 0.4, 0.4}, m), "losses", "equal");
            assertMessage(() -> CleanNoisySplit.split(new double[] {-Double.MAX_VALUE, Double.MAX_VALUE}, m), "losses");
        }
        assertMessage(() -> CleanNoisySplit.split(new double[] {1, 2}, (CleanNoisySplit.Method) null), "method");
        assertMessage(() -> BetaMixture.fit(new double[] {0.2, 1.0}, BetaMixture.Settings.l2rm()), "x[1]", "(0, 1)");
        assertMessage(() -> new BetaMixture.Settings(0, 1e-2), "maxIterations");
        assertMessage(() -> new GaussianMixture.Settings(10, -1, 5e-4), "tolerance");
        assertMessage(() -> new GaussianMixture.Settings(10, 1e-2, -5e-4), "regularisation");
    }

    /** Two distinct values only: each is its own component, split exactly. */
    @Test
    void twoDistinctValuesSplitExactly() {
        double[] losses = {1, 1, 1, 5, 5, 1, 5, 1};
        for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
            CleanNoisySplit.Result r = CleanNoisySplit.split(losses, m);
            for (int i = 0; i < losses.length; i++) {
                assertEquals(losses[i] == 1, r.clean()[i], m + " pair " + i + " " + r.model());
            }
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) {
            assertTrue(ex.getMessage().contains(p), "message '" + ex.getMessage() + "' should contain '" + p + "'");
        }
    }
}

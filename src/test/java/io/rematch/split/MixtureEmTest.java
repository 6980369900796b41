package io.rematch.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The EM fits against plain textbook EM written out in the test (densities from Commons Math,
 * no log domain), from the same initialisation; and the two-means initialisation against brute force.
 */
class MixtureEmTest {

    /** Textbook EM, 'iterations' M-steps after the hard initialisation; returns {w0, w1, p00, p01, p10, p11}. */
    static double[] naive(double[] x, int iterations, boolean beta, double reg) {
        int n = x.length;
        double t = TwoMeans.threshold(x);
        double[][] r = new double[2][n];
        for (int i = 0; i < n; i++) {
            r[0][i] = x[i] <= t ? 1 : 0;
            r[1][i] = 1 - r[0][i];
        }
        double[] w = new double[2], a = new double[2], b = new double[2];
        for (int it = 0; it <= iterations; it++) {
            for (int k = 0; k < 2; k++) { // M-step
                double sw = 0, sx = 0, sxx = 0;
                for (int i = 0; i < n; i++) {
                    sw += r[k][i];
                    sx += r[k][i] * x[i];
                }
                double mean = sx / sw;
                for (int i = 0; i < n; i++) {
                    sxx += r[k][i] * (x[i] - mean) * (x[i] - mean);
                }
                double var = sxx / sw;
                w[k] = sw / n;
                if (beta) {
                    double c = mean * (1 - mean) / var - 1;
                    a[k] = mean * c;
                    b[k] = (1 - mean) * c;
                } else {
                    a[k] = mean;
                    b[k] = var + reg;
                }
            }
            for (int i = 0; i < n; i++) { // E-step
                double[] f = new double[2];
                for (int k = 0; k < 2; k++) {
                    f[k] = w[k] * (beta ? new BetaDistribution(a[k], b[k]).density(x[i])
                            : new NormalDistribution(a[k], Math.sqrt(b[k])).density(x[i]));
                }
                r[0][i] = f[0] / (f[0] + f[1]);
                r[1][i] = f[1] / (f[0] + f[1]);
            }
        }
        return new double[] {w[0], w[1], a[0], a[1], b[0], b[1]};
    }

    @Test
    void betaMixtureIsTextbookEmWithMomentMatching() {
        qt().withExamples(30).forAll(integers().between(20, 300), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = i % 3 == 0 ? 0.6 + 0.3 * r.nextDouble() : 0.05 + 0.4 * r.nextDouble();
            }
            for (int iterations : new int[] {1, 3, 10}) {
                BetaMixture m = BetaMixture.fit(x, new BetaMixture.Settings(iterations, 0));
                // Moment matching is not a likelihood step: the fit stops early (as pomegranate)
                // when an iteration lowers the likelihood; compare after as many iterations.
                assertTrue(m.iterations() >= 1 && m.iterations() <= iterations);
                double[] want = naive(x, m.iterations(), true, 0);
                double[] got = {m.weight(0), m.weight(1), m.alpha(0), m.alpha(1), m.beta(0), m.beta(1)};
                for (int k = 0; k < 6; k++) {
                    assertEquals(want[k], got[k], 1e-9 * Math.max(1, Math.abs(want[k])), "parameter " + k + " after " + iterations);
                }
            }
        });
    }

    @Test
    void gaussianMixtureIsTextbookEm() {
        qt().withExamples(30).forAll(integers().between(20, 300), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = i % 3 == 0 ? 0.7 + 0.1 * r.nextGaussian() : 0.2 + 0.1 * r.nextGaussian();
            }
            for (int iterations : new int[] {1, 3, 10}) {
                GaussianMixture m = GaussianMixture.fit(x, new GaussianMixture.Settings(iterations, 0, 5e-4));
                double[] want = naive(x, iterations, false, 5e-4);
                double[] got = {m.weight(0), m.weight(1), m.mean(0), m.mean(1), m.variance(0), m.variance(1)};
                for (int k = 0; k < 6; k++) {
                    assertEquals(want[k], got[k], 1e-9 * Math.max(1, Math.abs(want[k])), "parameter " + k + " after " + iterations);
                }
            }
        });
    }

    /**
     * EM never lowers the likelihood (Gaussian: exact EM; Beta: moment matching, checked on
     * well-separated data). The theorem holds for non-degenerate fits: when a component collapses
     * onto one point its variance falls towards 0, the likelihood diverges and rounding decides
     * the last digits, so samples whose fit ends with a variance below 1e-4 are not evidence
     * either way and are filtered out (QuickTheories' assuming).
     */
    @Test
    void logLikelihoodIsNonDecreasingForTheGaussianFit() {
        qt().forAll(integers().between(5, 200), longs().all())
                .assuming((n, seed) -> {
                    GaussianMixture g = GaussianMixture.fit(sample(n, seed), new GaussianMixture.Settings(50, 0, 0));
                    return Math.min(g.variance(0), g.variance(1)) > 1e-4;
                })
                .checkAssert((n, seed) -> {
                    double[] ll = GaussianMixture.fit(sample(n, seed), new GaussianMixture.Settings(50, 0, 0)).logLikelihoods();
                    for (int k = 1; k < ll.length; k++) {
                        assertTrue(ll[k] >= ll[k - 1] - 1e-9 * Math.abs(ll[k - 1]), "step " + k + ": " + ll[k - 1] + " -> " + ll[k]);
                    }
                });
    }

    private static double[] sample(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() < 0.3 ? 1 + r.nextGaussian() : r.nextGaussian() * 0.3;
        }
        return x;
    }

    /** The threshold is the best of all n - 1 cuts of the sorted values (sum of squared deviations, brute force). */
    @Test
    void twoMeansFindsTheOptimalCut() {
        qt().forAll(integers().between(2, 60), longs().all()).checkAssert((n, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(4) == 0 ? r.nextInt(5) : r.nextGaussian();
            }
            if (Arrays.stream(x).distinct().count() < 2) {
                x[0] = x[1] + 1;
            }
            double t = TwoMeans.threshold(x);
            double best = Double.POSITIVE_INFINITY;
            double[] s = x.clone();
            Arrays.sort(s);
            for (int m = 1; m < n; m++) {
                if (s[m] != s[m - 1]) {
                    best = Math.min(best, sse(x, s[m - 1]));
                }
            }
            assertEquals(best, sse(x, t), 1e-9 * Math.max(1, best));
        });
    }

    static double sse(double[] x, double t) {
        double[] sum = new double[2], sq = new double[2];
        int[] count = new int[2];
        for (double v : x) {
            int c = v <= t ? 0 : 1;
            sum[c] += v;
            sq[c] += v * v;
            count[c]++;
        }
        double e = 0;
        for (int c = 0; c < 2; c++) {
            e += count[c] == 0 ? 0 : sq[c] - sum[c] * sum[c] / count[c];
        }
        return e;
    }
}

package io.rematch.prob;

import io.rematch.check.Checks;
import java.util.random.RandomGenerator;

/**
 * The softmax partition function of one query and its Monte Carlo estimate (RCL, Hu et al.,
 * TPAMI 2023, Eq. 3-5).
 *
 * <p>For image \(\mathbf V_i\) with scores \(S_{i1}, \dots, S_{iN_t}\) against all \(N_t\) texts,
 * \(Z_i = \sum_{l=1}^{N_t} e^{S_{il}/\tau}\). Computing it over the whole training set is too
 * expensive, so RCL estimates it from \(N\) indices \(j_1, \dots, j_N\) drawn uniformly (with
 * replacement) from the training texts, Eq. 3:
 * \[ Z_i \simeq N_t\, \mathbb E_{j}\big[e^{S_{ij}/\tau}\big] \approx \frac{N_t}{N}\sum_{k=1}^N e^{S_{ij_k}/\tau}, \]
 * which is unbiased, with variance \(N_t^2 \sigma^2 / N\) where \(\sigma^2\) is the population
 * variance of \(e^{S_{il}/\tau}\) over \(l\). Eq. 4 (and Eq. 5, its text-query twin) plug the
 * estimate into the softmax. Since \(N_t/N\) is a constant, the softmax over a mini-batch of
 * \(N\) pairs is this estimator up to scale, which is why the losses use batch softmaxes.
 */
public final class PartitionFunction {

    private PartitionFunction() {
    }

    /** One Monte Carlo estimate (Eq. 3) and the sample it came from. */
    public record Estimate(double value, double standardError, int samples) {
    }

    /**
     * The exact \(Z = \sum_l e^{s_l/\tau}\) of one query's score row.
     *
     * @param scores the query's scores against all \(N_t\) candidates
     * @param tau    temperature, > 0
     */
    public static double exact(double[] scores, double tau) {
        Checks.finite("scores", scores);
        Checks.positive("tau", tau);
        double z = 0;
        for (double s : scores) {
            z += Math.exp(s / tau);
        }
        return z;
    }

    /**
     * Eq. 3: \(\frac{N_t}{N}\sum_{k=1}^N e^{s_{j_k}/\tau}\) with \(j_k\) uniform on
     * \(\{0..N_t-1\}\), drawn with replacement from {@code random}. The standard error is the
     * sample standard deviation of \(N_t e^{s_{j_k}/\tau}\) divided by \(\sqrt N\) (0 for N = 1).
     *
     * @param scores  the query's scores against all \(N_t\) candidates
     * @param tau     temperature, > 0
     * @param samples \(N \ge 1\), the number of sampled candidates (a mini-batch size)
     * @param random  seeded source of the indices (a {@link io.rematch.numeric.RestorableRandom} to
     *                checkpoint it, or a {@link java.util.SplittableRandom})
     */
    public static Estimate monteCarlo(double[] scores, double tau, int samples, RandomGenerator random) {
        Checks.finite("scores", scores);
        Checks.positive("tau", tau);
        Checks.atLeast("samples", samples, 1);
        int nt = scores.length;
        double mean = 0, m2 = 0;
        for (int k = 0; k < samples; k++) {
            double x = nt * Math.exp(scores[random.nextInt(nt)] / tau);
            double delta = x - mean; // Welford: numerically stable running variance
            mean += delta / (k + 1);
            m2 += delta * (x - mean);
        }
        double se = samples > 1 ? Math.sqrt(m2 / (samples - 1) / samples) : 0.0;
        return new Estimate(mean, se, samples);
    }

    /**
     * The exact variance of the Eq. 3 estimator with {@code samples} draws:
     * \(N_t^2 \sigma^2 / N\), \(\sigma^2\) the population variance of \(e^{s_l/\tau}\).
     */
    public static double estimatorVariance(double[] scores, double tau, int samples) {
        Checks.atLeast("samples", samples, 1);
        int nt = scores.length;
        double mean = exact(scores, tau) / nt;
        double var = 0;
        for (double s : scores) {
            double d = Math.exp(s / tau) - mean;
            var += d * d;
        }
        var /= nt;
        return (double) nt * nt * var / samples;
    }

    /**
     * Eq. 4 (and Eq. 5 for a text query): the matching probability of candidate {@code j}
     * with the partition function replaced by its Monte Carlo estimate,
     * \(e^{s_j/\tau} / \hat Z\).
     */
    public static double estimatedProbability(double[] scores, int j, double tau, int samples,
                                              RandomGenerator random) {
        if (j < 0 || j >= scores.length) {
            throw new IllegalArgumentException("j must be in [0, " + scores.length + "), got " + j);
        }
        return Math.exp(scores[j] / tau) / monteCarlo(scores, tau, samples, random).value();
    }
}

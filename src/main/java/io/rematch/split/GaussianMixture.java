package io.rematch.split;

import io.rematch.check.Checks;

/**
 * A two-component Gaussian mixture fitted by EM: NCR's model of the normalised per-pair losses
 * (Huang et al., "Learning with Noisy Correspondence for Cross-modal Matching", NeurIPS 2021,
 * Eq. 4; the earlier method L2RM compares with), as NCR fits it with scikit-learn's
 * {@code GaussianMixture(n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4)}.
 *
 * <p>Densities \(f_k = \mathcal N(\mu_k, \sigma_k^2)\).
 * E-step: \(r_{ik} = w_k f_k(x_i)/\sum_l w_l f_l(x_i)\) (log domain). M-step (maximum likelihood,
 * scikit-learn's): \(w_k = \frac1n\sum_i r_{ik}\), \(\mu_k = \sum_i r_{ik}x_i / \sum_i r_{ik}\),
 * \(\sigma_k^2 = \sum_i r_{ik}(x_i-\mu_k)^2/\sum_i r_{ik} + \lambda\) with the regularisation
 * \(\lambda\) ({@code reg_covar}, which keeps a component on tied values from collapsing).
 * Initialisation: the optimal 1-D two-means split ({@link TwoMeans}) as hard responsibilities,
 * one M-step (scikit-learn: a seeded k-means run). Stopping: after {@code maxIterations}, or
 * when the mean log-likelihood per value changes by less than {@code tolerance} (scikit-learn's
 * {@code tol}, on the per-sample average).
 *
 * <p><b>Why not Commons Math.</b> Commons Math 3.6.1 has
 * {@code MultivariateNormalMixtureExpectationMaximization}, but (checked) it refuses
 * one-dimensional data ({@code NumberIsTooSmallException: 1 is smaller than the minimum (2)}
 * from its constructor); even on padded data it throws {@code ConvergenceException} when the
 * iteration cap comes first, where NCR simply stops after 10 iterations; it has no variance
 * regularisation and throws {@code SingularMatrixException} when a component sits on tied values
 * (common at the clamped ends of normalised losses); and it starts from equal-size bins of the
 * sorted data, not k-means. The one-dimensional EM is a few closed-form lines.
 */
public final class GaussianMixture implements TwoComponentMixture {

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    /**
     * EM settings.
     *
     * @param maxIterations  at most this many M-steps after the initialisation (>= 1)
     * @param tolerance      stop when the mean log-likelihood changes by less (>= 0)
     * @param regularisation \(\lambda \ge 0\) added to each variance; must be > 0 if the data can
     *                       put a component on equal values
     */
    public record Settings(int maxIterations, double tolerance, double regularisation) {
        public Settings {
            Checks.atLeast("maxIterations", maxIterations, 1);
            Checks.nonNegative("tolerance", tolerance);
            Checks.nonNegative("regularisation", regularisation);
        }

        /** NCR's settings: 10 iterations, tol 1e-2, reg_covar 5e-4. */
        public static Settings ncr() {
            return new Settings(10, 1e-2, 5e-4);
        }
    }

    private final double[] weight = new double[2];
    private final double[] mean = new double[2];
    private final double[] variance = new double[2];
    private final double regularisation;
    private double[] history;
    private int iterations;
    private boolean converged;

    private GaussianMixture(double regularisation) {
        this.regularisation = regularisation;
    }

    /**
     * Fits the mixture.
     *
     * @param x        finite values, at least two distinct (not modified)
     * @param settings EM settings
     * @throws IllegalArgumentException naming {@code x} for NaN/infinite values, fewer than two
     *                                  values or all values equal
     */
    public static GaussianMixture fit(double[] x, Settings settings) {
        Checks.finite("x", x);
        Mixtures.checkSplittable("x", x);
        int n = x.length;
        GaussianMixture model = new GaussianMixture(settings.regularisation());
        double t = TwoMeans.threshold(x);
        double[][] r = new double[2][n];
        for (int i = 0; i < n; i++) {
            r[0][i] = x[i] <= t ? 1 : 0;
            r[1][i] = 1 - r[0][i];
        }
        model.mStep(x, r);
        double[] ll = new double[settings.maxIterations() + 1];
        ll[0] = Mixtures.eStep(model, x, r);
        int it = 0;
        boolean done = false;
        while (it < settings.maxIterations() && !done) {
            model.mStep(x, r);
            it++;
            ll[it] = Mixtures.eStep(model, x, r);
            done = Math.abs(ll[it] - ll[it - 1]) / n < settings.tolerance();
        }
        model.iterations = it;
        model.converged = done;
        model.history = java.util.Arrays.copyOf(ll, it + 1);
        return model;
    }

    private void mStep(double[] x, double[][] r) {
        int n = x.length;
        for (int k = 0; k < 2; k++) {
            double w = 0, sx = 0;
            for (int i = 0; i < n; i++) {
                w += r[k][i];
                sx += r[k][i] * x[i];
            }
            // scikit-learn adds 10 * machine epsilon to the counts so that an empty component stays defined
            double count = w + 10 * Math.ulp(1.0);
            weight[k] = count / (n + 20 * Math.ulp(1.0));
            double mu = sx / count;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double d = x[i] - mu;
                ss += r[k][i] * d * d;
            }
            mean[k] = mu;
            variance[k] = ss / count + regularisation;
            if (!(variance[k] > 0)) {
                variance[k] = Double.MIN_NORMAL; // regularisation 0 and a collapsed component
            }
        }
    }

    /** \(\sigma_k^2\). */
    public double variance(int k) {
        return variance[k];
    }

    @Override
    public double weight(int k) {
        return weight[k];
    }

    /** \(\mu_k\). */
    @Override
    public double mean(int k) {
        return mean[k];
    }

    @Override
    public double logDensity(int k, double x) {
        double d = x - mean[k];
        return -0.5 * d * d / variance[k] - 0.5 * Math.log(variance[k]) - LOG_SQRT_2PI;
    }

    @Override
    public int iterations() {
        return iterations;
    }

    @Override
    public boolean converged() {
        return converged;
    }

    @Override
    public double[] logLikelihoods() {
        return history.clone();
    }

    /** The regularisation \(\lambda\) added to the variances. */
    public double regularisation() {
        return regularisation;
    }

    @Override
    public String toString() {
        return String.format("GaussianMixture[w=(%.4g, %.4g), mean=(%.4g, %.4g), var=(%.4g, %.4g), %d iterations]",
                weight[0], weight[1], mean[0], mean[1], variance[0], variance[1], iterations);
    }
}

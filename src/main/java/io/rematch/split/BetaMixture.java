package io.rematch.split;

import io.rematch.check.Checks;
import org.apache.commons.math3.special.Beta;

/**
 * A two-component Beta mixture fitted by EM with a weighted method-of-moments M-step: L2RM's
 * model of the normalised per-pair losses (Han et al., CVPR 2024, Section 3.1; release
 * {@code main_L2RM.py} commit a766c22, {@code BMM_pred}, which fits pomegranate's
 * {@code GeneralMixtureModel} of two {@code TrueBetaDistribution}s with {@code max_iterations=10},
 * {@code stop_threshold=1e-2}).
 *
 * <p>Densities \(f_k(x) = x^{\alpha_k-1}(1-x)^{\beta_k-1}/B(\alpha_k,\beta_k)\) on \((0, 1)\).
 * <ul>
 *   <li><b>E-step:</b> responsibilities \(r_{ik} = w_k f_k(x_i)/\sum_l w_l f_l(x_i)\) (log domain).</li>
 *   <li><b>M-step</b> (pomegranate's {@code TrueBetaDistribution.from_summaries}, not the
 *       maximum-likelihood step, which has no closed form): \(w_k = \frac1n\sum_i r_{ik}\); the
 *       weighted mean \(\bar x_k = \sum_i r_{ik}x_i/\sum_i r_{ik}\) and (biased) variance
 *       \(s_k^2 = \sum_i r_{ik}x_i^2/\sum_i r_{ik} - \bar x_k^2\) are matched by
 *       \(\alpha_k = \bar x_k c_k\), \(\beta_k = (1-\bar x_k)c_k\),
 *       \(c_k = \bar x_k(1-\bar x_k)/s_k^2 - 1\). For data in \((0, 1)\), \(s_k^2 &lt; \bar x_k(1-\bar x_k)\)
 *       (Bhatia-Davis), so \(c_k > 0\). A component whose points are all equal (\(s_k^2 = 0\),
 *       where pomegranate divides by zero) gets its concentration \(c_k\) capped at \(10^6\); a
 *       component with total responsibility below \(10^{-8}\) keeps its parameters (as pomegranate).</li>
 *   <li><b>Initialisation:</b> the optimal 1-D two-means split ({@link TwoMeans}) as hard
 *       responsibilities, then one M-step (pomegranate starts from a random k-means++ run).</li>
 *   <li><b>Stopping:</b> after {@code maxIterations} M-steps, or earlier when one improves the
 *       total log-likelihood by less than {@code tolerance} (pomegranate's {@code stop_threshold},
 *       an absolute total: with L2RM's 10<sup>5</sup> pairs it practically never fires, so the
 *       release always runs 10 iterations). A decrease also stops it: moment matching, unlike a
 *       likelihood M-step, does not guarantee ascent; the last parameters are kept, as pomegranate, and {@link #converged()} is false.
 * </ul>
 */
public final class BetaMixture implements TwoComponentMixture {

    /** The cap on \(\alpha + \beta\) for a component on identical values. */
    static final double MAX_CONCENTRATION = 1e6;

    /**
     * EM settings.
     *
     * @param maxIterations at most this many M-steps after the initialisation (>= 1)
     * @param tolerance     stop when an M-step improves the total log-likelihood by less (>= 0)
     */
    public record Settings(int maxIterations, double tolerance) {
        public Settings {
            Checks.atLeast("maxIterations", maxIterations, 1);
            Checks.nonNegative("tolerance", tolerance);
        }

        /** The release's settings: 10 iterations, stop threshold 1e-2. */
        public static Settings l2rm() {
            return new Settings(10, 1e-2);
        }
    }

    private final double[] weight = new double[2];
    private final double[] alpha = new double[2];
    private final double[] beta = new double[2];
    private final double[] logNorm = new double[2];
    private double[] history;
    private int iterations;
    private boolean converged;

    private BetaMixture() {
    }

    /**
     * Fits the mixture.
     *
     * @param x        values strictly inside (0, 1), at least two distinct (not modified)
     * @param settings EM settings
     * @throws IllegalArgumentException naming {@code x} for a value outside (0, 1), NaN, fewer than
     *                                  two values or all values equal
     */
    public static BetaMixture fit(double[] x, Settings settings) {
        Checks.finite("x", x);
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] > 0 && x[i] < 1)) {
                throw new IllegalArgumentException("x[" + i + "] = " + x[i] + " is outside (0, 1), the support of a Beta");
            }
        }
        Mixtures.checkSplittable("x", x);
        int n = x.length;
        BetaMixture model = new BetaMixture();
        double t = TwoMeans.threshold(x);
        double[][] r = new double[2][n];
        for (int i = 0; i < n; i++) {
            r[0][i] = x[i] <= t ? 1 : 0;
            r[1][i] = 1 - r[0][i];
        }
        model.mStep(x, r);
        double[] ll = new double[settings.maxIterations() + 1];
        ll[0] = model.eStep(x, r);
        int it = 0;
        boolean done = false;
        boolean decreased = false;
        while (it < settings.maxIterations() && !done) {
            model.mStep(x, r);
            it++;
            ll[it] = model.eStep(x, r);
            decreased = ll[it] < ll[it - 1]; // moment matching is not exact EM: stop, as pomegranate does
            done = decreased || ll[it] - ll[it - 1] < settings.tolerance();
        }
        model.iterations = it;
        model.converged = done && !decreased;
        model.history = java.util.Arrays.copyOf(ll, it + 1);
        return model;
    }

    /** Responsibilities into r; returns the total log-likelihood. */
    private double eStep(double[] x, double[][] r) {
        return Mixtures.eStep(this, x, r);
    }

    private void mStep(double[] x, double[][] r) {
        int n = x.length;
        for (int k = 0; k < 2; k++) {
            double w = 0, sx = 0, sxx = 0;
            for (int i = 0; i < n; i++) {
                w += r[k][i];
                sx += r[k][i] * x[i];
                sxx += r[k][i] * x[i] * x[i];
            }
            weight[k] = w / n;
            if (w < 1e-8) {
                continue; // pomegranate: no update without mass
            }
            double mean = sx / w;
            double var = sxx / w - mean * mean;
            double c = var > 0 ? mean * (1 - mean) / var - 1 : MAX_CONCENTRATION;
            c = Math.min(c, MAX_CONCENTRATION);
            alpha[k] = mean * c;
            beta[k] = (1 - mean) * c;
            logNorm[k] = Beta.logBeta(alpha[k], beta[k]);
        }
    }

    /** \(\alpha_k\). */
    public double alpha(int k) {
        return alpha[k];
    }

    /** \(\beta_k\). */
    public double beta(int k) {
        return beta[k];
    }

    @Override
    public double weight(int k) {
        return weight[k];
    }

    /** \(\alpha_k / (\alpha_k + \beta_k)\). */
    @Override
    public double mean(int k) {
        return alpha[k] / (alpha[k] + beta[k]);
    }

    @Override
    public double logDensity(int k, double x) {
        return (alpha[k] - 1) * Math.log(x) + (beta[k] - 1) * Math.log1p(-x) - logNorm[k];
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

    @Override
    public String toString() {
        return String.format("BetaMixture[w=(%.4g, %.4g), alpha=(%.4g, %.4g), beta=(%.4g, %.4g), %d iterations]",
                weight[0], weight[1], alpha[0], alpha[1], beta[0], beta[1], iterations);
    }
}

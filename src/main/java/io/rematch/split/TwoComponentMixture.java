package io.rematch.split;

/**
 * A fitted two-component mixture on one-dimensional data, as used to separate clean from
 * mismatched pairs by their per-pair loss: {@link BetaMixture} (L2RM) and {@link GaussianMixture}
 * (NCR). Component densities \(f_k\), weights \(w_k\); the posterior of component \(k\) at \(x\) is
 * \(w_k f_k(x) / \sum_l w_l f_l(x)\), computed in the log domain.
 */
public interface TwoComponentMixture {

    /** The mixture weight \(w_k\), k = 0 or 1. */
    double weight(int k);

    /** The mean of component \(k\). */
    double mean(int k);

    /** \(\log f_k(x)\). */
    double logDensity(int k, double x);

    /** The EM iterations run (M-steps after the initialisation). */
    int iterations();

    /** Whether EM stopped on its tolerance rather than its iteration cap. */
    boolean converged();

    /** The log-likelihood after the initialisation and after each iteration (a copy). */
    double[] logLikelihoods();

    /** The posterior of component {@code k} at each value (between 0 and 1). */
    default double[] posterior(int k, double[] x) {
        if (k != 0 && k != 1) {
            throw new IllegalArgumentException("component must be 0 or 1, got " + k);
        }
        double[] out = new double[x.length];
        double lw0 = Math.log(weight(0)), lw1 = Math.log(weight(1));
        for (int i = 0; i < x.length; i++) {
            double a = lw0 + logDensity(0, x[i]);
            double b = lw1 + logDensity(1, x[i]);
            // p0 = 1 / (1 + e^{b - a}); the logistic of the log-odds, exact at both ends.
            double d = k == 0 ? b - a : a - b;
            out[i] = d > 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
        }
        return out;
    }
}

package io.rematch.loss;

/**
 * One softmax of the complementary objective evaluated in the log domain: for a distribution
 * \(p\) over \(N\) candidates (one image's row, or one text's column), a selection \(M\) of
 * negatives and a bound \(\phi\),
 * \[ \ell = \sum_l M_l\,\phi(p_l), \qquad \frac{\partial \ell}{\partial z_k} = u_k(1 - p_k) - p_k \sum_{l \ne k} u_l,
 *    \qquad u_l = M_l\,p_l\,\phi'(p_l), \]
 * from \(\log p_l\) and \(\log(1 - p_l)\) alone. This is the form for a <em>saturated</em>
 * softmax, whose largest probability is within \(10^{-200}\) of 1: there \(1 - p\) underflows and
 * \(u\) of the largest entry overflows (\(p/(1-p)\) for the log bound), but every product in the
 * gradient is a ratio of bounded size. With \(U^* = \max_l \log u_l\) and
 * \(w_l = e^{\log u_l - U^*} \in [0, 1]\), the two terms are
 * \(u_k(1-p_k) = e^{\log u_k + \log(1-p_k)}\) and
 * \(p_k\sum_{l\ne k}u_l = e^{\log p_k + U^* + \log\sum_{l \ne k} w_l}\), each evaluated as one
 * exponential of a finite exponent. Cost: a few exponentials per entry; used only on saturated
 * rows and columns ({@link TwoWaySoftmaxObjective}).
 *
 * <p>Where even \(\log(1 - p)\) of the largest entry is \(-\infty\) (score gaps beyond the double
 * range once divided by \(\tau\)), the softmax is exactly one-hot in the limit: every
 * bounded bound's gradient tends to 0 there (\(p^{q}\)-type factors of \(1-p\) vanish) and the
 * gradient is 0; the log bound's value is then infinite and the loss refuses it.
 */
final class SaturatedSoftmax {

    private final double[] logP;
    private final double[] logC;
    private final boolean[] selected;
    private final double[] logU;
    private final double[] gradient;

    SaturatedSoftmax(int n) {
        logP = new double[n];
        logC = new double[n];
        selected = new boolean[n];
        logU = new double[n];
        gradient = new double[n];
    }

    /** Entry {@code k}: \(\log p_k\), \(\log(1 - p_k)\), and whether it is a negative. */
    void set(int k, double logProbability, double logComplement, boolean negative) {
        logP[k] = logProbability;
        logC[k] = logComplement;
        selected[k] = negative;
    }

    /** \(\partial\ell/\partial z_k\) of the last {@link #evaluate}. */
    double gradient(int k) {
        return gradient[k];
    }

    /** \(\ell\); also computes the gradient. */
    double evaluate(ComplementaryBound bound) {
        final int n = logP.length;
        double loss = 0;
        double top = Double.NEGATIVE_INFINITY;
        int argTop = -1;
        for (int k = 0; k < n; k++) {
            if (selected[k]) {
                loss += bound.valueFromLog(Math.exp(logP[k]), logC[k]);
                logU[k] = bound.logPTimesDerivative(logP[k], logC[k]);
                if (logU[k] > top) {
                    top = logU[k];
                    argTop = k;
                }
            } else {
                logU[k] = Double.NEGATIVE_INFINITY;
            }
        }
        boolean oneHot = false;
        for (int k = 0; k < n; k++) {
            oneHot |= logC[k] == Double.NEGATIVE_INFINITY;
        }
        if (argTop < 0 || oneHot) {
            java.util.Arrays.fill(gradient, 0.0);
            return loss;
        }
        double restW = 0; // sum of w_l over l != argTop
        for (int k = 0; k < n; k++) {
            if (k != argTop) {
                restW += Math.exp(logU[k] - top);
            }
        }
        for (int k = 0; k < n; k++) {
            double own = selected[k] ? Math.exp(bound.logPTimesDerivativeTimesComplement(logP[k], logC[k])) : 0.0;
            double othersW = k == argTop ? restW : 1.0 + Math.max(restW - Math.exp(logU[k] - top), 0.0);
            double cross = othersW > 0 ? Math.exp(logP[k] + top + Math.log(othersW)) : 0.0;
            gradient[k] = own - cross;
        }
        return loss;
    }
}

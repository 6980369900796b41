package io.rematch.ot;

/**
 * The log-sum-exp reductions of the log-domain solvers, on primitive row-major arrays.
 *
 * <p>\(\operatorname{lse}(z) = \max_k z_k + \log \sum_k e^{z_k - \max_k z_k}\), as
 * {@code scipy.special.logsumexp} (which POT's {@code sinkhorn_log} calls): the shift by the
 * maximum keeps every exponential \(\le 1\) and the largest one exactly 1, so the sum neither
 * overflows nor underflows to 0. Terms equal to \(-\infty\) (forbidden entries, zero masses)
 * contribute 0; if all are, the result is \(-\infty\) (scipy's convention).
 */
final class LogSumExp {

    private LogSumExp() {
    }

    /** \(\operatorname{lse}_k(x_{\mathit{off}+k} + y_k)\) over {@code k < len}. */
    static double of(double[] x, int off, double[] y, int len) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) {
            double z = x[off + k] + y[k];
            mx = z > mx ? z : mx;
        }
        if (mx == Double.NEGATIVE_INFINITY || mx == Double.POSITIVE_INFINITY) {
            return mx;
        }
        double s = 0;
        for (int k = 0; k < len; k++) {
            s += Math.exp(x[off + k] + y[k] - mx);
        }
        return Math.log(s) + mx;
    }

    /** \(\operatorname{lse}_k(x_k)\). */
    static double of(double[] x) {
        double mx = Double.NEGATIVE_INFINITY;
        for (double z : x) {
            mx = z > mx ? z : mx;
        }
        if (mx == Double.NEGATIVE_INFINITY || mx == Double.POSITIVE_INFINITY) {
            return mx;
        }
        double s = 0;
        for (double z : x) {
            s += Math.exp(z - mx);
        }
        return Math.log(s) + mx;
    }

    /** \(\log x_k\) for each entry (\(-\infty\) for zeros). */
    static double[] log(double[] x) {
        double[] l = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            l[k] = Math.log(x[k]);
        }
        return l;
    }
}

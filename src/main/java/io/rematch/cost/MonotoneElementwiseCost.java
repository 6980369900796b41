package io.rematch.cost;

import io.rematch.check.Checks;
import org.ejml.data.DMatrixRMaj;

/**
 * A permutation-equivariant learnable cost: \(C_{ij} = \varphi(S_{ij})\) with \(\varphi\) a
 * continuous, piecewise-linear, non-increasing function learned from the same key-point
 * supervision as L2RM's {@link RowLinearCost} (Han et al., CVPR 2024, Section 3.2), which it can
 * replace.
 *
 * <p><b>Definition.</b> Knots \(t_0 &lt; t_1 &lt; \dots &lt; t_K\) equally spaced on \([lo, hi]\)
 * (default \([-1, 1]\), \(K = 8\)), segment lengths \(h_k = t_{k+1} - t_k\), weights
 * \(w_k = \mathrm{softplus}(\theta_k) = \log(1 + e^{\theta_k}) > 0\):
 * \[ \varphi(s) = w_0\,[t_1 - s]_+ + \sum_{k=1}^{K-1} w_k \min\big([t_{k+1} - s]_+,\, h_k\big). \]
 * On segment \(k\) the slope is \(-w_k\); \(\varphi\) is constant 0 above \(t_K\) and continues with
 * slope \(-w_0\) below \(t_0\). Hence \(\varphi \ge 0\) and non-increasing for every \(\theta\):
 * a higher similarity never costs more, which the release's cost does not guarantee once trained.
 * At \(\theta_k = \log(e - 1)\) (all \(w_k = 1\)) \(\varphi(s) = [t_K - s]_+\), i.e.
 * \(\mathrm{ReLU}(1 - s)\) for \(hi = 1\): the same starting cost as the release.
 *
 * <p><b>Equivariance.</b> The cost of a pair depends on its own similarity only, so permuting
 * the images and captions of a batch permutes the cost matrix the same way (tested); the
 * release's \(\mathrm{ReLU}(Ws + b)\) mixes a row across caption slots and does not
 * (hhc1997/L2RM issue #14). The price: no context from the rest of the row (e.g. "this caption
 * is the image's best match"); see docs/l2rm.md.
 *
 * <p><b>Gradient.</b> \(\partial \varphi(s)/\partial\theta_k = \sigma(\theta_k)\,r_k(s)\) with
 * \(r_k\) the \(k\)-th ramp above and \(\sigma\) the logistic function (the derivative of
 * softplus); \(\partial L/\partial\theta_k = \sigma(\theta_k)\sum_{ij} U_{ij}\, r_k(S_{ij})\).
 */
public final class MonotoneElementwiseCost implements LearnableCost {

    /** Default number of segments \(K\). */
    public static final int DEFAULT_SEGMENTS = 8;

    private final double[] knots;
    private final double[] theta;

    /** Knots on \([-1, 1]\), 8 segments, initialised to \(\mathrm{ReLU}(1 - s)\). */
    public MonotoneElementwiseCost() {
        this(-1, 1, DEFAULT_SEGMENTS);
    }

    /**
     * @param low      \(t_0\)
     * @param high     \(t_K > t_0\); the initial cost is \(\mathrm{ReLU}(t_K - s)\)
     * @param segments \(K \ge 1\)
     */
    public MonotoneElementwiseCost(double low, double high, int segments) {
        Checks.atLeast("segments", segments, 1);
        if (!(Double.isFinite(low) && Double.isFinite(high) && high > low)) {
            throw new IllegalArgumentException("knots need finite low < high, got low = " + low + ", high = " + high);
        }
        knots = new double[segments + 1];
        for (int k = 0; k <= segments; k++) {
            knots[k] = low + (high - low) * k / segments;
        }
        knots[segments] = high;
        theta = new double[segments];
        java.util.Arrays.fill(theta, Math.log(Math.E - 1)); // softplus^{-1}(1)
    }

    /** The number of segments \(K\). */
    public int segments() {
        return theta.length;
    }

    /** The knots \(t_0, \dots, t_K\) (a copy). */
    public double[] knots() {
        return knots.clone();
    }

    /** The slopes' magnitudes \(w_k = \mathrm{softplus}(\theta_k)\) (a copy). */
    public double[] weights() {
        double[] w = new double[theta.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = softplus(theta[k]);
        }
        return w;
    }

    /** \(\varphi(s)\). */
    public double apply(double s) {
        double c = 0;
        for (int k = 0; k < theta.length; k++) {
            c += softplus(theta[k]) * ramp(k, s);
        }
        return c;
    }

    /** \(r_k(s)\): \([t_1 - s]_+\) for \(k = 0\), else \(\min([t_{k+1} - s]_+, h_k)\). */
    private double ramp(int k, double s) {
        double r = Math.max(knots[k + 1] - s, 0.0);
        return k == 0 ? r : Math.min(r, knots[k + 1] - knots[k]);
    }

    @Override
    public DMatrixRMaj cost(DMatrixRMaj similarities) {
        Checks.finite("similarities", similarities);
        double[] w = weights();
        DMatrixRMaj c = new DMatrixRMaj(similarities.numRows, similarities.numCols);
        for (int e = 0; e < c.getNumElements(); e++) {
            double s = similarities.data[e], v = 0;
            for (int k = 0; k < w.length; k++) {
                v += w[k] * ramp(k, s);
            }
            c.data[e] = v;
        }
        return c;
    }

    @Override
    public double[] parameterGradient(DMatrixRMaj similarities, DMatrixRMaj upstream) {
        Checks.finite("similarities", similarities);
        LearnableCost.checkUpstream(similarities, upstream);
        double[] grad = new double[theta.length];
        for (int e = 0; e < similarities.getNumElements(); e++) {
            double u = upstream.data[e];
            if (u == 0) {
                continue;
            }
            double s = similarities.data[e];
            for (int k = 0; k < theta.length; k++) {
                grad[k] += u * ramp(k, s);
            }
        }
        for (int k = 0; k < theta.length; k++) {
            grad[k] *= sigmoid(theta[k]);
        }
        return grad;
    }

    @Override
    public double[] parameters() {
        return theta.clone();
    }

    @Override
    public void setParameters(double[] parameters) {
        if (parameters == null || parameters.length != theta.length) {
            throw new IllegalArgumentException("parameters must have " + theta.length + " entries (one per segment), got "
                    + (parameters == null ? "none" : parameters.length));
        }
        Checks.finite("parameters", parameters);
        System.arraycopy(parameters, 0, theta, 0, theta.length);
    }

    @Override
    public String name() {
        return "monotone";
    }

    /** \(\log(1 + e^x)\) without overflow. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}

package io.rematch.loss;

/**
 * L2RM's rematch losses (Han et al., CVPR 2024, Eq. 9-12 and Table 5; the release's
 * {@code Soft_InfoNCE}, {@code KL_Divergence}, {@code sym_KL_Divergence}, {@code JS_Divergence})
 * written the way they read: the soft targets from the plan, the two softmaxes, each divergence
 * as its sum, and the gradient by the chain rule through each softmax. Plain loops over an
 * {@code n x m} score matrix, stable arithmetic. The reference form of {@link SoftTargetLoss} and
 * its subclasses, which share one sweep for both softmaxes and form each divergence's gradient in
 * closed form ({@code LiteralFormsTest} checks that the two agree).
 *
 * <p>Notation: {@code P[i][j]} is image i's softmax over the captions of {@code s / tau},
 * {@code Q[j][i]} caption j's over the images; {@code A[i][j]}, {@code B[j][i]} the targets.
 */
public final class LiteralRematchLosses {

    /** The loss to compute. */
    public enum Kind {
        /** {@code -sum_j a_j log p_j} per distribution ({@code soft-infonce}). */
        SOFT_INFONCE,
        /** {@code KL(A || P)} ({@code kl}). */
        KL,
        /** {@code (KL(A || P) + KL(P || A)) / 2} ({@code sym-kl}, L2RM's default). */
        SYMMETRIC_KL,
        /** {@code (KL(P || M) + KL(A || M)) / 2}, {@code M = (P + A) / 2}: the textbook Jensen-Shannon divergence. */
        JS_TEXTBOOK,
        /** {@code (KL(M || P) + KL(M || A)) / 2}: the release's {@code JS_Divergence}. */
        JS_MIXTURE_FIRST
    }

    private LiteralRematchLosses() {
    }

    /**
     * Eq. 9-10, image i's targets: {@code A[i][j] = max(pi_ij, 1e-10) / sum_l max(pi_il, 1e-10)}
     * (the release's floor keeps {@code KL(P || A)} finite where the plan is 0).
     */
    public static double[][] imageTargets(double[][] plan) {
        int n = plan.length;
        int m = plan[0].length;
        double[][] a = new double[n][m];
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < m; j++) {
                row += Math.max(plan[i][j], SoftTargets.FLOOR);
            }
            for (int j = 0; j < m; j++) {
                a[i][j] = Math.max(plan[i][j], SoftTargets.FLOOR) / row;
            }
        }
        return a;
    }

    /** Caption j's targets: {@code B[j][i] = max(pi_ij, 1e-10) / sum_l max(pi_lj, 1e-10)}. */
    public static double[][] captionTargets(double[][] plan) {
        return imageTargets(transpose(plan));
    }

    /** Each row's softmax of {@code s / tau}, shifted by its largest entry (the same numbers, no overflow). */
    public static double[][] rowSoftmax(double[][] s, double tau) {
        double[][] p = new double[s.length][];
        for (int i = 0; i < s.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double x : s[i]) {
                max = Math.max(max, x);
            }
            double z = 0;
            for (double x : s[i]) {
                z += Math.exp((x - max) / tau);
            }
            p[i] = new double[s[i].length];
            for (int j = 0; j < s[i].length; j++) {
                p[i][j] = Math.exp((s[i][j] - max) / tau) / z;
            }
        }
        return p;
    }

    /** {@code KL(x || y) = sum_k x_k log(x_k / y_k)}. */
    public static double kl(double[] x, double[] y) {
        double d = 0;
        for (int k = 0; k < x.length; k++) {
            d += x[k] * Math.log(x[k] / y[k]);
        }
        return d;
    }

    /** One distribution's divergence {@code D(a, p)}. */
    public static double divergence(Kind kind, double[] a, double[] p) {
        switch (kind) {
            case SOFT_INFONCE: {
                double d = 0;
                for (int k = 0; k < a.length; k++) {
                    d -= a[k] * Math.log(p[k]);
                }
                return d;
            }
            case KL:
                return kl(a, p);
            case SYMMETRIC_KL:
                return (kl(a, p) + kl(p, a)) / 2;
            case JS_TEXTBOOK:
                return (kl(p, mixture(p, a)) + kl(a, mixture(p, a))) / 2;
            case JS_MIXTURE_FIRST:
            default:
                return (kl(mixture(p, a), p) + kl(mixture(p, a), a)) / 2;
        }
    }

    /** {@code dD/dp_k} of {@link #divergence}. */
    public static double[] divergenceGradient(Kind kind, double[] a, double[] p) {
        int len = a.length;
        double[] g = new double[len];
        double[] mix = mixture(p, a);
        for (int k = 0; k < len; k++) {
            switch (kind) {
                case SOFT_INFONCE:
                case KL:
                    g[k] = -a[k] / p[k];
                    break;
                case SYMMETRIC_KL:
                    g[k] = (-a[k] / p[k] + Math.log(p[k] / a[k]) + 1) / 2;
                    break;
                case JS_TEXTBOOK:
                    g[k] = Math.log(p[k] / mix[k]) / 2;     // the other terms cancel: (p + a) / (2M) = 1
                    break;
                case JS_MIXTURE_FIRST:
                default: {
                    double w = Math.log(mix[k]) - (Math.log(p[k]) + Math.log(a[k])) / 2;
                    g[k] = (w + 1 - mix[k] / p[k]) / 2;
                }
            }
        }
        return g;
    }

    /**
     * Eq. 11-12: {@code L = (1/n) sum_i D(A_i, P_i) + (1/m) sum_j D(B_j, Q_j)}, both directions,
     * each averaged over its distributions (PyTorch's {@code batchmean}).
     */
    public static double loss(Kind kind, double[][] s, double tau, double[][] plan) {
        double[][] p = rowSoftmax(s, tau);
        double[][] q = rowSoftmax(transpose(s), tau);
        double[][] a = imageTargets(plan);
        double[][] b = captionTargets(plan);
        double rows = 0;
        for (int i = 0; i < p.length; i++) {
            rows += divergence(kind, a[i], p[i]);
        }
        double cols = 0;
        for (int j = 0; j < q.length; j++) {
            cols += divergence(kind, b[j], q[j]);
        }
        return rows / p.length + cols / q.length;
    }

    /**
     * {@code dL/ds[i][j]}: through each softmax, {@code d p_l / d z_j = p_l (delta_lj - p_j)},
     * {@code z = s / tau}, so {@code dD/dz_j = sum_l g_l p_l (delta_lj - p_j)} for
     * {@code g = dD/dp}; image i's row contributes to row i of s, caption j's to column j.
     */
    public static double[][] gradient(Kind kind, double[][] s, double tau, double[][] plan) {
        int n = s.length;
        int m = s[0].length;
        double[][] p = rowSoftmax(s, tau);
        double[][] q = rowSoftmax(transpose(s), tau);
        double[][] a = imageTargets(plan);
        double[][] b = captionTargets(plan);
        double[][] grad = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] g = divergenceGradient(kind, a[i], p[i]);
            for (int j = 0; j < m; j++) {
                for (int l = 0; l < m; l++) {
                    grad[i][j] += g[l] * p[i][l] * ((l == j ? 1 : 0) - p[i][j]) / (n * tau);
                }
            }
        }
        for (int j = 0; j < m; j++) {
            double[] g = divergenceGradient(kind, b[j], q[j]);
            for (int i = 0; i < n; i++) {
                for (int l = 0; l < n; l++) {
                    grad[i][j] += g[l] * q[j][l] * ((l == i ? 1 : 0) - q[j][i]) / (m * tau);
                }
            }
        }
        return grad;
    }

    private static double[] mixture(double[] p, double[] a) {
        double[] mix = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            mix[k] = (p[k] + a[k]) / 2;
        }
        return mix;
    }

    static double[][] transpose(double[][] x) {
        double[][] t = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                t[j][i] = x[i][j];
            }
        }
        return t;
    }
}

package io.rematch.loss;

import org.ejml.data.DMatrixRMaj;

/**
 * Every score loss written out literally in the log domain, slowly (O(N^3)), for the scale
 * property tests: each log-probability is a log-sum-exp of score differences, each
 * \(\log(1-p_j)\) the log-sum-exp over the other entries, and every product in a gradient the
 * exponential of a sum of logarithms. Finite wherever the true value is, at any scale of the
 * scores; independent of the fast classes' sweeps, shifts, caches and saturation switches.
 */
final class LogDomainReference {

    private LogDomainReference() {
    }

    /** A value and \(\partial L/\partial S\). */
    record Value(double value, double[] gradient) {
    }

    /**
     * lse of x[k] over k != skip (skip = -1: all), as \(m + \mathrm{log1p}(\sum_{k \ne k^*} e^{x_k - m})\)
     * with \(m = x_{k^*}\) the maximum: exact to rounding even where the other terms are tiny.
     */
    static double lse(double[] x, int skip) {
        double m = Double.NEGATIVE_INFINITY;
        int arg = -1;
        for (int k = 0; k < x.length; k++) {
            if (k != skip && x[k] > m) {
                m = x[k];
                arg = k;
            }
        }
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            if (k != skip && k != arg) {
                s += Math.exp(x[k] - m);
            }
        }
        return m + Math.log1p(s);
    }

    /** One softmax of scores x / tau: log p and log(1 - p) of every entry. */
    static double[][] logs(double[] x, double tau) {
        int n = x.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] d = new double[n];
        for (int k = 0; k < n; k++) {
            d[k] = (x[k] - max) / tau;
        }
        double all = lse(d, -1);
        double[] logP = new double[n];
        double[] logC = new double[n];
        for (int k = 0; k < n; k++) {
            logP[k] = d[k] - all;
            // log(1 - p): log1p(-p) while p <= 1/2 (exact there), else the lse of the other entries
            logC[k] = logP[k] < -Math.log(2) ? Math.log1p(-Math.exp(logP[k])) : lse(d, k) - all;
        }
        return new double[][] {logP, logC};
    }

    static double[] row(DMatrixRMaj s, int i) {
        double[] r = new double[s.numCols];
        for (int j = 0; j < s.numCols; j++) {
            r[j] = s.get(i, j);
        }
        return r;
    }

    static double[] col(DMatrixRMaj s, int j) {
        double[] c = new double[s.numRows];
        for (int i = 0; i < s.numRows; i++) {
            c[i] = s.get(i, j);
        }
        return c;
    }

    /** \(\phi(p)\) from \(p\) and \(\log(1-p)\). */
    static double phi(ComplementaryBound.Kind kind, double q, double p, double logC) {
        switch (kind) {
            case MAE: return p;
            case LOG: return -logC;
            case EXP: return Math.exp(-Math.exp(logC));
            case GCE: return q * Math.abs(logC) < 1e-5 ? -logC * (1 + q * logC / 2 + q * q * logC * logC / 6) : -Math.expm1(q * logC) / q;
            default: return Math.tan(p);
        }
    }

    /** \(\log(p\,\phi'(p))\). */
    static double logU(ComplementaryBound.Kind kind, double q, double logP, double logC) {
        switch (kind) {
            case MAE: return logP;
            case LOG: return logP - logC;
            case EXP: return logP - Math.exp(logC);
            case GCE: return logP + (q - 1) * logC;
            default: return logP - 2 * Math.log(Math.cos(Math.exp(logP)));
        }
    }

    /**
     * CCL (Eq. 14-18): \(\frac1N\sum\) of \(\phi\) over the negatives (row a of the mask, in
     * both softmax directions); gradient per softmax \(u_k(1-p_k) - p_k\sum_{l\ne k}u_l\).
     */
    static Value ccl(DMatrixRMaj s, double tau, ComplementaryBound bound, io.rematch.mask.PairMask mask) {
        int n = s.numRows;
        double[] g = new double[n * n];
        double loss = 0;
        for (int dir = 0; dir < 2; dir++) {
            for (int a = 0; a < n; a++) {
                double[] x = dir == 0 ? row(s, a) : col(s, a);
                double[][] lg = logs(x, tau);
                double[] lu = new double[n];
                for (int k = 0; k < n; k++) {
                    boolean negative = mask.contains(a, k);
                    lu[k] = negative ? logU(bound.kind(), bound.q(), lg[0][k], lg[1][k]) : Double.NEGATIVE_INFINITY;
                    if (negative) {
                        loss += phi(bound.kind(), bound.q(), Math.exp(lg[0][k]), lg[1][k]);
                    }
                }
                for (int k = 0; k < n; k++) {
                    double own = mask.contains(a, k) ? Math.exp(lu[k] + lg[1][k]) : 0;
                    double cross = Math.exp(lg[0][k] + lse(lu, k));
                    int e = dir == 0 ? a * n + k : k * n + a;
                    g[e] += (own - cross) / (n * tau);
                }
            }
        }
        return new Value(loss / n, g);
    }

    /** InfoNCE (Eq. 8). */
    static Value infoNce(DMatrixRMaj s, double tau) {
        int n = s.numRows;
        double[] g = new double[n * n];
        double loss = 0;
        for (int dir = 0; dir < 2; dir++) {
            for (int a = 0; a < n; a++) {
                double[][] lg = logs(dir == 0 ? row(s, a) : col(s, a), tau);
                loss -= lg[0][a];
                for (int k = 0; k < n; k++) {
                    int e = dir == 0 ? a * n + k : k * n + a;
                    g[e] += (k == a ? -Math.exp(lg[1][k]) : Math.exp(lg[0][k])) / (n * tau);   // p - 1 = -(1 - p)
                }
            }
        }
        return new Value(loss / n, g);
    }

    /** L2RM's RCE with the textbook diagonal label: (InfoNCE + reverse CE) / 2, label log 1e-7 off the diagonal. */
    static Value rce(DMatrixRMaj s, double tau) {
        int n = s.numRows;
        double c = Math.log(SymmetricCrossEntropyLoss.LABEL_EPSILON);
        Value info = infoNce(s, tau);
        double[] g = new double[n * n];
        double reverse = 0;
        for (int dir = 0; dir < 2; dir++) {
            for (int a = 0; a < n; a++) {
                double[][] lg = logs(dir == 0 ? row(s, a) : col(s, a), tau);
                double pa = Math.exp(lg[0][a]);
                reverse -= c * Math.exp(lg[1][a]);   // -(c (1 - p_aa) + 0 p_aa)
                for (int k = 0; k < n; k++) {
                    // d/dz_k of -(c (1 - p_a)) / n = (c / n) dp_a/dz_k = (c / n) p_a (delta_ak - p_k)
                    double dp = k == a ? pa * Math.exp(lg[1][a]) : -pa * Math.exp(lg[0][k]);
                    int e = dir == 0 ? a * n + k : k * n + a;
                    g[e] += c * dp / (n * tau);
                }
            }
        }
        for (int e = 0; e < g.length; e++) {
            g[e] = 0.5 * (info.gradient()[e] + g[e]);
        }
        return new Value(0.5 * (info.value() + reverse / n), g);
    }

    /** The triplet losses' hinges, literally: sum, hardest negative (first on ties) or mean. */
    static Value triplet(DMatrixRMaj s, double margin, TripletRankingLoss.Aggregation agg) {
        int n = s.numRows;
        double[] g = new double[n * n];
        double loss = 0;
        double w = agg == TripletRankingLoss.Aggregation.MEAN ? 1.0 / n : 1.0;
        for (int dir = 0; dir < 2; dir++) {
            for (int a = 0; a < n; a++) {
                int best = -1;
                double top = 0;
                for (int k = 0; k < n; k++) {
                    if (k == a) {
                        continue;
                    }
                    double cost = margin + (dir == 0 ? s.get(a, k) : s.get(k, a)) - s.get(a, a);
                    if (cost <= 0) {
                        continue;
                    }
                    if (agg == TripletRankingLoss.Aggregation.HARDEST) {
                        if (cost > top) {
                            top = cost;
                            best = k;
                        }
                    } else {
                        loss += w * cost;
                        g[dir == 0 ? a * n + k : k * n + a] += w;
                        g[a * n + a] -= w;
                    }
                }
                if (best >= 0) {
                    loss += top;
                    g[dir == 0 ? a * n + best : best * n + a] += 1;
                    g[a * n + a] -= 1;
                }
            }
        }
        return new Value(loss, g);
    }

    /**
     * The rematch losses against targets \(\pi\) (floored at \(10^{-10}\), normalised per row and
     * per column): the divergence named {@code name} (textbook forms) per softmax.
     */
    static Value rematch(String name, DMatrixRMaj s, DMatrixRMaj plan, double tau) {
        int n = s.numRows, m = s.numCols;
        double[] g = new double[n * m];
        double loss = 0;
        for (int dir = 0; dir < 2; dir++) {
            int count = dir == 0 ? n : m;
            for (int a = 0; a < count; a++) {
                double[] x = dir == 0 ? row(s, a) : col(s, a);
                double[] t = dir == 0 ? row(plan, a) : col(plan, a);
                double sum = 0;
                for (int k = 0; k < t.length; k++) {
                    t[k] = Math.max(t[k], SoftTargets.FLOOR);
                    sum += t[k];
                }
                double[][] lg = logs(x, tau);
                int len = x.length;
                double[] logA = new double[len];
                double[] p = new double[len];
                double[] dp = new double[len];   // dD/dp_k
                for (int k = 0; k < len; k++) {
                    logA[k] = Math.log(t[k] / sum);
                    p[k] = Math.exp(lg[0][k]);
                }
                double d = 0;
                for (int k = 0; k < len; k++) {
                    double ak = Math.exp(logA[k]);
                    switch (name) {
                        case "kl":
                            d += ak * (logA[k] - lg[0][k]);
                            break;
                        case "soft-infonce":
                            d -= ak * lg[0][k];
                            break;
                        case "sym-kl":
                            d += 0.5 * (ak * (logA[k] - lg[0][k]) + p[k] * (lg[0][k] - logA[k]));
                            dp[k] = 0.5 * (lg[0][k] - logA[k] + 1);
                            break;
                        default: { // js, textbook
                            double logM = Math.log(0.5 * (p[k] + ak));
                            d += 0.5 * (p[k] * (lg[0][k] - logM) + ak * (logA[k] - logM));
                            dp[k] = 0.5 * (lg[0][k] - logM);
                        }
                    }
                }
                loss += d / count;
                double pdp = 0;
                for (int k = 0; k < len; k++) {
                    pdp += p[k] * dp[k];
                }
                for (int k = 0; k < len; k++) {
                    double ak = Math.exp(logA[k]);
                    // the KL / cross-entropy part: p_k - a_k; the p-dependent part: p_k (dp_k - sum p dp)
                    double dz;
                    switch (name) {
                        case "kl":
                        case "soft-infonce":
                            dz = p[k] - ak;
                            break;
                        case "sym-kl":
                            dz = 0.5 * (p[k] - ak) + p[k] * (dp[k] - pdp);
                            break;
                        default:
                            dz = p[k] * (dp[k] - pdp);
                    }
                    int e = dir == 0 ? a * m + k : k * m + a;
                    g[e] += dz / (count * tau);
                }
            }
        }
        return new Value(loss, g);
    }
}

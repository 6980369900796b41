package io.rematch.loss;

import com.aparapi.Kernel;

/**
 * L2RM's rematch losses ({@link SoftTargetLoss}: soft InfoNCE, KL, symmetric KL and both
 * Jensen-Shannon forms, Han et al., CVPR 2024, Eq. 11-12) on an OpenCL device, float32, stable
 * mode, over an \(n \times m\) score matrix {@code s} and the host's {@link SoftTargets} (the
 * targets and their logarithms in both directions). Three passes:
 * <ol>
 *   <li>{@link #STATISTICS} (\(n + m\) items): each row's and column's largest \(z = s/\tau\)
 *       and \(\sum e^{z - \max}\), so that \(\log p = z - \max - \log Z\);</li>
 *   <li>{@link #ROWS} (\(n\) items): image \(i\)'s divergence \(D(A_{i\cdot}, P_{i\cdot})\) into
 *       {@code rowLoss[i]} and \(\frac{1}{n\tau}\partial D/\partial z\) into {@code g};</li>
 *   <li>{@link #COLUMNS} (\(m\) items): caption \(j\)'s, \(\frac{1}{m\tau}\partial D/\partial z\)
 *       added to {@code g}.</li>
 * </ol>
 * Each distribution takes two loops: the sums the gradient needs (\(\sum p_k w_k\)), then the
 * gradient, the probabilities recomputed rather than stored. The divergences and their gradients
 * are {@link SoftTargetLoss#divergence}'s, term for term, with \(\kappa = 0\) (stable mode); the
 * kind is {@code kind}: {@link #SOFT_INFONCE}, {@link #KL}, {@link #SYM_KL},
 * {@link #JS_TEXTBOOK}, {@link #JS_MIXTURE_FIRST}.
 */
final class SoftTargetKernel extends Kernel {

    static final int STATISTICS = 0;
    static final int ROWS = 1;
    static final int COLUMNS = 2;

    static final int SOFT_INFONCE = 0;
    static final int KL = 1;
    static final int SYM_KL = 2;
    static final int JS_TEXTBOOK = 3;
    static final int JS_MIXTURE_FIRST = 4;

    float[] s;
    float[] rowTarget;
    float[] rowLog;
    float[] colTarget;
    float[] colLog;
    float[] rowTargetSum;
    float[] colTargetSum;
    float[] rowMax;
    float[] rowLogNorm;
    float[] colMax;
    float[] colLogNorm;
    float[] g;
    float[] rowLoss;
    float[] colLoss;
    int n;
    int m;
    int pass;
    int kind;
    float invTau;
    float rowScale;
    float colScale;

    // flat ifs without else: Aparapi's decompiler rejects some if/else nestings
    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == STATISTICS) {
            if (t < n + m) {
                statistics(t);
            }
        }
        if (pass == ROWS) {
            if (t < n) {
                distribution(t, 0);
            }
        }
        if (pass == COLUMNS) {
            if (t < m) {
                distribution(t, 1);
            }
        }
    }

    /** Row {@code t} (for {@code t < n}) or column {@code t - n}: the largest z and log Z. */
    private void statistics(int t) {
        int column = 0;
        if (t >= n) {
            column = 1;
        }
        int index = t - column * n;
        int len = m + column * (n - m);           // a row has m entries, a column n
        int start = index * m * (1 - column) + index * column;
        int stride = 1 + column * (m - 1);
        float best = s[start] * invTau;
        for (int l = 1; l < len; l++) {
            best = max(best, s[start + l * stride] * invTau);
        }
        float sum = 0f;
        for (int l = 0; l < len; l++) {
            sum += exp(s[start + l * stride] * invTau - best);
        }
        if (column == 0) {
            rowMax[index] = best;
            rowLogNorm[index] = log(sum);
        }
        if (column == 1) {
            colMax[index] = best;
            colLogNorm[index] = log(sum);
        }
    }

    /** One distribution: row {@code index} ({@code column == 0}) or column {@code index}. */
    private void distribution(int index, int column) {
        int len = m + column * (n - m);
        int start = index * m * (1 - column) + index * column;
        int stride = 1 + column * (m - 1);
        float shift = rowMax[index] + rowLogNorm[index];
        float ts = rowTargetSum[index];
        float scale = rowScale;
        if (column == 1) {
            shift = colMax[index] + colLogNorm[index];
            ts = colTargetSum[index];
            scale = colScale;
        }
        // pass 1: the divergence and the sums its gradient needs
        float d = 0f;
        float second = 0f;       // sym-kl: the reverse KL; js: sum_k p_k w_k
        for (int l = 0; l < len; l++) {
            int e = start + l * stride;
            float logP = s[e] * invTau - shift;
            float p = exp(logP);
            float a = target(e, column);
            float logA = targetLog(e, column);
            if (kind == SOFT_INFONCE) {
                d -= a * logP;
            }
            if (kind == KL || kind == SYM_KL) {
                d += a * (logA - logP);
            }
            if (kind == SYM_KL) {
                second += p * (logP - logA);
            }
            if (kind == JS_TEXTBOOK) {
                float logMix = log(0.5f * (p + a));
                d += 0.5f * (p * (logP - logMix) + a * (logA - logMix));
                second += p * (0.5f * (logP - logMix));
            }
            if (kind == JS_MIXTURE_FIRST) {
                float mix = 0.5f * (p + a);
                float logMix = log(mix);
                d += 0.5f * (mix * (logMix - logP) + mix * (logMix - logA));
                second += p * (logMix - 0.5f * (logP + logA));
            }
        }
        if (kind == SYM_KL) {
            d = 0.5f * (d + second);
        }
        // pass 2: dD/dz, scaled, into g
        float massGap = 1f - ts;
        for (int l = 0; l < len; l++) {
            int e = start + l * stride;
            float logP = s[e] * invTau - shift;
            float p = exp(logP);
            float a = target(e, column);
            float logA = targetLog(e, column);
            float dz = p * ts - a;                 // soft-infonce, kl
            if (kind == SYM_KL) {
                dz = 0.5f * ((p * ts - a) + p * ((logP - logA) - second));
            }
            if (kind == JS_TEXTBOOK) {
                float logMix = log(0.5f * (p + a));
                dz = p * (0.5f * (logP - logMix) - second);
            }
            if (kind == JS_MIXTURE_FIRST) {
                float logMix = log(0.5f * (p + a));
                float w = logMix - 0.5f * (logP + logA);
                dz = 0.5f * (p * (w - second) + 0.5f * (p - a) - 0.5f * p * massGap);
            }
            if (column == 0) {
                g[e] = dz * scale;
            }
            if (column == 1) {
                g[e] += dz * scale;
            }
        }
        if (column == 0) {
            rowLoss[index] = d;
        }
        if (column == 1) {
            colLoss[index] = d;
        }
    }

    private float target(int e, int column) {
        float v = rowTarget[e];
        if (column == 1) {
            v = colTarget[e];
        }
        return v;
    }

    private float targetLog(int e, int column) {
        float v = rowLog[e];
        if (column == 1) {
            v = colLog[e];
        }
        return v;
    }
}

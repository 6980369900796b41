package io.rematch.ot;

import com.aparapi.Kernel;

/**
 * One iteration of L2RM's masked partial OT ({@link MaskedPartialTransport}, stable mode) on an
 * OpenCL device, float32, over the \((n+1) \times (m+1)\) problem extended by the dummy row and
 * column ({@link DummyExtension}). The release's updates in log units (\(f = u/\varepsilon\),
 * \(g = v/\varepsilon\)) are a log-domain Sinkhorn iteration, rows first:
 * \[ f_i \leftarrow \log a'_i - \operatorname{lse}_j(L_{ij} + g_j),\qquad
 *    g_j \leftarrow \log b'_j - \operatorname{lse}_i(L_{ij} + f_i). \]
 * {@code l} is not \(-C'/\varepsilon\) itself but the same problem with constants moved into
 * the potentials: the real rows' \(f_i - c_{min}/\varepsilon\) (\(c_{min}\) the real block's
 * smallest cost), the dummy row's \(f_n - \xi/\varepsilon\) and the dummy column's
 * \(g_m - (\xi - c_{min})/\varepsilon\). Then the real block is \(-(C - c_{min})/\varepsilon\),
 * the dummy entries are 0 and the corner \(-(\max C + c_{min})/\varepsilon\), where
 * \(-C'/\varepsilon\) reaches \(-201 \max C/\varepsilon\) (about \(-2900\) at L2RM's
 * \(\varepsilon = 0.07\)) and costs far from 0 would make every potential large. Every exponent
 * that matters stays moderate, so float32 keeps about \(10^{-7}\) of each plan entry rather than
 * the \(10^{-4}\) that exponents of thousands would leave. Forbidden entries are {@link LogSinkhornKernel#LOG_ZERO}, as is the log of a zero
 * marginal entry.
 * <ol>
 *   <li>{@link #ROWS} (\(n+1\) items): row \(i\)'s \(\operatorname{lse}_j(L_{ij} + g_j)\); the
 *       squared row-marginal error of the current plan, \((e^{f_i + \mathrm{lse}} - a'_i)^2\) (the
 *       marginals rule); the new \(f_i\), the old kept in {@code fOld}; and
 *       \((\varepsilon(f_i - f^{old}_i))^2\) (the release's potential-change rule); rows without
 *       mass contribute no error or change, as on the CPU;</li>
 *   <li>{@link #COLUMNS} (\(m+1\) items): the new \(g_j\) from the new \(f\).</li>
 * </ol>
 */
final class MaskedPartialKernel extends Kernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;

    float[] l;
    float[] p;
    float[] logp;
    float[] logq;
    float[] f;
    float[] fOld;
    float[] g;
    float[] rowError;
    float[] change;
    int n1;
    int m1;
    int pass;
    float reg;

    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == ROWS) {
            if (t < n1) {
                int base = t * m1;
                float mx = LogSinkhornKernel.LOWEST;
                for (int j = 0; j < m1; j++) {
                    mx = max(mx, l[base + j] + g[j]);
                }
                float s = 0f;
                for (int j = 0; j < m1; j++) {
                    s += exp(l[base + j] + g[j] - mx);
                }
                float lse = mx + log(s);
                float old = f[t];
                float fresh = logp[t] - lse;
                float e = exp(old + lse) - p[t];
                float d = reg * (fresh - old);
                rowError[t] = e * e;
                change[t] = d * d;
                if (p[t] == 0f) {
                    rowError[t] = 0f;
                    change[t] = 0f;
                }
                fOld[t] = old;
                f[t] = fresh;
            }
        }
        if (pass == COLUMNS) {
            if (t < m1) {
                float mx = LogSinkhornKernel.LOWEST;
                for (int i = 0; i < n1; i++) {
                    mx = max(mx, l[i * m1 + t] + f[i]);
                }
                float s = 0f;
                for (int i = 0; i < n1; i++) {
                    s += exp(l[i * m1 + t] + f[i] - mx);
                }
                g[t] = logq[t] - (mx + log(s));
            }
        }
    }
}

package io.rematch.ot;

import com.aparapi.Kernel;

/**
 * One iteration of balanced Sinkhorn in the log domain ({@link LogSinkhorn}: \(\log \pi_{ij} =
 * L_{ij} + f_i + g_j\), \(L = -(C - \min C)/\varepsilon\)) on an OpenCL device, float32, in two
 * passes over the row-major \(n \times m\) log-kernel {@code l}:
 * <ol>
 *   <li>{@link #ROWS} (\(n\) items): \(f_i = \log a_i - \operatorname{lse}_j(L_{ij} + g_j)\) with
 *       this iteration's \(g\);</li>
 *   <li>{@link #COLUMNS} (\(m\) items): \(\ell_j = \operatorname{lse}_i(L_{ij} + f_i)\) with the new
 *       \(f\), the marginal error term \((e^{g_j + \ell_j} - b_j)^2\) of the plan just formed, and
 *       the next iteration's \(g_j = \log b_j - \ell_j\).</li>
 * </ol>
 * Each log-sum-exp is shifted by its largest term (one loop for the maximum, one for the sum), so
 * no exponential overflows and the largest term is exactly 1 however small \(\varepsilon\) is: the
 * reason the log domain exists. \(g\) lives twice in {@code g} ({@code 2m}), as in
 * {@link SinkhornKernel}: this iteration's at {@code parity}, the next at {@code 1 - parity}. A
 * zero marginal has the finite stand-in {@link #LOG_ZERO} for its \(\log\), so its row or column of
 * the plan is \(e^{-10^{30}} = 0\) without an infinity in the arithmetic.
 */
final class LogSinkhornKernel extends Kernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;
    /** The log of a zero marginal entry. */
    static final float LOG_ZERO = -1e30f;
    /** Below every term: the start of a maximum (float32's lowest is -3.4e38). */
    static final float LOWEST = -3e38f;

    /** \(\log x\) in float32 for a kernel's buffer, {@link #LOG_ZERO} for 0 (host side). */
    static float[] logs(double[] x) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = x[k] == 0 ? LOG_ZERO : (float) Math.log(x[k]);
        }
        return out;
    }

    float[] l;
    float[] loga;
    float[] logb;
    float[] b;
    float[] f;
    float[] g;
    float[] error;
    int n;
    int m;
    int pass;
    int parity;

    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == ROWS) {
            if (t < n) {
                int base = t * m;
                int cur = parity * m;
                float mx = LOWEST;
                for (int j = 0; j < m; j++) {
                    mx = max(mx, l[base + j] + g[cur + j]);
                }
                float s = 0f;
                for (int j = 0; j < m; j++) {
                    s += exp(l[base + j] + g[cur + j] - mx);
                }
                f[t] = loga[t] - (mx + log(s));
            }
        }
        if (pass == COLUMNS) {
            if (t < m) {
                float mx = LOWEST;
                for (int i = 0; i < n; i++) {
                    mx = max(mx, l[i * m + t] + f[i]);
                }
                float s = 0f;
                for (int i = 0; i < n; i++) {
                    s += exp(l[i * m + t] + f[i] - mx);
                }
                float lse = mx + log(s);
                float e = exp(g[parity * m + t] + lse) - b[t];
                error[t] = e * e;
                g[(1 - parity) * m + t] = logb[t] - lse;
            }
        }
    }
}

package io.rematch.ot;

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
final class LogSinkhornKernel extends OneGroupKernel {

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

    /** {@link #SOLVE}: the whole loop in one work-group, as {@link SinkhornKernel#SOLVE}. */
    static final int SOLVE = 2;
    /** {@code state[PLAN]}: the parity of the g the last row pass used (the plan's). */
    static final int PLAN = 0;
    /** {@code state[DONE]}: iterations done. */
    static final int DONE = 1;
    /** {@code state[STOPPED]}: {@link SinkhornKernel#CAP} or {@link SinkhornKernel#MET}. */
    static final int STOPPED = 2;
    /** {@code state[ERRORS]}: errors written. */
    static final int ERRORS = 3;

    float[] l;
    float[] loga;
    float[] logb;
    float[] b;
    float[] f;
    float[] g;
    float[] error;
    float[] errors;
    int[] state;
    int n;
    int m;
    int pass;
    int parity;
    float massB;
    float tolerance;
    int cap;


    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == ROWS) {
            if (t < n) {
                row(t, parity);
            }
        }
        if (pass == COLUMNS) {
            if (t < m) {
                error[t] = column(t, parity);
            }
        }
        if (pass == SOLVE) {
            solve();
        }
    }

    private void row(int i, int parity) {
        int base = i * m;
        int cur = parity * m;
        float mx = LOWEST;
        for (int j = 0; j < m; j++) {
            mx = max(mx, l[base + j] + g[cur + j]);
        }
        float s = 0f;
        for (int j = 0; j < m; j++) {
            s += exp(l[base + j] + g[cur + j] - mx);
        }
        f[i] = loga[i] - (mx + log(s));
    }

    /** Column {@code j}'s next \(g_j\) (at {@code 1 - parity}); returns its error term. */
    private float column(int j, int parity) {
        float mx = LOWEST;
        for (int i = 0; i < n; i++) {
            mx = max(mx, l[i * m + j] + f[i]);
        }
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += exp(l[i * m + j] + f[i] - mx);
        }
        float lse = mx + log(s);
        float e = exp(g[parity * m + j] + lse) - b[j];
        g[(1 - parity) * m + j] = logb[j] - lse;
        return e * e;
    }

    /**
     * The whole loop in one work-group ({@code DeviceLogSinkhorn}'s host loop, with its check every
     * {@link SinkhornKnopp#CHECK_EVERY}-th iteration made on the device; see {@link SinkhornKernel}).
     */
    private void solve() {
        int t = getLocalId();
        int size = getLocalSize();
        for (int j = t; j < m; j += size) {
            column(j, 0);   // the first g, for f = 0; its error terms are not used
        }
        int par = 1;
        int plan = 1;
        int ii = 0;
        int done = 0;
        int stopped = 0;
        int written = 0;
        localGlobalBarrier();
        while (stopped == 0) {
            if (ii == cap) {
                stopped = SinkhornKernel.CAP;
            }
            if (stopped == 0) {
                plan = par;
                for (int i = t; i < n; i += size) {
                    row(i, par);
                }
                localGlobalBarrier();   // every f written before a column reads them
                float own = 0f;
                for (int j = t; j < m; j += size) {
                    own += column(j, par);
                }
                done = ii + 1;
                if (ii % SinkhornKnopp.CHECK_EVERY == 0) {
                    float err = sqrt(reduceSum(t, size, own)) / massB;
                    if (t == 0) {
                        errors[written] = err;
                    }
                    written = written + 1;
                    if (err < tolerance) {
                        stopped = SinkhornKernel.MET;
                    }
                }
                par = 1 - par;
            }
            ii = ii + 1;
            localGlobalBarrier();   // every g written before a row reads them
        }
        if (t == 0) {
            state[PLAN] = plan;
            state[DONE] = done;
            state[STOPPED] = stopped;
            state[ERRORS] = written;
        }
        keepLocalId(t);
    }
}

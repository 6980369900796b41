package io.rematch.ot;

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
 * {@link #SOLVE} runs the whole loop in one launch of one work-group (a power of two, at most
 * {@link OneGroupKernel#GROUP} items; see {@code DevicePartialTransport} for when): each
 * of the \(L\) items takes every \(L\)-th row, then every \(L\)-th column, with the group's barriers
 * where the host waited; the sum of the rows' errors (or changes) is a tree reduction in local
 * memory, and the host loop's test ({@code DeviceMaskedPartialTransport}) is made on the device:
 * the error of each iteration into {@code errors[t]}, a stop when it is below {@code tolerance}
 * (the marginals rule before the column pass, the potential-change rule after it) or at the
 * iteration cap; {@code state} returns the iterations done and why the loop stopped.
 */
final class MaskedPartialKernel extends OneGroupKernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;
    static final int SOLVE = 2;

    /** {@code state[DONE]}: iterations done (column passes) after {@link #SOLVE}. */
    static final int DONE = 0;
    /** {@code state[STOPPED]}: {@link #CAP} the iteration cap, {@link #MET} the rule held. */
    static final int STOPPED = 1;
    static final int CAP = 1;
    static final int MET = 2;
    /** {@code state[ERRORS]}: errors written. */
    static final int ERRORS = 2;

    float[] l;
    float[] p;
    float[] logp;
    float[] logq;
    float[] f;
    float[] fOld;
    float[] g;
    float[] rowError;
    float[] change;
    float[] errors;
    int[] state;
    int n1;
    int m1;
    int pass;
    float reg;
    /** {@link #SOLVE}: 1 for the marginals rule, 0 for the release's change of the potentials. */
    int marginals;
    float massA;
    float tolerance;
    int cap;


    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == ROWS) {
            if (t < n1) {
                row(t);
            }
        }
        if (pass == COLUMNS) {
            if (t < m1) {
                column(t);
            }
        }
        if (pass == SOLVE) {
            solve();
        }
    }

    private void row(int i) {
        int base = i * m1;
        float mx = LogSinkhornKernel.LOWEST;
        for (int j = 0; j < m1; j++) {
            mx = max(mx, l[base + j] + g[j]);
        }
        float s = 0f;
        for (int j = 0; j < m1; j++) {
            s += exp(l[base + j] + g[j] - mx);
        }
        float lse = mx + log(s);
        float old = f[i];
        float fresh = logp[i] - lse;
        float e = exp(old + lse) - p[i];
        float d = reg * (fresh - old);
        rowError[i] = e * e;
        change[i] = d * d;
        if (p[i] == 0f) {
            rowError[i] = 0f;
            change[i] = 0f;
        }
        fOld[i] = old;
        f[i] = fresh;
    }

    private void column(int j) {
        float mx = LogSinkhornKernel.LOWEST;
        for (int i = 0; i < n1; i++) {
            mx = max(mx, l[i * m1 + j] + f[i]);
        }
        float s = 0f;
        for (int i = 0; i < n1; i++) {
            s += exp(l[i * m1 + j] + f[i] - mx);
        }
        g[j] = logq[j] - (mx + log(s));
    }

    /** The whole loop in one work-group (see the class comment). */
    private void solve() {
        int t = getLocalId();
        int size = getLocalSize();
        int it = 0;
        int done = 0;
        int stopped = 0;
        int written = 0;
        while (stopped == 0) {
            if (it == cap) {
                stopped = CAP;
            }
            float total = 0f;
            if (stopped == 0) {
                float own = 0f;
                for (int i = t; i < n1; i += size) {
                    row(i);
                    float term = change[i];
                    if (marginals == 1) {
                        term = rowError[i];
                    }
                    own += term;
                }
                total = reduceSum(t, size, own);
            }
            if (stopped == 0 && marginals == 1) {
                stopped = check(t, it, sqrt(total) / massA);
                written = it + 1;
            }
            if (stopped == 0) {
                localGlobalBarrier();   // every new f written before a column reads them
                for (int j = t; j < m1; j += size) {
                    column(j);
                }
                done = it + 1;
            }
            if (stopped == 0 && marginals == 0) {
                stopped = check(t, it, sqrt(total));
                written = it + 1;
            }
            it = it + 1;
            localGlobalBarrier();   // every new g written before a row reads them
        }
        if (t == 0) {
            state[DONE] = done;
            state[STOPPED] = stopped;
            state[ERRORS] = written;
        }
        keepLocalId(t);
    }

    /** Records iteration {@code it}'s error; {@link #MET} when it is below the tolerance, else 0. */
    private int check(int t, int it, float err) {
        if (t == 0) {
            errors[it] = err;
        }
        int met = 0;
        if (err < tolerance) {
            met = MET;
        }
        return met;
    }
}

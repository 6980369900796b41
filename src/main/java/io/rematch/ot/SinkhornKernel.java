package io.rematch.ot;

/**
 * One iteration of balanced Sinkhorn ({@link SinkhornKnopp}: \(\pi = \mathrm{diag}(u) K
 * \mathrm{diag}(v)\)) on an OpenCL device, float32, in two passes over the row-major
 * \(n \times m\) kernel {@code k}:
 * <ol>
 *   <li>{@link #ROWS} (\(n\) items): \(u_i = a_i / (K v)_i\) with this iteration's \(v\);</li>
 *   <li>{@link #COLUMNS} (\(m\) items): \((K^\top u)_j\) with the new \(u\), the marginal error
 *       term \((v_j (K^\top u)_j - b_j)^2\) of the plan just formed, and the next iteration's
 *       \(v_j = b_j / (K^\top u)_j\).</li>
 * </ol>
 * \(v\) lives twice in {@code v} ({@code 2m}): this iteration's at {@code parity}, the next at
 * {@code 1 - parity}; the host flips {@code parity} to commit. A zero \((K^\top u)_j\) makes the
 * next \(v_j\) infinite, which the host sees at its next check.
 *
 * <p>{@link #SOLVE} runs the whole loop in one launch of one work-group (a power of two, at most
 * {@link OneGroupKernel#GROUP} items; see {@code DevicePartialTransport} for when), the
 * first column pass included: each of the \(L\) items takes every \(L\)-th row, then every
 * \(L\)-th column, with the group's barriers where the host waited. At the iterations the host
 * checks ({@code DeviceSinkhorn}), the group tests that \(u\) and both copies of \(v\) are finite
 * (else it stops, {@link #RANGE}) and, every {@link SinkhornKnopp#CHECK_EVERY}-th, sums the error
 * terms by a tree reduction in local memory into {@code errors} and stops below
 * {@code tolerance}; {@code state} returns the parity, the iterations done, the errors written
 * and why the loop stopped.
 */
final class SinkhornKernel extends OneGroupKernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;
    static final int SOLVE = 2;

    /** {@code state[PARITY]}: the parity after {@link #SOLVE}, as the host loop leaves it. */
    static final int PARITY = 0;
    /** {@code state[DONE]}: iterations done. */
    static final int DONE = 1;
    /** {@code state[STOPPED]}: {@link #CAP}, {@link #MET} or {@link #RANGE} (a scaling not finite). */
    static final int STOPPED = 2;
    /** {@code state[ERRORS]}: errors written. */
    static final int ERRORS = 3;
    static final int CAP = 1;
    static final int MET = 2;
    static final int RANGE = 3;

    float[] k;
    float[] a;
    float[] b;
    float[] u;
    float[] v;
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
        float d = 0f;
        for (int j = 0; j < m; j++) {
            d += k[base + j] * v[cur + j];
        }
        u[i] = a[i] / d;
    }

    /** Column {@code j}'s next \(v_j\) (at {@code 1 - parity}); returns its error term. */
    private float column(int j, int parity) {
        float c = 0f;
        for (int i = 0; i < n; i++) {
            c += k[i * m + j] * u[i];
        }
        float e = v[parity * m + j] * c - b[j];
        v[(1 - parity) * m + j] = b[j] / c;
        return e * e;
    }

    /** The whole loop in one work-group (see the class comment). */
    private void solve() {
        int t = getLocalId();
        int size = getLocalSize();
        for (int j = t; j < m; j += size) {
            column(j, 0);   // v of the first iteration, for u = 1/n; its error terms are not used
        }
        int par = 1;
        int ii = 0;
        int done = 0;
        int stopped = 0;
        int written = 0;
        localGlobalBarrier();
        while (stopped == 0) {
            if (ii == cap) {
                stopped = CAP;
            }
            if (stopped == 0) {
                for (int i = t; i < n; i += size) {
                    row(i, par);
                }
                localGlobalBarrier();   // every u written before a column reads them
                float own = 0f;
                for (int j = t; j < m; j += size) {
                    own += column(j, par);
                }
                done = ii + 1;
                int tenth = ii % SinkhornKnopp.CHECK_EVERY;
                if (tenth == 0 || ii == cap - 1) {
                    localGlobalBarrier();   // every v written before the test reads them
                    if (reduceSum(t, size, badEntries(t, size)) > 0f) {
                        stopped = RANGE;
                    }
                }
                if (stopped == 0 && tenth == 0) {
                    float err = sqrt(reduceSum(t, size, own)) / massB;
                    if (t == 0) {
                        errors[written] = err;
                    }
                    written = written + 1;
                    if (err < tolerance) {
                        stopped = MET;
                    }
                }
                if (stopped != RANGE) {
                    par = 1 - par;
                }
            }
            ii = ii + 1;
            localGlobalBarrier();   // every v written before a row reads them
        }
        if (t == 0) {
            state[PARITY] = par;
            state[DONE] = done;
            state[STOPPED] = stopped;
            state[ERRORS] = written;
        }
        keepLocalId(t);
    }

    /** How many of item {@code t}'s entries of \(u\) and of both copies of \(v\) are not finite. */
    private float badEntries(int t, int size) {
        float bad = 0f;
        for (int i = t; i < n; i += size) {
            bad = bad + notFinite(u[i]);
        }
        for (int j = t; j < 2 * m; j += size) {
            bad = bad + notFinite(v[j]);
        }
        return bad;
    }

    /** 1 for NaN or an infinity, else 0. */
    private float notFinite(float x) {
        float bad = 0f;
        if (x != x) {
            bad = 1f;
        }
        if (abs(x) > 3.4028235e38f) {
            bad = 1f;
        }
        return bad;
    }
}

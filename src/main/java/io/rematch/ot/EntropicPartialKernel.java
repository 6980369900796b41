package io.rematch.ot;

/**
 * One iteration of entropic partial OT in the scaling form of {@link EntropicPartialTransport}
 * (\(\pi = \gamma\,\mathrm{diag}(\alpha) K_0 \mathrm{diag}(\beta)\)) on an OpenCL device,
 * float32, in two passes over the row-major \(n \times m\) kernel {@code k0}:
 * <ol>
 *   <li>{@link #ROWS} (\(n\) items): \(d_i = (K_0\beta)_i\), the new
 *       \(\alpha_i = \min(a_i / (\gamma d_i), 1)\), and the committed plan's row violation
 *       (\(|\alpha_i\gamma d_i - a_i|\) where \(\alpha_i < 1\), else \(\alpha_i\gamma d_i - a_i\));</li>
 *   <li>{@link #COLUMNS} (\(m\) items): \(c_j = (K_0^\top\alpha)_j\) with the new \(\alpha\), the new
 *       \(\beta_j = \min(b_j / (\gamma c_j), 1)\) and \(\beta_j c_j\), whose sum gives the host the
 *       new \(\gamma = \mathfrak m / \alpha^\top K_0 \beta\).</li>
 * </ol>
 * \(\alpha\) and \(\beta\) live twice in {@code alpha} ({@code 2n}) and {@code beta} ({@code 2m}):
 * the committed copy at {@code parity}, the one being formed at {@code 1 - parity}, so an
 * iteration is committed by flipping {@code parity}, with no copy and no buffer swap.
 *
 * <p>{@link #SOLVE} runs the whole loop in one launch of one work-group (a power of two, at most
 * {@link OneGroupKernel#GROUP} items), for problems small enough that one group's share of the device beats a
 * launch and a read per pass (a training batch's plan): each of the \(L\) items takes every
 * \(L\)-th row, then every \(L\)-th column, the group's barriers stand where the host waited, and the reductions
 * the host made (the worst row violation, \(\sum_j \beta_j c_j\) and the column residual) are
 * tree reductions in local memory. The stopping rule is the host loop's
 * ({@code DevicePartialTransport}): the error of the committed plan from the second iteration,
 * into {@code errors[t - 1]}, a stop before the plan moves when it is within {@code tolerance} or
 * at the iteration cap; {@code state} returns the parity, the iterations done and why it stopped,
 * {@code stats} the last \(\gamma\) and the sum that gave it.
 */
final class EntropicPartialKernel extends OneGroupKernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;
    static final int SOLVE = 2;


    /** {@code state[PARITY]}: the committed copies of alpha and beta after {@link #SOLVE}. */
    static final int PARITY = 0;
    /** {@code state[DONE]}: iterations committed. */
    static final int DONE = 1;
    /** {@code state[STOPPED]}: {@link #CAP} the iteration cap, {@link #MET} the rule held, {@link #RANGE} gamma left float32. */
    static final int STOPPED = 2;
    static final int CAP = 1;
    static final int MET = 2;
    static final int RANGE = 3;

    /** {@code stats[GAMMA]}: the last mass scaling; {@code stats[SUM]}: the sum that gave it. */
    static final int GAMMA = 0;
    static final int SUM = 1;

    float[] k0;
    float[] a;
    float[] b;
    float[] alpha;
    float[] beta;
    float[] rowViolation;
    float[] kept;
    float[] errors;
    float[] stats;
    int[] state;
    int n;
    int m;
    int pass;
    int parity;
    float gamma;
    float mass;
    float tolerance;
    int cap;


    @Override
    public void run() {
        int k = getGlobalId();
        if (pass == ROWS) {
            if (k < n) {
                rowViolation[k] = row(k, parity, gamma);
            }
        }
        if (pass == COLUMNS) {
            if (k < m) {
                kept[k] = column(k, parity, gamma);
            }
        }
        if (pass == SOLVE) {
            solve();
        }
    }

    /** Row {@code i}'s new \(\alpha_i\) (at {@code 1 - parity}); returns the committed plan's row violation. */
    private float row(int i, int parity, float gamma) {
        int base = i * m;
        int cur = parity * m;
        float d = 0f;
        for (int j = 0; j < m; j++) {
            d += k0[base + j] * beta[cur + j];
        }
        float dg = gamma * d;
        float next = 1f;
        if (dg > a[i]) {
            next = a[i] / dg;
        }
        alpha[(1 - parity) * n + i] = next;
        float committed = alpha[parity * n + i];
        float r = committed * dg - a[i];
        if (committed < 1f) {
            r = abs(r);
        }
        return r;
    }

    /** Column {@code j}'s new \(\beta_j\) (at {@code 1 - parity}) from the new \(\alpha\); returns \(\beta_j c_j\). */
    private float column(int j, int parity, float gamma) {
        int next = (1 - parity) * n;
        float c = 0f;
        for (int i = 0; i < n; i++) {
            c += k0[i * m + j] * alpha[next + i];
        }
        float dg = gamma * c;
        float bj = 1f;
        if (dg > b[j]) {
            bj = b[j] / dg;
        }
        beta[(1 - parity) * m + j] = bj;
        return bj * c;
    }

    /** The whole loop in one work-group (see the class comment). */
    private void solve() {
        int t = getLocalId();
        int size = getLocalSize();
        int par = 0;
        float g = gamma;
        float residual = 0f;
        int done = 0;
        int stopped = 0;
        int cpt = 0;
        while (stopped == 0) {
            if (cpt == cap && done == 0) {
                stopped = CAP;
            }
            if (stopped == 0) {
                float worst = 0f;
                for (int i = t; i < n; i += size) {
                    worst = max(worst, row(i, par, g));
                }
                float rowWorst = reduceMax(t, size, worst);
                if (done > 0) {
                    float err = max(rowWorst, residual) / mass;
                    if (t == 0) {
                        errors[cpt - 1] = err;
                    }
                    if (tolerance > 0f && !(err > tolerance)) {
                        stopped = MET;
                    }
                }
                if (stopped == 0 && cpt == cap) {
                    stopped = CAP;
                }
            }
            if (stopped == 0) {
                localGlobalBarrier();   // every new alpha written before a column reads them
                float sum = 0f;
                for (int j = t; j < m; j += size) {
                    float c = column(j, par, g);
                    kept[j] = c;
                    sum += c;
                }
                float total = reduceSum(t, size, sum);
                float fresh = mass / total;
                if (t == 0) {
                    stats[SUM] = total;
                }
                if (!(total > 0f && fresh == fresh && fresh <= 3.4028234e38f && fresh > 0f)) {
                    stopped = RANGE;
                } else {
                    float worst = 0f;
                    for (int j = t; j < m; j += size) {
                        float r = fresh * kept[j] - b[j];
                        if (beta[(1 - par) * m + j] < 1f) {
                            r = abs(r);
                        }
                        worst = max(worst, r);
                    }
                    residual = reduceMax(t, size, worst);
                    par = 1 - par;
                    g = fresh;
                    done = cpt + 1;
                    cpt = cpt + 1;
                    localGlobalBarrier();   // every new beta written before a row reads them
                }
            }
        }
        if (t == 0) {
            state[PARITY] = par;
            state[DONE] = done;
            state[STOPPED] = stopped;
            stats[GAMMA] = g;
        }
        keepLocalId(t);
    }
}

package io.rematch.ot;

/**
 * The log-sum-exp reductions of a log-domain Sinkhorn-type iteration, evaluated as matrix-vector
 * products on a cached, stabilised kernel ("absorption": Schmitzer, "Stabilized sparse scaling
 * algorithms for entropy regularized transport problems", SIAM J. Sci. Comput. 41(3), 2019,
 * Sec. 3.1; POT's {@code sinkhorn_stabilized}). The log-domain solvers keep their potentials
 * exactly as the log-domain algorithm does; this class only makes each reduction cost a
 * multiply-add per entry instead of an exponential.
 *
 * <p>For a log-kernel \(L\) (\(L_{ij} = -C_{ij}/\varepsilon\), \(-\infty\) where forbidden) it
 * keeps reference potentials \(F, G\) and \(\tilde K_{ij} = e^{L_{ij} + F_i + G_j}\). Then, for
 * any potentials \(f, g\),
 * \[ \operatorname{lse}_j(L_{ij} + g_j) = \log \sum_j \tilde K_{ij} e^{g_j - G_j} - F_i,\qquad
 *    \operatorname{lse}_i(L_{ij} + f_i) = \log \sum_i \tilde K_{ij} e^{f_i - F_i} - G_j, \]
 * exactly (up to rounding). The scalings \(e^{g - G}\), \(e^{f - F}\) cost \(O(n + m)\)
 * exponentials. They stay within \(e^{\pm\tau}\), \(\tau\) = {@link #ABSORB_THRESHOLD}: a row
 * whose potential drifts further is absorbed on the spot (\(F_i \leftarrow f_i\), row \(i\) of
 * \(\tilde K\) recomputed while it is in cache), a drifting column triggers a full recomputation.
 * A sum outside \([10^{-200}, 10^{300}]\) (entries that underflowed, e.g. at the first
 * iterations when \(e^{L}\) itself underflows) is not trusted: that row or column is reduced
 * exactly, as {@link LogSumExp}. So the result is the log-domain result, finite wherever it is,
 * at the cost of a scaling iteration once the potentials settle.
 *
 * <p>One fused pass ({@link #rowsThenColumns}) reads each row of \(\tilde K\) once: its row
 * reduction, the caller's update of that row's potential, and the row's contribution to the
 * column reductions with the new potential.
 */
final class AbsorbedLogKernel {

    /** \(\tau\): scalings are kept within \(e^{\pm 30}\) (about \(10^{\pm 13}\)). */
    static final double ABSORB_THRESHOLD = 30;
    /** Smallest scaled sum trusted: terms lost to underflow are then below \(10^{-80}\) of it. */
    static final double LOW = 1e-200;
    /** Largest scaled sum trusted (no overflow in the accumulation). */
    static final double HIGH = 1e300;

    /** The caller's update of row i's potential from its row reduction. */
    interface RowUpdate {
        /** @return the new row potential \(f_i\) given \(\operatorname{lse}_j(L_{ij} + g_j)\) */
        double apply(int i, double rowLse);
    }

    final int n;
    final int m;
    private final double[] l;      // log-kernel, row-major n x m
    private final double[] kt;     // e^{L + F + G}
    private final double[] f0;     // F
    private final double[] g0;     // G
    private final double[] sc;     // column scalings e^{g - G}
    private final double[] acc;    // column accumulators
    private final FusedPass pass;
    /** Exact (exponential) row and column reductions done so far: how often the cache was not trusted. */
    final java.util.concurrent.atomic.LongAdder exactReductions = new java.util.concurrent.atomic.LongAdder();
    /** Full recomputations of the cached kernel. */
    long absorptions;

    AbsorbedLogKernel(double[] logKernel, int n, int m) {
        this.n = n;
        this.m = m;
        this.l = logKernel;
        this.kt = new double[n * m];
        this.f0 = new double[n];
        this.g0 = new double[m];
        this.sc = new double[m];
        this.acc = new double[m];
        this.pass = new FusedPass(kt, n, m);
        recompute();
    }

    private void recompute() {
        absorptions++;
        for (int i = 0; i < n; i++) {
            recomputeRow(i);
        }
    }

    private void recomputeRow(int i) {
        int row = i * m;
        double fi = f0[i];
        for (int j = 0; j < m; j++) {
            kt[row + j] = Math.exp(l[row + j] + fi + g0[j]);
        }
    }

    /** Reference potential to absorb: a finite value (a -inf potential keeps its old reference). */
    private static double reference(double potential, double old) {
        return potential == Double.NEGATIVE_INFINITY ? old : potential;
    }

    /** \(e^{p - P}\), or 0 for \(p = -\infty\); NaN when out of the trusted range (the caller absorbs). */
    private static double scaling(double p, double ref) {
        if (p == Double.NEGATIVE_INFINITY) {
            return 0;
        }
        double d = p - ref;
        return Math.abs(d) <= ABSORB_THRESHOLD ? Math.exp(d) : Double.NaN;
    }

    /**
     * Column reductions only: {@code out[j] = lse_i(L_ij + f_i)}.
     */
    void columns(double[] f, double[] out) {
        java.util.Arrays.fill(acc, 0);
        for (int i = 0; i < n; i++) {
            double r = rowScaling(i, f[i]);
            int row = i * m;
            for (int j = 0; j < m; j++) {
                acc[j] += kt[row + j] * r;
            }
        }
        finishColumns(f, out);
    }

    /**
     * One pass: for each row \(i\), \(\ell_i = \operatorname{lse}_j(L_{ij} + g_j)\), then
     * {@code f[i] = update.apply(i, l_i)}, then \(\operatorname{lse}_i(L_{ij} + f_i)\) into
     * {@code colOut} with the new {@code f}. {@code rowOut} (may be null) receives the \(\ell_i\).
     * On all cores for a large kernel ({@link FusedPass#rowsThenColumns}): {@code update} may be
     * called concurrently for different rows and must touch only row \(i\)'s state.
     */
    void rowsThenColumns(double[] g, RowUpdate update, double[] f, double[] colOut, double[] rowOut) {
        rowsThenColumns(g, update, f, colOut, rowOut, null, null, true);
    }

    /**
     * As {@link #rowsThenColumns(double[], RowUpdate, double[], double[], double[])}, and also
     * the maxima that a max-shifted log-sum-exp uses: {@code rowMax[i] = max_j (L_ij + g_j)}
     * (given to {@code update} through this array before it is called for row i) and
     * {@code colMax[j] = max_i (L_ij + f_i)} with the new {@code f}; {@code -inf} where every
     * entry is forbidden. Reads \(L\) as well as the cache (for L2RM's faithful mode). Calls
     * {@code update} for rows 0, 1, ... in turn, on the calling thread: it may accumulate.
     */
    void rowsThenColumns(double[] g, RowUpdate update, double[] f, double[] colOut, double[] rowOut,
                         double[] rowMax, double[] colMax) {
        rowsThenColumns(g, update, f, colOut, rowOut, rowMax, colMax, false);
    }

    private void rowsThenColumns(double[] g, RowUpdate update, double[] f, double[] colOut, double[] rowOut,
                                 double[] rowMax, double[] colMax, boolean concurrent) {
        boolean absorb = false;
        for (int j = 0; j < m; j++) {
            double s = scaling(g[j], g0[j]);
            if (Double.isNaN(s)) {
                absorb = true;
                break;
            }
            sc[j] = s;
        }
        if (absorb) {
            for (int i = 0; i < n; i++) {
                f0[i] = reference(f[i], f0[i]);
            }
            for (int j = 0; j < m; j++) {
                g0[j] = reference(g[j], g0[j]);
                sc[j] = g[j] == Double.NEGATIVE_INFINITY ? 0 : 1;
            }
            recompute();
        }
        if (colMax != null) {
            java.util.Arrays.fill(colMax, Double.NEGATIVE_INFINITY);
        }
        FusedPass.RowCoefficient phi = (i, sum) -> {
            int row = i * m;
            if (rowMax != null) {
                rowMax[i] = maxOfSum(l, row, g, m);
            }
            double lse;
            if (sum >= LOW && sum <= HIGH) {
                lse = Math.log(sum) - f0[i];
            } else {
                exactReductions.increment();
                lse = LogSumExp.of(l, row, g, m);
            }
            if (rowOut != null) {
                rowOut[i] = lse;
            }
            double fi = update.apply(i, lse);
            f[i] = fi;
            if (colMax != null) {
                for (int j = 0; j < m; j++) {
                    colMax[j] = Math.max(colMax[j], l[row + j] + fi);   // no NaN here: -inf at worst
                }
            }
            return rowScaling(i, fi);
        };
        if (concurrent) {
            pass.rowsThenColumns(sc, phi, acc);
        } else {
            pass.rowsThenColumnsInOrder(sc, phi, acc);
        }
        finishColumns(f, colOut);
    }

    /** \(\max_j (x_{\mathit{off}+j} + y_j)\), four independent maxima (no NaN in the inputs). */
    static double maxOfSum(double[] x, int off, double[] y, int len) {
        double m0 = Double.NEGATIVE_INFINITY, m1 = m0, m2 = m0, m3 = m0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            m0 = Math.max(m0, x[off + j] + y[j]);
            m1 = Math.max(m1, x[off + j + 1] + y[j + 1]);
            m2 = Math.max(m2, x[off + j + 2] + y[j + 2]);
            m3 = Math.max(m3, x[off + j + 3] + y[j + 3]);
        }
        for (; j < len; j++) {
            m0 = Math.max(m0, x[off + j] + y[j]);
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /** \(e^{f_i - F_i}\) for the column accumulation, absorbing row i first if it drifted. */
    private double rowScaling(int i, double fi) {
        double r = scaling(fi, f0[i]);
        if (Double.isNaN(r)) {
            f0[i] = fi;
            recomputeRow(i);
            r = 1;
        }
        return r;
    }

    private void finishColumns(double[] f, double[] out) {
        for (int j = 0; j < m; j++) {
            double a = acc[j];
            if (a >= LOW && a <= HIGH) {
                out[j] = Math.log(a) - g0[j];
            } else {
                exactReductions.increment();
                out[j] = exactColumn(j, f);
            }
        }
    }

    /** \(\operatorname{lse}_i(L_{ij} + f_i)\) by exponentials (strided). */
    double exactColumn(int j, double[] f) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double z = l[i * m + j] + f[i];
            mx = z > mx ? z : mx;
        }
        if (mx == Double.NEGATIVE_INFINITY || mx == Double.POSITIVE_INFINITY) {
            return mx;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(l[i * m + j] + f[i] - mx);
        }
        return Math.log(s) + mx;
    }

    /**
     * \(\|e^{L + x' \oplus y'} - e^{L + x \oplus y}\|_F\) (the row potentials include any global
     * constant), from the cached kernel when every scaling is in range, else by exponentials.
     */
    double change(double[] xPrev, double[] yPrev, double[] x, double[] y) {
        double[] rp = new double[n];
        double[] rn = new double[n];
        double[] cp = new double[m];
        double[] cn = new double[m];
        boolean cached = true;
        for (int i = 0; i < n && cached; i++) {
            rp[i] = scaling(xPrev[i], f0[i]);
            rn[i] = scaling(x[i], f0[i]);
            cached = !Double.isNaN(rp[i]) && !Double.isNaN(rn[i]);
        }
        for (int j = 0; j < m && cached; j++) {
            cp[j] = scaling(yPrev[j], g0[j]);
            cn[j] = scaling(y[j], g0[j]);
            cached = !Double.isNaN(cp[j]) && !Double.isNaN(cn[j]);
        }
        double e2 = 0;
        for (int i = 0; i < n; i++) {
            int row = i * m;
            if (cached) {
                e2 += EntropicPartialTransport.rowChange(kt, row, m, rp[i], cp, rn[i], cn);
            } else {
                for (int j = 0; j < m; j++) {
                    double lij = l[row + j];
                    if (lij == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double t = Math.exp(lij + xPrev[i] + yPrev[j]) - Math.exp(lij + x[i] + y[j]);
                    e2 += t * t;
                }
            }
        }
        return Math.sqrt(e2);
    }

    /** The plan \(e^{L_{ij} + f_i + g_j}\), written over the log-kernel array (which is then lost). */
    double[] planInPlace(double[] f, double[] g) {
        for (int i = 0; i < n; i++) {
            int row = i * m;
            double fi = f[i];
            for (int j = 0; j < m; j++) {
                l[row + j] = Math.exp(l[row + j] + fi + g[j]);
            }
        }
        return l;
    }
}

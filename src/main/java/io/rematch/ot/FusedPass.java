package io.rematch.ot;

/**
 * The one pass over a row-major {@code n x m} matrix \(K\) that every scaling-type iteration
 * here is made of: for each row \(i\), the dot product \(d_i = (K w)_i\), a per-row coefficient
 * \(c_i = \phi_i(d_i)\) chosen by the caller (\(u_i = a_i / d_i\) in Sinkhorn,
 * \(\alpha_i = \min(a_i/(\gamma d_i), 1)\) in partial OT, ...), and the column accumulation
 * \(\mathit{acc} = K^\top c\) with the new coefficients. Both matrix-vector products of an
 * iteration thus read \(K\) from memory once.
 *
 * <p>Rows are processed four at a time: the four dot products share the loads of \(w\), and
 * the four rows' contributions are added to \(\mathit{acc}\) in one sweep (one load and store
 * of \(\mathit{acc}\) per four rows), which the JIT vectorises. The caller's coefficient for a row
 * may read (or rewrite) that row of \(K\) before it is accumulated.
 */
final class FusedPass {

    /** The caller's per-row step. */
    interface RowCoefficient {
        /** @return the weight of row {@code i} in the column accumulation, given \((Kw)_i\) */
        double apply(int i, double dot);
    }

    private FusedPass() {
    }

    /** \(\mathit{acc} \leftarrow K^\top c\), \(c_i = \phi_i((Kw)_i)\), in one pass over {@code k}. */
    static void rowsThenColumns(double[] k, int n, int m, double[] w, RowCoefficient phi, double[] acc) {
        java.util.Arrays.fill(acc, 0, m, 0);
        int i = 0;
        for (; i + 3 < n; i += 4) {
            int r0 = i * m;
            int r1 = r0 + m;
            int r2 = r1 + m;
            int r3 = r2 + m;
            double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            double e0 = 0, e1 = 0, e2 = 0, e3 = 0;
            int j = 0;
            for (; j + 1 < m; j += 2) {
                double w0 = w[j];
                double w1 = w[j + 1];
                d0 += k[r0 + j] * w0;
                d1 += k[r1 + j] * w0;
                d2 += k[r2 + j] * w0;
                d3 += k[r3 + j] * w0;
                e0 += k[r0 + j + 1] * w1;
                e1 += k[r1 + j + 1] * w1;
                e2 += k[r2 + j + 1] * w1;
                e3 += k[r3 + j + 1] * w1;
            }
            if (j < m) {
                double w0 = w[j];
                d0 += k[r0 + j] * w0;
                d1 += k[r1 + j] * w0;
                d2 += k[r2 + j] * w0;
                d3 += k[r3 + j] * w0;
            }
            double c0 = phi.apply(i, d0 + e0);
            double c1 = phi.apply(i + 1, d1 + e1);
            double c2 = phi.apply(i + 2, d2 + e2);
            double c3 = phi.apply(i + 3, d3 + e3);
            for (j = 0; j < m; j++) {
                acc[j] += k[r0 + j] * c0 + k[r1 + j] * c1 + k[r2 + j] * c2 + k[r3 + j] * c3;
            }
        }
        for (; i < n; i++) {
            int r = i * m;
            double d0 = 0, d1 = 0;
            int j = 0;
            for (; j + 1 < m; j += 2) {
                d0 += k[r + j] * w[j];
                d1 += k[r + j + 1] * w[j + 1];
            }
            if (j < m) {
                d0 += k[r + j] * w[j];
            }
            double c = phi.apply(i, d0 + d1);
            for (j = 0; j < m; j++) {
                acc[j] += k[r + j] * c;
            }
        }
    }
}

package io.rematch.ot;

import com.aparapi.Kernel;

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
 */
final class SinkhornKernel extends Kernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;

    float[] k;
    float[] a;
    float[] b;
    float[] u;
    float[] v;
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
                float d = 0f;
                for (int j = 0; j < m; j++) {
                    d += k[base + j] * v[cur + j];
                }
                u[t] = a[t] / d;
            }
        }
        if (pass == COLUMNS) {
            if (t < m) {
                float c = 0f;
                for (int i = 0; i < n; i++) {
                    c += k[i * m + t] * u[i];
                }
                float e = v[parity * m + t] * c - b[t];
                error[t] = e * e;
                v[(1 - parity) * m + t] = b[t] / c;
            }
        }
    }
}

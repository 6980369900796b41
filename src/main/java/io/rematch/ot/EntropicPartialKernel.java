package io.rematch.ot;

import com.aparapi.Kernel;

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
 */
final class EntropicPartialKernel extends Kernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;

    float[] k0;
    float[] a;
    float[] b;
    float[] alpha;
    float[] beta;
    float[] rowViolation;
    float[] kept;
    int n;
    int m;
    int pass;
    int parity;
    float gamma;

    @Override
    public void run() {
        int k = getGlobalId();
        if (pass == ROWS) {
            if (k < n) {
                row(k);
            }
        }
        if (pass == COLUMNS) {
            if (k < m) {
                column(k);
            }
        }
    }

    private void row(int i) {
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
        rowViolation[i] = r;
    }

    private void column(int j) {
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
        kept[j] = bj * c;
    }
}

package io.rematch.ot;

import com.aparapi.Kernel;

/**
 * One iteration of entropic partial OT in the log domain ({@link LogEntropicPartialTransport}:
 * \(\log \pi_{ij} = L_{ij} + x_i + y_j + c\), \(L = -(C - \min C)/\varepsilon\)) on an OpenCL
 * device, float32, in two passes over the row-major \(n \times m\) log-kernel {@code l}:
 * <ol>
 *   <li>{@link #ROWS} (\(n\) items): \(\lambda_i = \operatorname{lse}_j(L_{ij} + y_j)\) with the
 *       committed \(y\); the committed plan's row violation from \(e^{x_i + c + \lambda_i}\)
 *       (\(|r_i - a_i|\) where \(x_i &lt; 0\), else \(r_i - a_i\)); the new
 *       \(x_i = \min(\log a_i - c - \lambda_i, 0)\);</li>
 *   <li>{@link #COLUMNS} (\(m\) items): \(\ell_j = \operatorname{lse}_i(L_{ij} + x_i)\) with the new
 *       \(x\), the new \(y_j = \min(\log b_j - c - \ell_j, 0)\) and \(\ell_j + y_j\), from which the
 *       host forms the next \(c = \log\mathfrak m - \operatorname{lse}_j(\ell_j + y_j)\) and the column
 *       test.</li>
 * </ol>
 * Each log-sum-exp is shifted by its largest term, as in {@link LogSinkhornKernel}; a forbidden
 * entry and the log of a zero marginal are the finite stand-in {@link LogSinkhornKernel#LOG_ZERO}.
 * \(x\) and \(y\) live twice ({@code 2n}, {@code 2m}): the committed copy at {@code parity}, the one
 * being formed at {@code 1 - parity}.
 */
final class LogEntropicPartialKernel extends Kernel {

    static final int ROWS = 0;
    static final int COLUMNS = 1;

    float[] l;
    float[] loga;
    float[] logb;
    float[] a;
    float[] x;
    float[] y;
    float[] rowViolation;
    float[] ellPlusY;
    int n;
    int m;
    int pass;
    int parity;
    float c;

    @Override
    public void run() {
        int t = getGlobalId();
        if (pass == ROWS) {
            if (t < n) {
                row(t);
            }
        }
        if (pass == COLUMNS) {
            if (t < m) {
                column(t);
            }
        }
    }

    private void row(int i) {
        int base = i * m;
        int cur = parity * m;
        float mx = LogSinkhornKernel.LOWEST;
        for (int j = 0; j < m; j++) {
            mx = max(mx, l[base + j] + y[cur + j]);
        }
        float s = 0f;
        for (int j = 0; j < m; j++) {
            s += exp(l[base + j] + y[cur + j] - mx);
        }
        float lse = mx + log(s);
        float committed = x[parity * n + i];
        float r = exp(committed + c + lse) - a[i];
        if (committed < 0f) {
            r = abs(r);
        }
        rowViolation[i] = r;
        x[(1 - parity) * n + i] = min(loga[i] - c - lse, 0f);
    }

    private void column(int j) {
        int next = (1 - parity) * n;
        float mx = LogSinkhornKernel.LOWEST;
        for (int i = 0; i < n; i++) {
            mx = max(mx, l[i * m + j] + x[next + i]);
        }
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += exp(l[i * m + j] + x[next + i] - mx);
        }
        float ell = mx + log(s);
        float yj = min(logb[j] - c - ell, 0f);
        y[(1 - parity) * m + j] = yj;
        ellPlusY[j] = ell + yj;
    }
}

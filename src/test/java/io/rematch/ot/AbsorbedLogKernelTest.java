package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cached reductions equal the exact log-sum-exp ones, including where \(e^{L}\) underflows
 * (the cache is then bypassed), and once the potentials settle no exponential reduction is
 * needed any more.
 */
class AbsorbedLogKernelTest {

    static double[] logKernel(int n, int m, double reg, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] l = new double[n * m];
        for (int k = 0; k < n * m; k++) {
            l[k] = -(r.nextDouble() + (k / m == 2 ? 50 : 0)) / reg;   // row 2 costs 50 more: e^{-50/reg} = 0
        }
        return l;
    }

    @Test
    void reductionsEqualTheExactOnesAlongASinkhornRun() {
        int n = 7;
        int m = 5;
        double reg = 0.05;
        double[] l = logKernel(n, m, reg, 3);
        double[] exactL = l.clone();
        AbsorbedLogKernel k = new AbsorbedLogKernel(l, n, m);
        double[] f = new double[n];
        double[] g = new double[m];
        double[] col = new double[m];
        double[] row = new double[n];
        k.columns(f, col);
        double loga = Math.log(1.0 / n);
        double logb = Math.log(1.0 / m);
        long exactAfterWarmup = -1;
        for (int it = 0; it < 60; it++) {
            for (int j = 0; j < m; j++) {
                assertEquals(exactColumn(exactL, n, m, j, f), col[j], 1e-12 * Math.max(1, Math.abs(col[j])), "column " + j + " at " + it);
                g[j] = logb - col[j];
            }
            k.rowsThenColumns(g, (i, lse) -> loga - lse, f, col, row);
            for (int i = 0; i < n; i++) {
                double want = LogSumExp.of(exactL, i * m, g, m);
                assertEquals(want, row[i], 1e-12 * Math.max(1, Math.abs(want)), "row " + i + " at " + it);
                assertEquals(loga - want, f[i], 1e-12 * Math.max(1, Math.abs(want)));
            }
            // the same pass's column reductions already use the updated row potentials
            for (int j = 0; j < m; j++) {
                assertEquals(exactColumn(exactL, n, m, j, f), col[j], 1e-12 * Math.max(1, Math.abs(col[j])), "fused column " + j);
            }
            if (it == 20) {
                exactAfterWarmup = k.exactReductions.sum();
            }
        }
        assertTrue(exactAfterWarmup > 0, "the first reductions at row 2 (e^{-1000}) had to be exact");
        assertEquals(exactAfterWarmup, k.exactReductions.sum(), "settled potentials: every reduction from the cache");
    }

    private static double exactColumn(double[] l, int n, int m, int j, double[] f) {
        double[] colL = new double[n];
        for (int i = 0; i < n; i++) {
            colL[i] = l[i * m + j];
        }
        return LogSumExp.of(colL, 0, f, n);
    }

    @Test
    void theChangeFromTheCacheEqualsTheDirectOne() {
        int n = 4;
        int m = 6;
        double[] l = logKernel(n, m, 1.0, 9);
        AbsorbedLogKernel k = new AbsorbedLogKernel(l.clone(), n, m);
        SplittableRandom r = new SplittableRandom(5);
        double[] xp = new double[n], x = new double[n], yp = new double[m], y = new double[m];
        for (int i = 0; i < n; i++) {
            xp[i] = r.nextDouble();
            x[i] = xp[i] + 1e-3 * r.nextDouble();
        }
        for (int j = 0; j < m; j++) {
            yp[j] = -r.nextDouble();
            y[j] = yp[j] - 1e-3 * r.nextDouble();
        }
        double direct = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double d = Math.exp(l[i * m + j] + xp[i] + yp[j]) - Math.exp(l[i * m + j] + x[i] + y[j]);
                direct += d * d;
            }
        }
        assertEquals(Math.sqrt(direct), k.change(xp, yp, x, y), 1e-12 * Math.sqrt(direct));
    }
}

package io.rematch.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** The host's conversions for the device: the plain loops' bits, below and above the parallel size, on 1 and 3 threads. */
class HostArraysTest {

    @Test
    void theConversionsAreThePlainLoopsOnAnyNumberOfThreads() throws Exception {
        long seed = 20261204L;
        System.out.println("HostArraysTest: seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int n : new int[] {0, 1, 1000, HostArrays.PARALLEL + 3 * HostArrays.SPAN + 7}) {
            double[] v = new double[n + 5];      // longer than n, as a workspace's array can be
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextDouble(-1e3, 1e3) * Math.pow(10, r.nextInt(-40, 40));
            }
            if (n > 2) {
                v[n / 2] = -0.0;
                v[n / 3] = 1e300;
            }
            v[v.length - 1] = 1e308;             // beyond n: ignored
            float[] narrow = new float[v.length];
            float[] shifted = new float[n];
            double top = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v.length; k++) {
                narrow[k] = (float) v[k];
            }
            for (int k = 0; k < n; k++) {
                top = Math.max(top, v[k]);
            }
            for (int k = 0; k < n; k++) {
                shifted[k] = (float) (v[k] - top);
            }
            double[] wide = new double[n];
            int bad = 0;
            for (int k = 0; k < n; k++) {
                wide[k] = narrow[k];
                bad += Float.isFinite(narrow[k]) ? 0 : 1;
            }
            for (int threads : new int[] {1, 3}) {
                ForkJoinPool pool = new ForkJoinPool(threads);
                try {
                    int size = n;
                    double expectedTop = top;
                    int expectedBad = bad;
                    pool.submit(() -> {
                        assertArrayEquals(narrow, HostArrays.narrow(v), "narrow, n = " + size);
                        assertEquals(Double.doubleToRawLongBits(expectedTop), Double.doubleToRawLongBits(HostArrays.max(v, size)),
                                "max, n = " + size);
                        float[] s = new float[size];
                        HostArrays.narrow(v, expectedTop, s, size);
                        assertArrayEquals(shifted, s, "narrow with a shift, n = " + size);
                        double[] w = new double[size];
                        HostArrays.widen(narrow, w, size);
                        assertArrayEquals(wide, w, "widen, n = " + size);
                        assertEquals(expectedBad, HostArrays.nonFinite(narrow, size), "not finite, n = " + size);
                    }).get();
                } finally {
                    pool.shutdown();
                }
            }
        }
    }

    @Test
    void theLargestIsNanWhenAnyIsAsMathMaxFoldsIt() {
        double[] v = new double[HostArrays.PARALLEL + 10];
        v[HostArrays.PARALLEL + 3] = Double.NaN;
        assertEquals(Double.NaN, HostArrays.max(v, v.length));
        assertEquals(0.0, HostArrays.max(v, HostArrays.PARALLEL));
        assertEquals(Double.NEGATIVE_INFINITY, HostArrays.max(v, 0));
    }
}

package io.rematch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rematch.backend.Backend;
import io.rematch.backend.BackendChoice;
import io.rematch.backend.CpuBackend;
import io.rematch.backend.OpenClBackend;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import io.rematch.model.TwoTower;
import io.rematch.opencl.OpenClTesting;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Evaluation in blocks of image rows gives exactly the whole matrix's metrics: ranks, top-1 and
 * rsum, under both tie rules, for k captions per image and for items with several images. The
 * embeddings have small integer entries, so every similarity is exact whatever the order of the
 * products' sums, and ties are frequent.
 */
class BlockedEvaluationTest {

    @Test
    void blocksGiveTheWholeMatrixMetricsExactly() {
        check(new CpuBackend());
    }

    /**
     * The same on the OpenCL device: small integers are exact in float32 too, so its blocks give
     * the same ranks, ties included, and the launches are counted on the device.
     */
    @Test
    void theDevicesBlocksGiveTheSameMetricsExactly() {
        OpenClTesting.device();
        try (Backend b = Backend.open(BackendChoice.OPENCL, null)) {
            check(b);
            OpenClBackend cl = (OpenClBackend) b;
            assertEquals(0, cl.count("similarities", "cpu"), b.report());
            assertEquals(30 * 2 * 5 * 2, cl.count("similarities", "opencl"), b.report());
        }
    }

    private static void check(Backend backend) {
        for (long seed = 1; seed <= 30; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int e = 1 + r.nextInt(4);
            boolean general = seed % 2 == 0;
            int n = 2 + r.nextInt(12);
            long[] imageIds = new long[n];
            for (int i = 0; i < n; i++) {
                imageIds[i] = general ? r.nextInt(Math.max(1, n / 2)) : i;
            }
            java.util.List<Long> caps = new java.util.ArrayList<>();
            for (long id : new java.util.TreeSet<>(java.util.Arrays.stream(imageIds).boxed().toList())) {
                int k = general ? 1 + r.nextInt(3) : 3;
                for (int c = 0; c < k; c++) {
                    caps.add(id);
                }
            }
            long[] captionIds = caps.stream().mapToLong(Long::longValue).toArray();
            int m = captionIds.length;
            double[] v = new double[n * e];
            double[] t = new double[m * e];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextInt(5) - 2;
            }
            for (int k = 0; k < t.length; k++) {
                t[k] = r.nextInt(5) - 2;
            }
            DMatrixRMaj whole = DMatrixRMaj.wrap(n, m, TwoTower.similarities(v, n, t, m, e));
            for (TieRule ties : TieRule.values()) {
                RetrievalReport want = RetrievalMetrics.evaluate(whole, imageIds, captionIds, ties);
                for (int rows : new int[] {1, 2, 3, 7, n}) {
                    RetrievalReport got = Evaluation.blocked(v, n, t, m, e, imageIds, captionIds, ties, rows,
                            backend);
                    String what = "seed " + seed + ", " + ties + ", " + rows + " rows per block";
                    assertArrayEquals(want.i2t().ranks(), got.i2t().ranks(), what);
                    assertArrayEquals(want.t2i().ranks(), got.t2i().ranks(), what);
                    assertArrayEquals(want.i2t().top1(), got.i2t().top1(), what);
                    assertArrayEquals(want.t2i().top1(), got.t2i().top1(), what);
                    assertEquals(want, got, what);
                }
            }
        }
    }
}

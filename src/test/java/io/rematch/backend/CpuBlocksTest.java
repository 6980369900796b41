package io.rematch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.model.TwoTower;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The CPU's similarity blocks computed on several threads: handed over in order, each block the
 * same bits as computed alone, for any number of threads and blocks in flight.
 */
class CpuBlocksTest {

    @Test
    void blocksOnSeveralThreadsAreTheBlocksComputedAloneInOrder() {
        long seed = 20261204L;
        System.out.println("CpuBlocksTest: seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int n = 103;
        int m = 57;
        int d = 19;
        double[] x = new double[n * d];
        double[] y = new double[m * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = r.nextDouble(-1, 1);
        }
        for (int k = 0; k < y.length; k++) {
            y[k] = r.nextDouble(-1, 1);
        }
        int rows = 10;      // 11 blocks, the last of 3 rows
        List<double[]> alone = new ArrayList<>();
        for (int from = 0; from < n; from += rows) {
            int count = Math.min(rows, n - from);
            alone.add(TwoTower.similarities(java.util.Arrays.copyOfRange(x, from * d, (from + count) * d), count, y, m, d));
        }
        for (int threads : new int[] {1, 3}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                for (int window : new int[] {1, 2, 4, 20}) {
                    List<Integer> froms = new ArrayList<>();
                    CpuBackend.blocks(pool, window, x, n, y, m, d, rows, (from, count, block) -> {
                        int b = froms.size();
                        froms.add(from);
                        assertEquals(b * rows, from, "in order");
                        assertEquals(Math.min(rows, n - from), count);
                        assertArrayEquals(alone.get(b), block, "block " + b + ", " + threads + " threads, window " + window);
                    });
                    assertEquals(alone.size(), froms.size(), "every block once");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aFailureInTheConsumerStopsTheBlocks() {
        int n = 40;
        double[] x = new double[n * 3];
        double[] y = new double[5 * 3];
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            int[] seen = {0};
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> CpuBackend.blocks(pool, 3, x, n, y, 5, 3,
                    4, (from, count, block) -> {
                        seen[0]++;
                        if (from == 8) {
                            throw new IllegalStateException("stop at 8");
                        }
                    }));
            assertEquals("stop at 8", e.getMessage());
            assertEquals(3, seen[0], "no block after the failure reaches the consumer");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theWindowIsBoundedByTheBlocksAndTheHeap() {
        java.util.concurrent.ForkJoinPool common = java.util.concurrent.ForkJoinPool.commonPool();
        assertEquals(1, CpuBackend.window(1, 8, common), "one block: the plain loop");
        assertTrue(CpuBackend.window(1000, 8, common) >= 1);
        assertEquals(1, CpuBackend.window(1000, Runtime.getRuntime().maxMemory(), common), "a block an eighth of the heap or more: one at a time");
        assertTrue(CpuBackend.window(2, 8, common) <= 2);
        java.util.concurrent.ForkJoinPool three = new java.util.concurrent.ForkJoinPool(3);
        try {
            assertEquals(3, CpuBackend.window(1000, 8, three), "a run's own pool: its threads");
        } finally {
            three.shutdown();
        }
    }
}

package io.rematch.numeric;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The fixed cut of a matrix's rows into blocks that lets a sweep run on all cores and still give
 * the same bits on any number of them. A sweep that sums across rows (column sums, a loss)
 * keeps one partial sum per block and adds the partials in block order afterwards; the cut depends
 * on the number of rows only, never on the number of cores, so the arithmetic is fixed, and whether
 * the blocks run on one thread or on many, in any order, changes nothing. Up to {@link #ROWS}
 * rows (every training batch here) there is one block: the plain sequential sweep.
 *
 * <p>{@link #forEach} runs the blocks on the common fork-join pool (all cores; its size is set by
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism}) from {@link #PARALLEL_ENTRIES}
 * entries up, on the calling thread below. The optimal transport pass ({@code ot.FusedPass}) and
 * the softmax losses' sweeps ({@code prob.SoftmaxStatistics}, {@code loss.TwoWaySoftmaxObjective},
 * {@code loss.ContrastiveLoss}) and the rematch losses' ({@code loss.SoftTargets},
 * {@code loss.SoftTargetLoss}) use it.
 */
public final class RowBlocks {

    /**
     * Rows per block: a multiple of 8 (the transport pass's row group), and large enough that the
     * partial sums cost \(1/256\) of a sweep.
     */
    public static final int ROWS = 256;

    /**
     * From \(2^{19}\) entries (4 MiB of doubles, e.g. 1024 x 512) up. Measured on this project's
     * 2-core machine ({@code rematch bench --backend cpu --operations partial}, 1000 iterations):
     * at 512 x 512 waking the second thread every iteration cost more than it saved (165 ms against
     * 145 ms on one), at 1024 x 1024 two threads took 396 ms against 576 ms, at 2048 x 2048 1.61 s
     * against 2.51 s.
     */
    public static final long PARALLEL_ENTRIES = 1L << 19;

    private RowBlocks() {
    }

    /** The number of blocks of {@code rows} rows (at least 1). */
    public static int count(int rows) {
        return Math.max(1, (rows + ROWS - 1) / ROWS);
    }

    /** The first row of block {@code c}. */
    public static int start(int c) {
        return c * ROWS;
    }

    /** One past the last row of block {@code c} of {@code rows} rows. */
    public static int end(int c, int rows) {
        return Math.min(rows, (c + 1) * ROWS);
    }

    /** Whether a sweep over {@code rows} rows of {@code cols} entries runs its blocks on several threads. */
    public static boolean parallel(int rows, long cols) {
        return count(rows) > 1 && rows * cols >= PARALLEL_ENTRIES;
    }

    /**
     * {@code block.accept(c)} for every block of a {@code rows x cols} sweep: on all cores when
     * {@link #parallel}, else in order on the calling thread. The blocks must write disjoint state.
     */
    public static void forEach(int rows, long cols, IntConsumer block) {
        int blocks = count(rows);
        if (parallel(rows, cols)) {
            IntStream.range(0, blocks).parallel().forEach(block);
        } else {
            for (int c = 0; c < blocks; c++) {
                block.accept(c);
            }
        }
    }
}

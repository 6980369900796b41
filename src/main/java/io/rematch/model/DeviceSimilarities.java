package io.rematch.model;

import com.aparapi.Range;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.KernelPool;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import java.util.Locale;

/**
 * The host side of {@link SimilarityKernel}: \(S = X Y^T\) in float32 on an OpenCL device, the
 * same product as {@link TwoTower#similarities} (float64, BLAS) on the CPU.
 *
 * <p>\(Y\) is copied to the device once; \(X\) goes in blocks of rows sized so that a block of
 * \(S\) fits the device's largest buffer (and a quarter of its memory), each block computed,
 * copied back and handed to the caller before the next: the whole evaluation matrix of a large
 * test set (5,000 x 25,000) never has to exist at once on either side. Buffers are explicit
 * ({@code put}/{@code get}); the kernel is leased from {@link io.rematch.opencl.KernelPool} (built
 * once, not per call) and given back when the call ends, however it ends.
 */
public final class DeviceSimilarities {

    /** Receives the block of rows {@code [from, from + rows)} of \(S\), row-major {@code rows x m}. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(int from, int rows, float[] block);
    }

    private final OpenClDevice device;
    private final long budget;

    /** @param device where the kernel runs, using at most a quarter of its memory */
    public DeviceSimilarities(OpenClDevice device) {
        this(device, Math.min(device.maxAllocation(), device.globalMemory() / 4));
    }

    /**
     * @param device where the kernel runs
     * @param budget the device memory it may use, in bytes (at most the largest buffer counts)
     */
    public DeviceSimilarities(OpenClDevice device, long budget) {
        this.device = device;
        this.budget = Math.min(budget, device.maxAllocation());
    }

    /**
     * \(S = X Y^T\), {@code n x m}, row-major.
     *
     * @param x {@code n x d} row-major
     * @param y {@code m x d} row-major
     * @throws DeviceFailure if the device cannot hold the operands or the kernel does not run there
     */
    public float[] compute(float[] x, int n, float[] y, int m, int d) {
        checkShapes(x, n, y, m, d);
        if ((long) n * m > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("similarities of " + n + " x " + m + " exceed a Java array;"
                    + " use the blocked form");
        }
        float[] s = new float[n * m];
        blocks(x, n, y, m, d, Integer.MAX_VALUE, (from, rows, block) -> System.arraycopy(block, 0, s, from * m, rows * m));
        return s;
    }

    /**
     * \(S = X Y^T\) in blocks of at most {@code maxRows} rows (fewer if the device needs), handed
     * to {@code consumer} in order. The block array is reused: copy what you keep.
     */
    public void blocks(float[] x, int n, float[] y, int m, int d, int maxRows, BlockConsumer consumer) {
        checkShapes(x, n, y, m, d);
        if (n == 0 || m == 0) {
            return;
        }
        int rows = blockRows(n, m, d, maxRows);
        try (KernelPool.Lease<SimilarityKernel> lease = KernelPool.lease(device, SimilarityKernel.class, SimilarityKernel::new)) {
            SimilarityKernel k = lease.kernel();
            k.y = d == 0 ? new float[1] : y;
            k.m = m;
            k.d = d;
            k.x = new float[Math.max(1, rows * d)];
            k.s = new float[rows * m];
            Launch.put(k, k.y, device, "the similarity kernel's Y");
            for (int from = 0; from < n; from += rows) {
                int r = Math.min(rows, n - from);
                System.arraycopy(x, from * d, k.x, 0, r * d);
                k.rows = r;
                Launch.put(k, k.x, device, "the similarity kernel's X");
                Range range = Range.create2D(device.aparapi(),
                        Launch.padded(m, SimilarityKernel.TILE) / 4, Launch.padded(r, SimilarityKernel.TILE) / 4,
                        SimilarityKernel.GROUP, SimilarityKernel.GROUP);
                Launch.run(k, range, device, String.format(Locale.ROOT, "the similarity kernel (%d x %d x %d)", r, m, d));
                Launch.get(k, k.s, device, "the similarity kernel's S");
                consumer.accept(from, r, r == rows ? k.s : java.util.Arrays.copyOf(k.s, r * m));
            }
        }
    }

    /**
     * Rows per block: at most {@code maxRows}, and so that the block of \(S\) and of \(X\), with
     * \(Y\), fit the budget.
     *
     * @throws DeviceFailure if \(Y\) alone, or one row's block, does not fit
     */
    int blockRows(int n, int m, int d, int maxRows) {
        long yBytes = 4L * m * d;
        long perRow = 4L * ((long) m + d);
        long left = budget - yBytes;
        if (left < perRow) {
            throw new DeviceFailure(String.format(Locale.ROOT, "the similarities of %d x %d x %d do not fit %s: Y takes"
                    + " %.1f MiB of a budget of %.1f MiB", n, m, d, device.name(), yBytes / 1048576.0, budget / 1048576.0));
        }
        long rows = Math.min(left / perRow, (Integer.MAX_VALUE - 8L) / Math.max(m, d == 0 ? 1 : d));
        return (int) Math.max(1, Math.min(Math.min(rows, n), maxRows));
    }

    private static void checkShapes(float[] x, int n, float[] y, int m, int d) {
        if (n < 0 || m < 0 || d < 0) {
            throw new IllegalArgumentException("shapes must be non-negative, got n = " + n + ", m = " + m + ", d = " + d);
        }
        if (x.length != (long) n * d) {
            throw new IllegalArgumentException("x has " + x.length + " values, expected n x d = " + n + " x " + d);
        }
        if (y.length != (long) m * d) {
            throw new IllegalArgumentException("y has " + y.length + " values, expected m x d = " + m + " x " + d);
        }
    }
}

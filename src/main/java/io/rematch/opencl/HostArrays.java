package io.rematch.opencl;

import java.util.stream.IntStream;

/**
 * The host's share of a device call: conversions between the float64 the library computes in and
 * a kernel's float32 buffers, on all cores from {@link #PARALLEL} entries. Each entry's result
 * depends on that entry alone (a rounding, a difference, a maximum), so the bits are the same on
 * any number of threads. They matter at the sizes the device is for: on the NVIDIA H200's host
 * (docs/gpu.md) the evaluation matrix's 125 million scores were widened to float64 one by one,
 * and a CCL batch of 8,192 narrows and widens 67 million entries each way.
 */
public final class HostArrays {

    /** Entries from which the work runs on all cores. */
    static final int PARALLEL = 1 << 20;

    /** Entries per span of the parallel work. */
    static final int SPAN = 1 << 16;

    private HostArrays() {
    }

    @FunctionalInterface
    private interface Span {
        void run(int from, int to);
    }

    private static void spans(int n, Span span) {
        if (n < PARALLEL) {
            span.run(0, n);
        } else {
            IntStream.range(0, (n + SPAN - 1) / SPAN).parallel()
                    .forEach(c -> span.run(c * SPAN, Math.min(n, (c + 1) * SPAN)));
        }
    }

    /** {@code v} rounded to float32. */
    public static float[] narrow(double[] v) {
        float[] f = new float[v.length];
        spans(v.length, (from, to) -> {
            for (int k = from; k < to; k++) {
                f[k] = (float) v[k];
            }
        });
        return f;
    }

    /** {@code dst[k] = (float) (src[k] - shift)} for {@code k < n}. */
    public static void narrow(double[] src, double shift, float[] dst, int n) {
        spans(n, (from, to) -> {
            for (int k = from; k < to; k++) {
                dst[k] = (float) (src[k] - shift);
            }
        });
    }

    /** {@code dst[k] = src[k]} for {@code k < n}. */
    public static void widen(float[] src, double[] dst, int n) {
        spans(n, (from, to) -> {
            for (int k = from; k < to; k++) {
                dst[k] = src[k];
            }
        });
    }

    /** {@code src} widened to float64. */
    public static double[] widen(float[] src) {
        double[] d = new double[src.length];
        widen(src, d, src.length);
        return d;
    }

    /** The largest of {@code a[0..n)} as {@code Math.max} folds it (NaN if any is; -infinity for none). */
    public static double max(double[] a, int n) {
        if (n < PARALLEL) {
            return maxOf(a, 0, n);
        }
        return IntStream.range(0, (n + SPAN - 1) / SPAN).parallel()
                .mapToDouble(c -> maxOf(a, c * SPAN, Math.min(n, (c + 1) * SPAN)))
                .reduce(Double.NEGATIVE_INFINITY, Math::max);
    }

    private static double maxOf(double[] a, int from, int to) {
        double top = Double.NEGATIVE_INFINITY;
        for (int k = from; k < to; k++) {
            top = Math.max(top, a[k]);
        }
        return top;
    }

    /** How many of {@code a[0..n)} are not finite. */
    public static int nonFinite(float[] a, int n) {
        if (n < PARALLEL) {
            return nonFiniteIn(a, 0, n);
        }
        return IntStream.range(0, (n + SPAN - 1) / SPAN).parallel()
                .map(c -> nonFiniteIn(a, c * SPAN, Math.min(n, (c + 1) * SPAN))).sum();
    }

    private static int nonFiniteIn(float[] a, int from, int to) {
        int bad = 0;
        for (int k = from; k < to; k++) {
            bad += Float.isFinite(a[k]) ? 0 : 1;
        }
        return bad;
    }
}

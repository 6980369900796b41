package io.rematch.opencl;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.internal.kernel.KernelManager;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Runs a kernel on one device and checks that it ran there. Aparapi, when a kernel fails to
 * build or to run on OpenCL, falls back to its Java thread pool and returns normally (and the
 * execution mode can still name the OpenCL device); so after every launch this checks
 * {@link Kernel#isRunningCL()} and the target device, and throws {@link DeviceFailure} instead
 * of letting a fallback's outputs, or its time, pass as the device's.
 */
public final class Launch {

    private Launch() {
    }

    /**
     * Puts {@code kernel} in explicit buffer mode and prefers {@code device} for it (no other
     * device, no fallback device). Aparapi keeps that preference per kernel <em>class</em> for the
     * whole process, so two devices in one process would override each other; {@link #run} would
     * then report the mismatch as a {@link DeviceFailure}, never compute on the wrong device
     * unnoticed. The backends use one device per process.
     */
    public static <K extends Kernel> K prepare(K kernel, OpenClDevice device) {
        kernel.setExplicit(true);
        KernelManager.instance().setPreferredDevices(kernel, new LinkedHashSet<>(List.of(device.aparapi())));
        return kernel;
    }

    /**
     * Executes {@code kernel} over {@code range} (made for {@code device}) and checks it ran there.
     *
     * @param what the operation, for the message
     * @throws DeviceFailure if the runtime raised an error or the kernel did not run on the device
     */
    public static void run(Kernel kernel, Range range, OpenClDevice device, String what) {
        OpenCl.startCapture();
        Throwable error = null;
        try {
            kernel.execute(range);
        } catch (Throwable t) {     // Aparapi raises AssertionError, Error and runtime exceptions alike
            error = t;
        }
        String logged = OpenCl.endCapture();
        if (error != null || !kernel.isRunningCL() || kernel.getTargetDevice() != device.aparapi()) {
            KernelPool.broken(kernel);
            throw failure(what, device, logged, error);
        }
    }

    /** {@code kernel.put(a)}, a device error as a {@link DeviceFailure}. */
    public static void put(Kernel kernel, float[] a, OpenClDevice device, String what) {
        running(kernel, device, what);
        try {
            kernel.put(a);
        } catch (Throwable t) {
            KernelPool.broken(kernel);
            throw failure(what, device, null, t);
        }
    }

    /** {@code kernel.get(a)}, a device error as a {@link DeviceFailure}. */
    public static void get(Kernel kernel, float[] a, OpenClDevice device, String what) {
        running(kernel, device, what);
        try {
            kernel.get(a);
        } catch (Throwable t) {
            KernelPool.broken(kernel);
            throw failure(what, device, null, t);
        }
    }

    /** {@code kernel.get(a)} of an int buffer, a device error as a {@link DeviceFailure}. */
    public static void get(Kernel kernel, int[] a, OpenClDevice device, String what) {
        running(kernel, device, what);
        try {
            kernel.get(a);
        } catch (Throwable t) {
            KernelPool.broken(kernel);
            throw failure(what, device, null, t);
        }
    }

    /**
     * Aparapi's {@code put} and {@code get} do nothing, silently, on a kernel that no longer runs on
     * OpenCL (after a fallback to Java): a copy that did not happen must not pass as one.
     */
    private static void running(Kernel kernel, OpenClDevice device, String what) {
        if (!kernel.isRunningCL() || kernel.getTargetDevice() != device.aparapi()) {
            KernelPool.broken(kernel);
            throw new DeviceFailure(what + " cannot be copied: the kernel no longer runs on " + device.name()
                    + " (OpenCL)");
        }
    }

    /** The failure's message: what Aparapi logged (why the kernel failed) first, else the error's own message. */
    private static DeviceFailure failure(String what, OpenClDevice device, String logged, Throwable t) {
        String reason = logged;
        if (reason == null && t != null) {
            reason = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        return new DeviceFailure(what + " did not run on " + device.name() + " (OpenCL)"
                + (reason == null ? "" : ": " + reason), t);
    }

    /**
     * Refuses, before anything is allocated, an operation whose largest buffer exceeds the device's
     * largest allocation or whose buffers together exceed half its memory.
     *
     * @param what the operation and its size, for the message (e.g. "Sinkhorn of 4096 x 4096")
     * @throws DeviceFailure saying what it needs and what the device allows
     */
    public static void requireMemory(OpenClDevice device, long largestBuffer, long totalBytes, String what) {
        if (largestBuffer > device.maxAllocation() || totalBytes > device.globalMemory() / 2) {
            throw new DeviceFailure(String.format(java.util.Locale.ROOT, "%s needs %.1f MiB on %s (a buffer of %.1f MiB;"
                    + " it allows %.1f MiB per buffer and %.1f MiB in all)", what, totalBytes / 1048576.0, device.name(),
                    largestBuffer / 1048576.0, device.maxAllocation() / 1048576.0, device.globalMemory() / 2 / 1048576.0));
        }
    }

    /** {@code v} narrowed to float32, for a kernel's buffer. */
    public static float[] toFloat(double[] v) {
        return HostArrays.narrow(v);
    }

    /** The smallest multiple of {@code group} that is at least {@code n} (a launch's global size), at least {@code group}. */
    public static int padded(int n, int group) {
        return Math.max(group, (int) (((long) n + group - 1) / group * group));
    }
}

package io.rematch.opencl;

import java.util.Locale;

/**
 * One OpenCL device as the driver reports it: the platform (the driver, e.g. "NVIDIA CUDA",
 * "Portable Computing Language"), the device's name and type, and the limits a host class
 * checks before it allocates: the global memory and the largest single buffer.
 */
public final class OpenClDevice {

    private final com.aparapi.device.OpenCLDevice device;
    private final String platform;

    OpenClDevice(com.aparapi.device.OpenCLDevice device, String platform) {
        this.device = device;
        this.platform = platform;
    }

    /** The Aparapi device, for the kernels' ranges. */
    public com.aparapi.device.OpenCLDevice aparapi() {
        return device;
    }

    /** The platform's name, e.g. {@code NVIDIA CUDA}. */
    public String platform() {
        return platform;
    }

    /** The device's name, e.g. {@code NVIDIA H100 80GB HBM3}. */
    public String name() {
        return device.getName().trim();
    }

    /** {@code GPU}, {@code CPU} or {@code ACC}. */
    public String type() {
        return String.valueOf(device.getType());
    }

    /** Whether this is a GPU (what {@code --backend auto} takes). */
    public boolean isGpu() {
        return device.getType() == com.aparapi.device.Device.TYPE.GPU;
    }

    /** Compute units (streaming multiprocessors, cores). */
    public int computeUnits() {
        return device.getMaxComputeUnits();
    }

    /** Global memory in bytes. */
    public long globalMemory() {
        return device.getGlobalMemSize();
    }

    /** The largest single buffer in bytes ({@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}). */
    public long maxAllocation() {
        return device.getMaxMemAllocSize();
    }

    /** Local (work-group shared) memory in bytes. */
    public long localMemory() {
        return device.getLocalMemSize();
    }

    /** The largest work-group. */
    public int maxWorkGroupSize() {
        return device.getMaxWorkGroupSize();
    }

    /** One line: {@code NVIDIA H100 80GB HBM3 (GPU, NVIDIA CUDA, 132 compute units, 79.1 GiB)}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s (%s, %s, %d compute units, %.1f GiB)", name(), type(), platform,
                computeUnits(), globalMemory() / (double) (1L << 30));
    }

    @Override
    public String toString() {
        return describe();
    }
}

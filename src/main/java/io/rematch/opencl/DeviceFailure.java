package io.rematch.opencl;

/**
 * A kernel did not run on its OpenCL device (it failed to build, the device ran out of memory,
 * or Aparapi fell back to Java threads): its outputs are not to be used. The backend that
 * launched it computes the same operation on the CPU instead and says so.
 */
public final class DeviceFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, on which device, and why, in words */
    public DeviceFailure(String message) {
        super(message);
    }

    /** @param message what failed; {@code cause} the error the runtime raised */
    public DeviceFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.rematch.opencl;

/**
 * An input a kernel cannot represent in float32 (a softmax whose \(1 - p\) underflows, a
 * transport kernel whose rows vanish, a scaling that overflows), or a float32 result that misses
 * what float64 would meet. Not a device failure: the device works, this one input does not fit
 * it, so the backend computes it on the CPU (and says so) and keeps the device for the next.
 */
public final class Float32Range extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what does not fit float32, in words */
    public Float32Range(String message) {
        super(message);
    }
}

package io.rematch.model;

import java.util.Locale;

/**
 * The arithmetic of the model's products and activations. {@link #FLOAT64} by default;
 * {@link #FLOAT32} computes forward and backward passes in float32 (BLAS {@code sgemm}), as PyTorch
 * trains by default, about 1.6 times faster. In both, the optimiser keeps a float64 master copy
 * of the weights (Adam's update and the gradient-norm clipping run in float64), reductions such as
 * row norms accumulate in double, and the loss on the B x B score matrix is evaluated in float64.
 */
public enum Precision {
    FLOAT64,
    FLOAT32;

    /** The command-line spelling: {@code float64} or {@code float32}. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The precision spelled {@code text}, naming {@code option} otherwise. */
    public static Precision parse(String option, String text) {
        for (Precision p : values()) {
            if (p.spelling().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException(option + " must be float64 or float32, got '" + text + "'");
    }

    Tensor allocate(int length) {
        return this == FLOAT64 ? new Tensor.F64(new double[length]) : new Tensor.F32(new float[length]);
    }
}

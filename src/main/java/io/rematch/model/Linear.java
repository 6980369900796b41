package io.rematch.model;

import java.util.random.RandomGenerator;

/**
 * A fully connected layer \(Y = X W^T + \mathbf{1} b^T\) on a batch of rows, with its backward
 * pass: \(\partial L/\partial W \mathrel{+}= G^T X\), \(\partial L/\partial b \mathrel{+}=
 * G^T \mathbf{1}\) and \(\partial L/\partial X = G W\) for \(G = \partial L/\partial Y\).
 *
 * <p>\(W\) is {@code out x in} row-major (PyTorch's {@code nn.Linear.weight} layout), \(b\) has
 * {@code out} entries; both live in the model's {@link Parameters}.
 */
final class Linear {

    final int in;
    final int out;
    private final Parameters parameters;
    private final Parameters.Slice weight;
    private final Parameters.Slice bias;

    Linear(Parameters parameters, String name, int in, int out) {
        this.in = in;
        this.out = out;
        this.parameters = parameters;
        this.weight = parameters.reserve(name + ".weight", out, in);
        this.bias = parameters.reserve(name + ".bias", 1, out);
    }

    /** Where {@code W} starts in the parameter vector. */
    int weightOffset() {
        return weight.offset();
    }

    /** Where {@code b} starts in the parameter vector. */
    int biasOffset() {
        return bias.offset();
    }

    /**
     * Xavier (Glorot) uniform weights \(U(-r, r)\), \(r = \sqrt{6/(in + out)}\), and zero bias: the
     * initialisation of SCAN's {@code EncoderImagePrecomp.init_weights}, which RCL and L2RM use.
     * Writes the master values; the caller calls {@link Parameters#valuesChanged()}.
     */
    void initialise(RandomGenerator random) {
        double r = Math.sqrt(6.0 / (in + out));
        double[] v = parameters.values();
        for (int k = weight.offset(), end = k + weight.size(); k < end; k++) {
            v[k] = (2 * random.nextDouble() - 1) * r;
        }
        java.util.Arrays.fill(v, bias.offset(), bias.offset() + out, 0);
    }

    /** {@code y[batch x out] = x[batch x in] W^T + b}. */
    void forward(Tensor x, int batch, Tensor y) {
        Tensor v = parameters.computeValues();
        y.fillRows(v, bias.offset(), batch, out);
        y.multiply(false, true, batch, out, in, x, 0, in, v, weight.offset(), in, 1, 0, out);
    }

    /**
     * Accumulates the parameter gradients for {@code dy} and, when {@code dx} is not null, writes
     * \(\partial L/\partial X\) into it.
     */
    void backward(Tensor x, Tensor dy, int batch, Tensor dx) {
        Tensor g = parameters.computeGradients();
        g.multiply(true, false, out, in, batch, dy, 0, out, x, 0, in, 1, weight.offset(), in);
        dy.addColumnSums(batch, out, g, bias.offset());
        if (dx != null) {
            dx.multiply(false, false, batch, in, out, dy, 0, out, parameters.computeValues(), weight.offset(), in,
                    0, 0, in);
        }
    }
}

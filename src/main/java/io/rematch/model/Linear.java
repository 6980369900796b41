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

    /**
     * Xavier (Glorot) uniform weights \(U(-r, r)\), \(r = \sqrt{6/(in + out)}\), and zero bias: the
     * initialisation of SCAN's {@code EncoderImagePrecomp.init_weights}, which RCL and L2RM use.
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
    void forward(double[] x, int batch, double[] y) {
        double[] v = parameters.values();
        int b0 = bias.offset();
        for (int r = 0; r < batch; r++) {
            System.arraycopy(v, b0, y, r * out, out);
        }
        Gemm.multiply(false, true, batch, out, in, 1, x, 0, in, v, weight.offset(), in, 1, y, 0, out);
    }

    /**
     * Accumulates the parameter gradients for {@code dy} and, when {@code dx} is not null, writes
     * \(\partial L/\partial X\) into it.
     */
    void backward(double[] x, double[] dy, int batch, double[] dx) {
        double[] g = parameters.gradients();
        Gemm.multiply(true, false, out, in, batch, 1, dy, 0, out, x, 0, in, 1, g, weight.offset(), in);
        int b0 = bias.offset();
        for (int r = 0; r < batch; r++) {
            for (int c = 0, row = r * out; c < out; c++) {
                g[b0 + c] += dy[row + c];
            }
        }
        if (dx != null) {
            Gemm.multiply(false, false, batch, in, out, 1, dy, 0, out, parameters.values(), weight.offset(), in,
                    0, dx, 0, in);
        }
    }
}

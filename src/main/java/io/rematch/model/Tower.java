package io.rematch.model;

import io.rematch.data.Features;
import java.util.random.RandomGenerator;

/**
 * One encoder \(f\) (RCL's \(f_V\) or \(f_T\)): linear layers with ReLU between them, then L2
 * normalisation \(f(x) = h(x) / (\lVert h(x) \rVert + \epsilon)\), \(\epsilon = 10^{-8}\) as in
 * SCAN's and RCL's {@code l2norm}, so that a dot product of two outputs is a cosine similarity.
 *
 * <p>{@link #forward} keeps what {@link #backward} needs (each layer's input and the norms) in
 * buffers sized for the largest batch seen; one tower serves one batch at a time.
 *
 * <p>The normalisation's backward pass: for \(y = x/(n + \epsilon)\), \(n = \lVert x\rVert\),
 * \[ \frac{\partial L}{\partial x} = \frac{g}{n + \epsilon} - x\,\frac{x\cdot g}{(n+\epsilon)^2\, n},
 *    \qquad g = \partial L/\partial y. \]
 */
final class Tower {

    /** SCAN's and RCL's {@code l2norm} epsilon. */
    static final double EPSILON = 1e-8;

    private final Precision precision;
    private final Linear[] layers;
    private final int embed;
    private Tensor input;
    private Tensor[] acts = new Tensor[0];   // acts[l]: input of layer l (acts[0] is the input)
    private Tensor pre;                      // last layer's output, before normalisation
    private Tensor out;
    private Tensor gradOut;
    private Tensor gradA;
    private Tensor gradB;
    private double[] norms = new double[0];
    private int capacity;
    private int batch;

    Tower(Parameters parameters, String name, int inputs, EncoderSpec spec) {
        this.precision = parameters.precision();
        int[] w = spec.widths(inputs);
        layers = new Linear[w.length - 1];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Linear(parameters, name + "." + l, w[l], w[l + 1]);
        }
        embed = spec.embed();
    }

    void initialise(RandomGenerator random) {
        for (Linear l : layers) {
            l.initialise(random);
        }
    }

    /** The layers, input first (read by {@link DeviceTowers}). */
    Linear[] layers() {
        return layers;
    }

    int embed() {
        return embed;
    }

    int inputs() {
        return layers[0].in;
    }

    private void ensure(int rows) {
        if (rows <= capacity) {
            return;
        }
        acts = new Tensor[layers.length];
        input = precision.allocate(rows * inputs());
        acts[0] = input;
        int widest = 0;
        for (int l = 1; l < layers.length; l++) {
            acts[l] = precision.allocate(rows * layers[l].in);
        }
        for (Linear l : layers) {
            widest = Math.max(widest, Math.max(l.in, l.out));
        }
        pre = precision.allocate(rows * embed);
        out = precision.allocate(rows * embed);
        gradOut = precision.allocate(rows * embed);
        gradA = precision.allocate(rows * widest);
        gradB = precision.allocate(rows * widest);
        norms = new double[rows];
        capacity = rows;
    }

    /**
     * Encodes the rows {@code index[0..rows)} of {@code features} and returns the normalised
     * embeddings ({@code rows x embed}, a buffer of this tower, valid until the next call).
     */
    Tensor forward(Features features, int[] index, int rows) {
        ensure(rows);
        input.gather(features, index, rows);
        return run(rows);
    }

    /** As {@link #forward(Features, int[], int)} for the rows {@code from..from+rows}. */
    Tensor forwardRange(Features features, int from, int rows) {
        ensure(rows);
        input.copyRows(features, from, rows);
        return run(rows);
    }

    private Tensor run(int rows) {
        batch = rows;
        for (int l = 0; l < layers.length; l++) {
            boolean last = l == layers.length - 1;
            Tensor y = last ? pre : acts[l + 1];
            layers[l].forward(acts[l], rows, y);
            if (!last) {
                y.relu(rows * layers[l].out);
            }
        }
        pre.normaliseRows(rows, embed, EPSILON, norms, out);
        return out;
    }

    /** The buffer {@link #backward} reads \(\partial L/\partial f(x)\) from ({@code rows x embed}). */
    Tensor gradientBuffer() {
        return gradOut;
    }

    /** Accumulates the parameter gradients for \(\partial L/\partial f(x)\) in {@link #gradientBuffer()}. */
    void backward() {
        int rows = batch;
        Tensor dz = gradA;
        pre.normaliseRowsBackward(rows, embed, EPSILON, norms, gradOut, dz);
        for (int l = layers.length - 1; l >= 0; l--) {
            Tensor dx = l > 0 ? (dz == gradA ? gradB : gradA) : null;
            layers[l].backward(acts[l], dz, rows, dx);
            if (l > 0) {
                dx.maskWhereNotPositive(acts[l], rows * layers[l].in);   // ReLU'
                dz = dx;
            }
        }
    }
}

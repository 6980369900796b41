package io.rematch.model;

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
 * \[ \frac{\partial L}{\partial x} = \frac{1}{n+\epsilon}\Big(g - y\,\frac{y \cdot g\,(n+\epsilon)}{n}\Big)
 *    = \frac{g}{n + \epsilon} - x\,\frac{x\cdot g}{(n+\epsilon)^2\, n}, \qquad g = \partial L/\partial y. \]
 */
final class Tower {

    /** SCAN's and RCL's {@code l2norm} epsilon. */
    static final double EPSILON = 1e-8;

    private final Linear[] layers;
    private final int embed;
    private double[][] acts = new double[0][];   // acts[l]: input of layer l (acts[0] is not owned)
    private double[] pre = new double[0];         // last layer's output, before normalisation
    private double[] out = new double[0];
    private double[] norms = new double[0];
    private double[] gradA = new double[0];
    private double[] gradB = new double[0];
    private int capacity;
    private int batch;

    Tower(Parameters parameters, String name, int inputs, EncoderSpec spec) {
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

    int inputs() {
        return layers[0].in;
    }

    int embed() {
        return embed;
    }

    private void ensure(int rows) {
        if (rows <= capacity) {
            return;
        }
        acts = new double[layers.length][];
        int widest = 0;
        for (int l = 1; l < layers.length; l++) {
            acts[l] = new double[rows * layers[l].in];
        }
        for (Linear l : layers) {
            widest = Math.max(widest, Math.max(l.in, l.out));
        }
        pre = new double[rows * embed];
        out = new double[rows * embed];
        norms = new double[rows];
        gradA = new double[rows * widest];
        gradB = new double[rows * widest];
        capacity = rows;
    }

    /**
     * Encodes {@code rows} inputs ({@code rows x inputs}, row-major; kept by reference until the
     * next call) and returns the normalised embeddings ({@code rows x embed}, a buffer of this
     * tower, valid until the next call).
     */
    double[] forward(double[] x, int rows) {
        ensure(rows);
        batch = rows;
        acts[0] = x;
        for (int l = 0; l < layers.length; l++) {
            boolean last = l == layers.length - 1;
            double[] y = last ? pre : acts[l + 1];
            layers[l].forward(acts[l], rows, y);
            if (!last) {
                for (int k = 0, n = rows * layers[l].out; k < n; k++) {
                    y[k] = Math.max(y[k], 0);   // ReLU
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0, o = r * embed; c < embed; c++) {
                s += pre[o + c] * pre[o + c];
            }
            double n = Math.sqrt(s);
            norms[r] = n;
            double scale = 1 / (n + EPSILON);
            for (int c = 0, o = r * embed; c < embed; c++) {
                out[o + c] = pre[o + c] * scale;
            }
        }
        return out;
    }

    /**
     * Accumulates the parameter gradients for \(\partial L/\partial f(x)\) = {@code dOut}
     * ({@code rows x embed}) of the last {@link #forward}.
     */
    void backward(double[] dOut) {
        int rows = batch;
        double[] dz = gradA;
        for (int r = 0; r < rows; r++) {
            int o = r * embed;
            double n = norms[r];
            double d = n + EPSILON;
            double xg = 0;
            for (int c = 0; c < embed; c++) {
                xg += pre[o + c] * dOut[o + c];
            }
            double coefficient = n > 0 ? xg / (d * d * n) : 0;
            for (int c = 0; c < embed; c++) {
                dz[o + c] = dOut[o + c] / d - pre[o + c] * coefficient;
            }
        }
        for (int l = layers.length - 1; l >= 0; l--) {
            double[] dx = l > 0 ? (dz == gradA ? gradB : gradA) : null;
            layers[l].backward(acts[l], dz, rows, dx);
            if (l > 0) {
                double[] a = acts[l];
                for (int k = 0, n = rows * layers[l].in; k < n; k++) {
                    if (a[k] <= 0) {
                        dx[k] = 0;   // ReLU'
                    }
                }
                dz = dx;
            }
        }
    }
}

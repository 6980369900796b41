package io.rematch.optim;

import io.rematch.check.Checks;

/**
 * The Adam optimizer (Kingma and Ba, ICLR 2015, Algorithm 1), in the form of PyTorch's
 * {@code torch.optim.Adam} (no AMSGrad, no weight decay), which RCL and L2RM train with:
 * for step \(t = 1, 2, \dots\) and gradient \(g_t\),
 * \[ m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \]
 * \[ \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\cdot
 *    \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}, \]
 * elementwise. PyTorch adds \(\epsilon\) after the bias correction of \(v\), as here (the paper
 * writes \(\hat m_t/(\sqrt{\hat v_t} + \epsilon)\): the same update).
 *
 * <p>One instance holds the moment estimates of one flat parameter vector; it is not thread-safe.
 * The learning rate may be changed between steps ({@link #setLearningRate}) for schedules such as
 * L2RM's decay by 10 every 15 epochs. {@link #state()} and {@link #restore(State)} save and
 * reload everything a step depends on, so that a run resumed from a checkpoint takes bit for bit
 * the steps the uninterrupted run takes.
 */
public final class Adam {

    /** Entries from which the update runs on all cores (below, waking the threads costs more than it saves). */
    static final int PARALLEL = 1 << 19;

    /** Entries per span of the parallel update. */
    static final int SPAN = 1 << 16;

    /**
     * Hyper-parameters.
     *
     * @param learningRate \(\eta > 0\)
     * @param beta1        \(\beta_1 \in [0, 1)\) (PyTorch: 0.9)
     * @param beta2        \(\beta_2 \in [0, 1)\) (PyTorch: 0.999)
     * @param epsilon      \(\epsilon > 0\) (PyTorch: 1e-8)
     */
    public record Settings(double learningRate, double beta1, double beta2, double epsilon) {

        public Settings {
            Checks.positive("learningRate", learningRate);
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            }
            Checks.positive("epsilon", epsilon);
        }

        /** PyTorch's defaults (betas 0.9, 0.999; eps 1e-8) with the given learning rate. */
        public static Settings withLearningRate(double learningRate) {
            return new Settings(learningRate, 0.9, 0.999, 1e-8);
        }
    }

    private final double[] m;
    private final double[] v;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private double learningRate;
    private long steps;
    private long revision;
    private Runnable fetch;

    /**
     * @param size     the number of parameters
     * @param settings hyper-parameters
     */
    public Adam(int size, Settings settings) {
        Checks.atLeast("size", size, 1);
        if (settings == null) {
            throw new IllegalArgumentException("settings is missing");
        }
        m = new double[size];
        v = new double[size];
        beta1 = settings.beta1();
        beta2 = settings.beta2();
        epsilon = settings.epsilon();
        learningRate = settings.learningRate();
    }

    /**
     * One Adam step: updates {@code parameters} in place from {@code gradient}
     * (\(\partial L/\partial\theta\), not modified).
     *
     * @throws IllegalArgumentException naming the argument if a length differs from the size or
     *                                  the gradient is not finite (the state is then unchanged)
     */
    public void stepInPlace(double[] parameters, double[] gradient) {
        checkLengths(parameters, gradient == null ? -1 : gradient.length);
        Checks.finite("gradient", gradient);
        update(parameters, gradient, 1.0, null);
    }

    /**
     * Gradient-norm clipping followed by one Adam step, in two passes over the vectors: PyTorch's
     * {@code clip_grad_norm_(params, maxNorm)} (both releases: 2.0), which multiplies every gradient
     * by \(\min(1, \text{maxNorm}/(\lVert g\rVert + 10^{-6}))\), then {@link #stepInPlace}. The
     * same bits as clipping {@code gradient} in place and stepping, without writing it.
     *
     * @param maxNorm the clipping threshold, {@code > 0}
     * @return the gradient norm before clipping
     * @throws IllegalArgumentException naming the argument if a length differs from the size or
     *                                  the gradient is not finite (the state is then unchanged)
     */
    public double stepWithClipping(double[] parameters, double[] gradient, double maxNorm) {
        checkLengths(parameters, gradient == null ? -1 : gradient.length);
        double sum = sumOfSquares(gradient);
        update(parameters, gradient, clipScale(sum, maxNorm), null);
        return Math.sqrt(sum);
    }

    /**
     * {@link #stepWithClipping(double[], double[], double)} for float32 gradients (a model that
     * computes in float32 over float64 master weights): the gradients are widened into
     * {@code scratch}, the update is computed in float64, and the new weights are also written,
     * rounded, into {@code parametersFloat}.
     *
     * @param scratch a buffer of the parameters' length (overwritten)
     */
    public double stepWithClipping(double[] parameters, float[] gradient, double maxNorm, float[] parametersFloat,
                                   double[] scratch) {
        checkLengths(parameters, gradient == null ? -1 : gradient.length);
        if (parametersFloat == null || parametersFloat.length != m.length || scratch == null
                || scratch.length != m.length) {
            throw new IllegalArgumentException("parametersFloat and scratch must have " + m.length + " entries");
        }
        double sum = widenAndSumSquares(gradient, scratch);
        update(parameters, scratch, clipScale(sum, maxNorm), parametersFloat);
        return Math.sqrt(sum);
    }

    /**
     * The update with every gradient times {@code scale} (exact for 1), written as
     * \(\theta \leftarrow \theta - a\, m_t/(\sqrt{v_t} + \epsilon')\) with
     * \(a = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)\) and \(\epsilon' = \epsilon\sqrt{1-\beta_2^t}\):
     * PyTorch's update multiplied through by \(\sqrt{1-\beta_2^t}\), one division per entry
     * instead of two, in a loop over {@code double[]} alone, which the JIT vectorises (about 1 ms
     * for 1.6 million parameters on the development machine, against 7 for the two-division loop
     * with a float32 array in it). The new values are also written, rounded, into {@code narrowed}
     * when it is given.
     *
     * <p>Every entry's update depends on that entry alone, so from {@link #PARALLEL} entries up the
     * vector is cut into spans of {@link #SPAN} that run on all cores (the common fork-join pool),
     * with the same bits as one loop. A training step's 3.4 million parameters (the Flickr30K-sized
     * towers) read and write about 250 MB here, which one core does not stream at the memory's rate.
     */
    private void update(double[] parameters, double[] gradient, double scale, float[] narrowed) {
        fetchMoments();
        revision++;
        steps++;
        Coefficients step = coefficients(steps);
        double a = step.a();
        double e = step.epsilon();
        int n = m.length;
        if (n < PARALLEL) {
            span(parameters, gradient, scale, a, e, narrowed, 0, n);
        } else {
            java.util.stream.IntStream.range(0, (n + SPAN - 1) / SPAN).parallel().forEach(c ->
                    span(parameters, gradient, scale, a, e, narrowed, c * SPAN, Math.min(n, (c + 1) * SPAN)));
        }
    }

    /** The update of entries {@code [from, to)}. */
    private void span(double[] parameters, double[] gradient, double scale, double a, double e, float[] narrowed,
                      int from, int to) {
        double b1 = beta1;
        double b2 = beta2;
        double[] mm = m;
        double[] vv = v;
        for (int k = from; k < to; k++) {
            double g = gradient[k] * scale;
            double mk = b1 * mm[k] + (1 - b1) * g;
            double vk = b2 * vv[k] + (1 - b2) * g * g;
            mm[k] = mk;
            vv[k] = vk;
            parameters[k] -= a * mk / (Math.sqrt(vk) + e);
        }
        if (narrowed != null) {
            for (int k = from; k < to; k++) {
                narrowed[k] = (float) parameters[k];
            }
        }
    }

    /**
     * \(\sum_k g_k^2\) in four interleaved partial sums (added in a fixed order, so the result is
     * deterministic): four independent additions per step instead of one chain.
     */
    static double sumOfSquares(double[] g) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < g.length; k += 4) {
            s0 += g[k] * g[k];
            s1 += g[k + 1] * g[k + 1];
            s2 += g[k + 2] * g[k + 2];
            s3 += g[k + 3] * g[k + 3];
        }
        for (; k < g.length; k++) {
            s0 += g[k] * g[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Widens {@code g} into {@code out} and returns \(\sum_k g_k^2\), as {@link #sumOfSquares} of {@code out}. */
    static double widenAndSumSquares(float[] g, double[] out) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < g.length; k += 4) {
            double a = g[k], b = g[k + 1], c = g[k + 2], d = g[k + 3];
            out[k] = a;
            out[k + 1] = b;
            out[k + 2] = c;
            out[k + 3] = d;
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; k < g.length; k++) {
            double a = g[k];
            out[k] = a;
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private void checkLengths(double[] parameters, int gradientLength) {
        if (parameters == null || parameters.length != m.length) {
            throw new IllegalArgumentException("parameters must have " + m.length + " entries, got "
                    + (parameters == null ? "none" : parameters.length));
        }
        if (gradientLength != m.length) {
            throw new IllegalArgumentException("gradient must have " + m.length + " entries, got "
                    + (gradientLength < 0 ? "none" : gradientLength));
        }
    }

    /**
     * PyTorch's clipping factor \(\min(1, \text{maxNorm}/(\lVert g\rVert + 10^{-6}))\) for a squared
     * norm \(\lVert g\rVert^2\); refuses a non-finite gradient (before any state changes).
     *
     * @throws IllegalArgumentException if {@code sumOfSquares} is not finite or {@code maxNorm <= 0}
     */
    public static double clipScale(double sumOfSquares, double maxNorm) {
        if (!Double.isFinite(sumOfSquares)) {
            throw new IllegalArgumentException("gradient must be finite; its squared norm is " + sumOfSquares);
        }
        Checks.positive("maxNorm", maxNorm);
        double coefficient = maxNorm / (Math.sqrt(sumOfSquares) + 1e-6);
        return coefficient < 1 ? coefficient : 1;
    }


    /**
     * The coefficients of one step, \(t\) counted: the update is
     * \(m \leftarrow \beta_1 m + (1-\beta_1) g\), \(v \leftarrow \beta_2 v + (1-\beta_2) g^2\),
     * \(\theta \leftarrow \theta - a\, m/(\sqrt v + \epsilon')\), with {@code g} the clipped gradient.
     *
     * @param a       \(\eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)\)
     * @param epsilon \(\epsilon' = \epsilon\sqrt{1-\beta_2^t}\)
     */
    public record Coefficients(double beta1, double beta2, double a, double epsilon) {
    }

    /** Takes a step with given coefficients somewhere else (a device that holds the moments). */
    @FunctionalInterface
    public interface Remote {
        /** Takes the step; returns normally only if it was taken. */
        void step(Coefficients step);
    }

    /**
     * One step taken elsewhere, on moments held there (an OpenCL device's copy, {@link #heldElsewhere}):
     * {@code remote} takes it with this step's coefficients, and the step is counted if it returns
     * normally (if it throws, the step count is unchanged). The host's moments are not touched.
     */
    public void stepElsewhere(Remote remote) {
        long t = steps + 1;
        remote.step(coefficients(t));
        steps = t;
    }

    private Coefficients coefficients(long t) {
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        return new Coefficients(beta1, beta2, learningRate / (1 - Math.pow(beta1, t)) * bias2Sqrt,
                epsilon * bias2Sqrt);
    }

    /**
     * Says that newer moments than these are held elsewhere (a device that steps them):
     * {@code fetch} writes them back, through {@link #restore}, before the host next reads them
     * ({@link #state()}) or steps them. {@code null} forgets a previous one.
     */
    public void heldElsewhere(Runnable fetch) {
        this.fetch = fetch;
    }

    /** A count that changes whenever the host's moments do (a host step, {@link #restore}). */
    public long revision() {
        return revision;
    }

    private void fetchMoments() {
        Runnable f = fetch;
        if (f != null) {
            fetch = null;
            f.run();
        }
    }

    /**
     * Everything a step depends on besides the hyper-parameters: the moment estimates, the step
     * count \(t\) and the current learning rate (copied in and out).
     *
     * @param firstMoment  \(m\)
     * @param secondMoment \(v\), entries \(\ge 0\)
     * @param steps        \(t \ge 0\)
     * @param learningRate \(\eta > 0\)
     */
    public record State(double[] firstMoment, double[] secondMoment, long steps, double learningRate) {

        /** Validates and copies. */
        public State {
            Checks.finite("firstMoment", firstMoment);
            Checks.finite("secondMoment", secondMoment);
            if (firstMoment.length != secondMoment.length) {
                throw new IllegalArgumentException("firstMoment and secondMoment must have the same length, got "
                        + firstMoment.length + " and " + secondMoment.length);
            }
            for (int k = 0; k < secondMoment.length; k++) {
                if (secondMoment[k] < 0) {
                    throw new IllegalArgumentException("secondMoment[" + k + "] = " + secondMoment[k] + " is negative");
                }
            }
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
            Checks.positive("learningRate", learningRate);
            firstMoment = firstMoment.clone();
            secondMoment = secondMoment.clone();
        }

        /** A copy of \(m\). */
        @Override
        public double[] firstMoment() {
            return firstMoment.clone();
        }

        /** A copy of \(v\). */
        @Override
        public double[] secondMoment() {
            return secondMoment.clone();
        }
    }

    /** A copy of the optimizer's state, for a checkpoint. */
    public State state() {
        fetchMoments();
        return new State(m, v, steps, learningRate);
    }

    /**
     * Replaces the state with one saved by {@link #state()}.
     *
     * @throws IllegalArgumentException if its size differs from this optimizer's
     */
    public void restore(State state) {
        Checks.present("state", state);
        if (state.firstMoment.length != m.length) {
            throw new IllegalArgumentException("state is for " + state.firstMoment.length + " parameters, this optimizer has "
                    + m.length);
        }
        fetch = null;
        revision++;
        System.arraycopy(state.firstMoment, 0, m, 0, m.length);
        System.arraycopy(state.secondMoment, 0, v, 0, v.length);
        steps = state.steps;
        learningRate = state.learningRate;
    }

    /** The number of steps taken. */
    public long steps() {
        return steps;
    }

    /** The current learning rate \(\eta\). */
    public double learningRate() {
        return learningRate;
    }

    /** Sets \(\eta\) for the following steps (a schedule); the moment estimates are kept. */
    public void setLearningRate(double learningRate) {
        this.learningRate = Checks.positive("learningRate", learningRate);
    }

    /** The number of parameters. */
    public int size() {
        return m.length;
    }
}

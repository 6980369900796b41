package io.rematch.model;

import com.aparapi.Range;
import io.rematch.data.Features;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import io.rematch.optim.Adam;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The host side of {@link TowerKernel}: a {@link TwoTower}'s training steps on an OpenCL device,
 * in float32, with the optimiser's state kept there. {@link #scores} encodes a batch through both
 * towers and forms \(S = f_V f_T^T\); {@link #backward} takes \(G = \partial L/\partial S\) back
 * through both towers and adds the parameter gradients to the step's sum, on the device;
 * {@link Parameters#step} then clips that sum and takes Adam's step there ({@link #step}). The
 * same math as the CPU's {@link Tower} in {@link Precision#FLOAT32} and {@link Adam}; the contract
 * test states how closely they agree.
 *
 * <p>What crosses the bus per step: the batch's feature rows (up), \(S\) (down), \(G\) (up) and
 * {@link TowerKernel#SQUARE_GROUPS} partial sums of the gradient's squared norm (down, for the
 * clipping factor and the finiteness check). The weights, the gradients, Adam's moments and every
 * activation stay on the device. The loss stays on the host, in float64, so every loss of the
 * library works unchanged.
 *
 * <p><b>Where the state lives.</b> The device's weights, moments and gradients are newer than the
 * host's once it has stepped; this class is the {@link Parameters.Remote} of the model's
 * parameters and holds Adam's moments for it ({@link Adam#heldElsewhere}), so whatever the host
 * reads (a validation's encoding, a checkpoint's weights and moments, {@link Parameters#gradients})
 * is first copied back, widened exactly from float32. A host write (a restored checkpoint:
 * {@link Parameters#valuesChanged}, {@link Adam#restore}) is copied up before the next step. So a
 * run resumed from a checkpoint on the same device continues bit for bit.
 *
 * <p>Every device call runs while holding {@code lock} (the backend's). If the device fails, the
 * state it holds is first copied back to the host, and the step is taken on the CPU from there: for
 * {@link #scores} and {@link #backward} the caller ({@link TwoTower}) recomputes them, and
 * {@link #step} takes the host's step itself. If that copy fails too (Aparapi fell back to Java, so
 * the device's buffers cannot be read), the steps since the host last read the state are lost, and
 * every later read of the parameters or moments says so (an {@link IllegalStateException}): never
 * stale weights passed off as the run's.
 */
public final class DeviceTowers implements AutoCloseable, Parameters.Remote {

    private final OpenClDevice device;
    private final Parameters parameters;
    private final Plan image;
    private final Plan text;
    private final Object lock;
    private TowerKernel kernel;
    private long uploaded = Long.MIN_VALUE;
    private int imageRows;
    private int captionRows;
    private int images;
    private int captions;
    private long steps;
    private long optimiserSteps;
    private int backwards;
    private String retired;
    private String lost;
    private Consumer<DeviceFailure> listener = e -> { };
    // what the device holds newer than the host (read without the lock by the hooks' fast path)
    private volatile boolean valuesAhead;
    private volatile boolean momentsAhead;
    private volatile boolean gradientsAhead;
    // no backward pass since the gradients were zeroed: the device's sum counts as zero
    private boolean gradientsFresh = true;
    private Adam resident;
    private long residentRevision;
    /** Tests only: the backward pass that is made to fail (-1: none). */
    int failBackwardAt = -1;
    /** Tests only: the optimiser step that is made to fail (-1: none). */
    int failStepAt = -1;
    /** Tests only: a failure of the device's buffers too (they cannot be read back). */
    boolean failReads;

    /** Where one tower's buffers lie in the kernel's {@code act}, for {@code rows} rows. */
    private static final class Plan {
        final int source;    // TowerKernel.XV or XT
        final int[] in;      // layer widths in
        final int[] out;
        final int[] weight;
        final int[] bias;
        final int embed;
        int[] acts;          // acts[l]: input of layer l (l >= 1)
        int pre;
        int f;
        int norms;
        int gradOut;
        int gradA;
        int gradB;

        Plan(Tower tower, int source) {
            this.source = source;
            Linear[] layers = tower.layers();
            in = new int[layers.length];
            out = new int[layers.length];
            weight = new int[layers.length];
            bias = new int[layers.length];
            for (int l = 0; l < layers.length; l++) {
                in[l] = layers[l].in;
                out[l] = layers[l].out;
                weight[l] = layers[l].weightOffset();
                bias[l] = layers[l].biasOffset();
            }
            embed = tower.embed();
        }

        /** Lays the buffers out from {@code start} for {@code rows} rows; returns the end. */
        long layout(long start, int rows) {
            long at = start;
            acts = new int[in.length];
            int widest = 0;
            for (int l = 0; l < in.length; l++) {
                widest = Math.max(widest, Math.max(in[l], out[l]));
                if (l > 0) {
                    acts[l] = (int) Math.min(at, Integer.MAX_VALUE);
                    at += (long) rows * in[l];
                }
            }
            pre = (int) Math.min(at, Integer.MAX_VALUE);
            at += (long) rows * embed;
            f = (int) Math.min(at, Integer.MAX_VALUE);
            at += (long) rows * embed;
            gradOut = (int) Math.min(at, Integer.MAX_VALUE);
            at += (long) rows * embed;
            norms = (int) Math.min(at, Integer.MAX_VALUE);
            at += rows;
            gradA = (int) Math.min(at, Integer.MAX_VALUE);
            at += (long) rows * widest;
            gradB = (int) Math.min(at, Integer.MAX_VALUE);
            at += (long) rows * widest;
            return at;
        }
    }

    /**
     * @param device where the steps run
     * @param model  the model whose steps they are (its parameters are read, stepped and written back)
     * @param lock   held around every device call (the backend that owns the device)
     */
    public DeviceTowers(OpenClDevice device, TwoTower model, Object lock) {
        this.device = device;
        this.parameters = model.parameters();
        this.image = new Plan(model.imageTower(), TowerKernel.XV);
        this.text = new Plan(model.textTower(), TowerKernel.XT);
        this.lock = lock;
        parameters.attach(this);
    }

    /** Who hears of a failure that {@link #step} recovered from on the host (the model). */
    void listen(Consumer<DeviceFailure> listener) {
        this.listener = listener == null ? e -> { } : listener;
    }

    /** The device's name. */
    public String deviceName() {
        return device.name();
    }

    /** How many batch steps ({@link #scores}) ran on the device. */
    public synchronized long steps() {
        return steps;
    }

    /** How many optimiser steps (clipping and Adam) ran on the device. */
    public synchronized long optimiserSteps() {
        return optimiserSteps;
    }

    /**
     * As {@link TwoTower#scores}: the batch's scores into {@code scores} (float64, widened from
     * the device's float32), keeping on the device what {@link #backward} needs.
     *
     * @throws DeviceFailure if the device cannot hold the batch or a kernel does not run there (the
     *                       device's state is then back on the host)
     */
    public void scores(Features imageFeatures, int[] imageIndex, int images, Features captionFeatures,
                       int[] captionIndex, int captions, double[] scores) {
        synchronized (lock) {
            try {
                usable();
                ensure(images, captions);
                TowerKernel k = kernel;
                imageFeatures.gather(imageIndex, 0, images, k.xv);
                captionFeatures.gather(captionIndex, 0, captions, k.xt);
                Launch.put(k, k.xv, device, "the towers' image rows");
                Launch.put(k, k.xt, device, "the towers' caption rows");
                if (uploaded != parameters.version()) {
                    parameters.float32Values(k.w);
                    Launch.put(k, k.w, device, "the towers' weights");
                    uploaded = parameters.version();
                    valuesAhead = false;
                }
                this.images = images;
                this.captions = captions;
                forward(image, images);
                forward(text, captions);
                int e = image.embed;
                multiply(TowerKernel.ACT, image.f, e, false, TowerKernel.ACT, text.f, e, true,
                        TowerKernel.S, 0, captions, images, captions, e, false, "the batch scores");
                Launch.get(k, k.s, device, "the batch scores");
                for (int q = 0; q < images * captions; q++) {
                    scores[q] = k.s[q];
                }
                synchronized (this) {
                    steps++;
                }
            } catch (DeviceFailure e) {
                failed(e);
                throw e;
            }
        }
    }

    /**
     * As {@link TwoTower#backward}: adds \(\partial L/\partial\theta\) for {@code dScores} of the
     * last {@link #scores} to the step's gradients, on the device.
     *
     * @throws DeviceFailure if a kernel does not run on the device (the gradients of the earlier
     *                       passes, and the rest of the state, are then back on the host)
     */
    public void backward(double[] dScores) {
        synchronized (lock) {
            if (images == 0) {
                throw new IllegalStateException("backward before scores");
            }
            try {
                usable();
                TowerKernel k = kernel;
                if (backwards++ == failBackwardAt) {
                    throw new DeviceFailure("a failure injected by a test");
                }
                for (int q = 0; q < images * captions; q++) {
                    k.s[q] = (float) dScores[q];
                }
                Launch.put(k, k.s, device, "the score gradient");
                rowPass(TowerKernel.ZERO, parameters.size(), "zeroing the gradients");
                int e = image.embed;
                // dL/df_V = G f_T, then the image tower; dL/df_T = G^T f_V, then the text tower
                multiply(TowerKernel.S, 0, captions, false, TowerKernel.ACT, text.f, e, false,
                        TowerKernel.ACT, image.gradOut, e, images, e, captions, false, "the image embeddings' gradient");
                backward(image, images);
                multiply(TowerKernel.S, 0, captions, true, TowerKernel.ACT, image.f, e, false,
                        TowerKernel.ACT, text.gradOut, e, captions, e, images, false, "the caption embeddings' gradient");
                backward(text, captions);
                k.fresh = gradientsFresh ? 1 : 0;
                rowPass(TowerKernel.ACCUMULATE, parameters.size(), "the step's gradient sum");
                gradientsFresh = false;
                gradientsAhead = true;
            } catch (DeviceFailure e) {
                failed(e);
                throw e;
            }
        }
    }

    /**
     * {@link Parameters#step} on the device: the squared norm of the step's gradients reduced
     * there, the clipping factor and the finiteness check on the host (as {@link Adam#clipScale}),
     * then Adam's update of every weight and moment in float32 ({@link Adam#stepElsewhere}); only
     * the partial sums cross the bus. If the device fails, its state is brought back and the step
     * is taken on the host, and the steps stay there.
     *
     * @return the gradient norm before clipping
     * @throws IllegalArgumentException if the gradient is not finite or {@code adam} is for another
     *                                  size (nothing is changed)
     */
    @Override
    public double step(Adam adam, double maxNorm) {
        DeviceFailure failure = null;
        synchronized (lock) {
            if (kernel != null || retired != null) {
                try {
                    usable();
                    return deviceStep(adam, maxNorm);
                } catch (DeviceFailure e) {
                    failed(e);
                    failure = e;
                }
            }
        }
        if (failure != null) {
            listener.accept(failure);
        }
        return parameters.hostStep(adam, maxNorm);
    }

    private double deviceStep(Adam adam, double maxNorm) {
        int n = parameters.size();
        if (adam == null || adam.size() != n) {
            throw new IllegalArgumentException("adam must be for the model's " + n + " parameters, got "
                    + (adam == null ? "none" : adam.size()));
        }
        if (optimiserSteps == failStepAt) {
            throw new DeviceFailure("a failure injected by a test");
        }
        TowerKernel k = kernel;
        if (resident != adam || adam.revision() != residentRevision) {
            if (resident != adam && momentsAhead) {
                pullMomentsNow();     // the previous optimiser's moments go home first
            }
            Adam.State state = adam.state();
            double[] m = state.firstMoment();
            double[] v = state.secondMoment();
            for (int q = 0; q < n; q++) {
                k.m[q] = (float) m[q];
                k.v[q] = (float) v[q];
            }
            Launch.put(k, k.m, device, "Adam's first moments");
            Launch.put(k, k.v, device, "Adam's second moments");
            resident = adam;
            residentRevision = adam.revision();
            momentsAhead = false;
        }
        if (gradientsFresh) {
            rowPass(TowerKernel.ZERO_SUM, n, "zeroing the step's gradient sum");
            gradientsFresh = false;
        }
        k.count = n;
        k.pass = TowerKernel.SQUARES;
        Launch.run(k, Range.create(device.aparapi(), TowerKernel.SQUARE_GROUPS * TowerKernel.SQUARE_GROUP,
                TowerKernel.SQUARE_GROUP), device, "the gradient's squared norm");
        Launch.get(k, k.partial, device, "the gradient's squared norm");
        double sum = 0;
        for (float p : k.partial) {
            sum += p;
        }
        if (!Double.isFinite(sum)) {
            // a square beyond float32, or a gradient that is not finite: the host's float64 decides
            Launch.get(k, k.gsum, device, "the step's gradients");
            sum = 0;
            for (float g : k.gsum) {
                sum += (double) g * g;
            }
        }
        double scale = Adam.clipScale(sum, maxNorm);
        adam.stepElsewhere(c -> {
            k.clip = (float) scale;
            k.beta1 = (float) c.beta1();
            k.beta2 = (float) c.beta2();
            k.oneMinusBeta1 = (float) (1 - c.beta1());
            k.oneMinusBeta2 = (float) (1 - c.beta2());
            k.stepA = (float) c.a();
            k.stepE = (float) c.epsilon();
            rowPass(TowerKernel.ADAM, n, "Adam's step");
        });
        valuesAhead = true;
        momentsAhead = true;
        adam.heldElsewhere(this::pullMoments);
        residentRevision = adam.revision();
        synchronized (this) {
            optimiserSteps++;
        }
        return Math.sqrt(sum);
    }

    @Override
    public void pullValues() {
        if (!valuesAhead) {
            return;
        }
        synchronized (lock) {
            if (valuesAhead) {
                try {
                    pullValuesNow();
                } catch (DeviceFailure e) {
                    lose(e);
                }
            }
        }
    }

    @Override
    public void pullGradients() {
        if (!gradientsAhead) {
            return;
        }
        synchronized (lock) {
            if (gradientsAhead) {
                try {
                    pullGradientsNow();
                } catch (DeviceFailure e) {
                    lose(e);
                }
            }
        }
    }

    @Override
    public void zeroGradients() {
        synchronized (lock) {
            gradientsFresh = true;
            gradientsAhead = false;
        }
    }

    /** The resident optimiser's hook ({@link Adam#heldElsewhere}). */
    private void pullMoments() {
        synchronized (lock) {
            if (momentsAhead) {
                boolean home = false;
                try {
                    pullMomentsNow();
                    home = true;
                } catch (DeviceFailure e) {
                    lose(e);
                } finally {
                    if (!home) {
                        resident.heldElsewhere(this::pullMoments);     // still not the host's: ask again next time
                    }
                }
            }
        }
    }

    private void pullValuesNow() {
        checkNotLost();
        TowerKernel k = kernel;
        readable(k, "the towers' weights");
        Launch.get(k, k.w, device, "the towers' weights");
        parameters.pulled(k.w);
        uploaded = parameters.version();
        valuesAhead = false;
    }

    private void pullGradientsNow() {
        checkNotLost();
        TowerKernel k = kernel;
        readable(k, "the step's gradients");
        Launch.get(k, k.gsum, device, "the step's gradients");
        parameters.pulledGradients(k.gsum);
        gradientsAhead = false;
    }

    private void pullMomentsNow() {
        checkNotLost();
        TowerKernel k = kernel;
        readable(k, "Adam's moments");
        Launch.get(k, k.m, device, "Adam's first moments");
        Launch.get(k, k.v, device, "Adam's second moments");
        int n = parameters.size();
        double[] m = new double[n];
        double[] v = new double[n];
        for (int q = 0; q < n; q++) {
            m[q] = k.m[q];
            v[q] = k.v[q];
        }
        resident.restore(new Adam.State(m, v, resident.steps(), resident.learningRate()));
        residentRevision = resident.revision();
        momentsAhead = false;
    }

    private void readable(TowerKernel k, String what) {
        if (k == null || failReads) {
            throw new DeviceFailure(what + " cannot be read back from " + device.name()
                    + (failReads ? ": a failure injected by a test" : ": its buffers are released"));
        }
    }

    /** Everything the device holds newer than the host, copied back. */
    private void bringHome() {
        if (valuesAhead) {
            pullValuesNow();
        }
        if (momentsAhead) {
            pullMomentsNow();
        }
        if (gradientsAhead) {
            pullGradientsNow();
        }
    }

    /**
     * After a device failure: the state back on the host (or, if it cannot be read, marked lost),
     * the buffers released, and every later call refused.
     */
    private void failed(DeviceFailure e) {
        if (retired == null) {
            retired = e.getMessage();
        }
        if (lost == null) {
            try {
                bringHome();
            } catch (DeviceFailure f) {
                lost = f.getMessage();
            }
        }
        release();
    }

    /** A read of the state failed: it is lost; the device is released and the model told. */
    private void lose(DeviceFailure e) {
        if (lost == null) {
            lost = e.getMessage();
        }
        boolean first = retired == null;
        if (first) {
            retired = e.getMessage();
        }
        release();
        if (first) {
            listener.accept(e);
        }
        throw lostState();
    }

    private void checkNotLost() {
        if (lost != null) {
            throw lostState();
        }
    }

    private IllegalStateException lostState() {
        return new IllegalStateException("the training state held on " + device.name() + " (the weights and Adam's"
                + " moments since the host last read them) could not be read back after the device failed (" + lost
                + "); resume the run from its last checkpoint (rematch train --out DIR --resume)");
    }

    /** Refuses the call if the device failed ({@link #retire}, or earlier). */
    private void usable() {
        if (retired != null) {
            throw new DeviceFailure("the device failed earlier: " + retired);
        }
    }

    /** Releases the buffers; while no state was lost, the host's copy is the state from now on. */
    private void release() {
        if (kernel != null) {
            kernel.dispose();
            kernel = null;
        }
        if (lost == null) {
            valuesAhead = false;
            momentsAhead = false;
            gradientsAhead = false;
            if (parameters.attached(this)) {
                parameters.attach(null);
            }
        }
    }

    private void forward(Plan p, int rows) {
        int layers = p.in.length;
        for (int l = 0; l < layers; l++) {
            boolean last = l == layers - 1;
            int src = l == 0 ? p.source : TowerKernel.ACT;
            int x = l == 0 ? 0 : p.acts[l];
            int y = last ? p.pre : p.acts[l + 1];
            multiply(src, x, p.in[l], false, TowerKernel.W, p.weight[l], p.in[l], true,
                    TowerKernel.ACT, y, p.out[l], rows, p.out[l], p.in[l], false, "a layer's product");
            TowerKernel k = kernel;
            k.yOff = y;
            k.cols = p.out[l];
            k.bias = p.bias[l];
            k.relu = last ? 0 : 1;
            rowPass(TowerKernel.BIAS, rows * p.out[l], "a layer's bias");
        }
        TowerKernel k = kernel;
        k.xOff = p.pre;
        k.yOff = p.f;
        k.normOff = p.norms;
        k.cols = p.embed;
        rowPass(TowerKernel.NORMALISE, rows, "the L2 normalisation");
    }

    private void backward(Plan p, int rows) {
        TowerKernel k = kernel;
        int dz = p.gradA;
        k.xOff = p.pre;
        k.yOff = p.gradOut;
        k.zOff = dz;
        k.normOff = p.norms;
        k.cols = p.embed;
        rowPass(TowerKernel.NORMALISE_BACK, rows, "the L2 normalisation's gradient");
        for (int l = p.in.length - 1; l >= 0; l--) {
            int src = l == 0 ? p.source : TowerKernel.ACT;
            int x = l == 0 ? 0 : p.acts[l];
            // dW += dz^T X, db += column sums of dz
            multiply(TowerKernel.ACT, dz, p.out[l], true, src, x, p.in[l], false,
                    TowerKernel.G, p.weight[l], p.in[l], p.out[l], p.in[l], rows, true, "a layer's weight gradient");
            k.rows = rows;
            k.cols = p.out[l];
            k.yOff = dz;
            k.bias = p.bias[l];
            rowPass(TowerKernel.BIAS_GRADIENT, p.out[l], "a layer's bias gradient");
            if (l > 0) {
                int dx = dz == p.gradA ? p.gradB : p.gradA;
                multiply(TowerKernel.ACT, dz, p.out[l], false, TowerKernel.W, p.weight[l], p.in[l], false,
                        TowerKernel.ACT, dx, p.in[l], rows, p.in[l], p.out[l], false, "a layer's input gradient");
                k.aSrc = TowerKernel.ACT;
                k.xOff = p.acts[l];
                k.yOff = dx;
                rowPass(TowerKernel.RELU_MASK, rows * p.in[l], "ReLU's gradient");
                dz = dx;
            }
        }
    }

    /** \(C \mathrel{(+)}= \mathrm{op}(A)\,\mathrm{op}(B)\), {@code m x n}, inner length {@code inner}. */
    private void multiply(int aSrc, int aOff, int lda, boolean transA, int bSrc, int bOff, int ldb, boolean transB,
                          int cDst, int cOff, int ldc, int m, int n, int inner, boolean accumulate, String what) {
        TowerKernel k = kernel;
        k.pass = TowerKernel.MULTIPLY;
        k.aSrc = aSrc;
        k.aOff = aOff;
        k.lda = lda;
        k.transA = transA ? 1 : 0;
        k.bSrc = bSrc;
        k.bOff = bOff;
        k.ldb = ldb;
        k.transB = transB ? 1 : 0;
        k.cDst = cDst;
        k.cOff = cOff;
        k.ldc = ldc;
        k.mm = m;
        k.nn = n;
        k.kk = inner;
        k.accumulate = accumulate ? 1 : 0;
        Range range = Range.create2D(device.aparapi(), Launch.padded(n, TowerKernel.TILE) / 4,
                Launch.padded(m, TowerKernel.TILE) / 4, TowerKernel.GROUP, TowerKernel.GROUP);
        Launch.run(k, range, device, String.format(Locale.ROOT, "%s (%d x %d x %d)", what, m, n, inner));
    }

    private void rowPass(int pass, int count, String what) {
        TowerKernel k = kernel;
        k.pass = pass;
        k.count = count;
        Launch.run(k, Range.create(device.aparapi(), Launch.padded(count, TowerKernel.LINE), TowerKernel.LINE),
                device, what);
    }

    /** A kernel whose buffers hold {@code images} and {@code captions} rows (a new one when they grow). */
    private void ensure(int images, int captions) {
        if (images < 1 || captions < 1) {
            throw new IllegalArgumentException("a batch needs at least one image and one caption, got " + images
                    + " and " + captions);
        }
        if (kernel != null && images <= imageRows && captions <= captionRows) {
            return;
        }
        boolean carryGradients = kernel != null && !gradientsFresh;
        if (kernel != null) {
            bringHome();     // the state moves to the new kernel through the host
            kernel.dispose();
            kernel = null;
        }
        int rowsV = Math.max(images, imageRows);
        int rowsT = Math.max(captions, captionRows);
        long end = text.layout(image.layout(0, rowsV), rowsT);
        long xv = (long) rowsV * image.in[0];
        long xt = (long) rowsT * text.in[0];
        long sBytes = 4L * rowsV * rowsT;
        int n = parameters.size();
        long largest = 4L * Math.max(Math.max(end, n), Math.max(xv, xt));
        // the activations; the weights, two gradients and two moments; the batch rows; S
        Launch.requireMemory(device, Math.max(largest, sBytes), 4L * (end + 5L * n + xv + xt
                + TowerKernel.SQUARE_GROUPS) + sBytes, String.format(Locale.ROOT,
                "the towers' step on a batch of %d images and %d captions", images, captions));
        if (end > Integer.MAX_VALUE - 8) {
            throw new DeviceFailure("the towers' activations for a batch of " + images + " x " + captions
                    + " exceed one buffer");
        }
        TowerKernel k = Launch.prepare(new TowerKernel(), device);
        k.xv = new float[(int) xv];
        k.xt = new float[(int) xt];
        k.w = new float[n];
        k.g = new float[n];
        k.gsum = new float[n];
        k.m = new float[n];
        k.v = new float[n];
        k.partial = new float[TowerKernel.SQUARE_GROUPS];
        k.s = new float[rowsV * rowsT];
        k.act = new float[(int) end];
        k.eps = (float) Tower.EPSILON;
        kernel = k;
        imageRows = rowsV;
        captionRows = rowsT;
        uploaded = Long.MIN_VALUE;
        resident = null;
        Launch.put(k, k.act, device, "the towers' activations");
        Launch.put(k, k.g, device, "the towers' gradients");
        if (carryGradients) {
            double[] g = parameters.gradients();
            for (int q = 0; q < n; q++) {
                k.gsum[q] = (float) g[q];
            }
        } else {
            gradientsFresh = true;
        }
        Launch.put(k, k.gsum, device, "the step's gradient sum");
    }

    /**
     * Refuses every later step (the device failed elsewhere). The state it holds is brought back to
     * the host at the model's next call (or {@link #close}), by the thread that trains it.
     */
    public void retire(String why) {
        synchronized (lock) {
            if (retired == null) {
                retired = why;
            }
        }
    }

    /**
     * Brings the state the device holds back to the host and releases the buffers (a later step
     * allocates them again and copies the state up). If that state cannot be read back, the
     * parameters and the moments stay marked lost: their next read says so.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (kernel != null && lost == null) {
                try {
                    bringHome();
                } catch (DeviceFailure e) {
                    lost = e.getMessage();
                }
            }
            release();
        }
    }
}

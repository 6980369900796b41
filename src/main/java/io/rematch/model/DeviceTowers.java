package io.rematch.model;

import com.aparapi.Range;
import io.rematch.data.Features;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.Launch;
import io.rematch.opencl.OpenClDevice;
import java.util.Locale;

/**
 * The host side of {@link TowerKernel}: a {@link TwoTower}'s batch step on an OpenCL device, in
 * float32. {@link #scores} encodes a batch through both towers and forms \(S = f_V f_T^T\);
 * {@link #backward} takes \(G = \partial L/\partial S\) back through both towers and adds the
 * parameter gradients to the model's {@link Parameters}. The same math as the CPU's
 * {@link Tower} in {@link Precision#FLOAT32}; the contract test states how closely they agree.
 *
 * <p>What crosses the bus per step: the batch's feature rows and, when they changed, the float32
 * weights (up); \(S\) (down); \(G\) (up); the gradients (down). Activations and their gradients
 * stay on the device. The loss, the gradient clipping and Adam stay on the host, in float64 on
 * the master weights, so checkpoints, resumption and every loss of the library work unchanged.
 *
 * <p>Every device call runs while holding {@code lock} (the backend's), and a device error is a
 * {@link DeviceFailure}: the caller ({@link TwoTower}) recomputes the step on the CPU.
 */
public final class DeviceTowers implements AutoCloseable {

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
    private int backwards;
    private String retired;
    /** Tests only: the backward pass that is made to fail (-1: none). */
    int failBackwardAt = -1;

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
     * @param model  the model whose steps they are (its parameters are read and its gradients added to)
     * @param lock   held around every device call (the backend that owns the device)
     */
    public DeviceTowers(OpenClDevice device, TwoTower model, Object lock) {
        this.device = device;
        this.parameters = model.parameters();
        this.image = new Plan(model.imageTower(), TowerKernel.XV);
        this.text = new Plan(model.textTower(), TowerKernel.XT);
        this.lock = lock;
    }

    /** The device's name. */
    public String deviceName() {
        return device.name();
    }

    /** How many batch steps ({@link #scores}) ran on the device. */
    public synchronized long steps() {
        return steps;
    }

    /**
     * As {@link TwoTower#scores}: the batch's scores into {@code scores} (float64, widened from
     * the device's float32), keeping on the device what {@link #backward} needs.
     *
     * @throws DeviceFailure if the device cannot hold the batch or a kernel does not run there
     */
    public void scores(Features imageFeatures, int[] imageIndex, int images, Features captionFeatures,
                       int[] captionIndex, int captions, double[] scores) {
        synchronized (lock) {
            if (retired != null) {
                throw new DeviceFailure("the device failed earlier: " + retired);
            }
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
        }
    }

    /**
     * As {@link TwoTower#backward}: adds \(\partial L/\partial\theta\) for {@code dScores} of the
     * last {@link #scores} to the model's gradients, all at once when the device has finished.
     *
     * @throws DeviceFailure if a kernel does not run on the device (the gradients are then unchanged)
     */
    public void backward(double[] dScores) {
        synchronized (lock) {
            TowerKernel k = kernel;
            if (k == null || images == 0) {
                throw new IllegalStateException("backward before scores");
            }
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
            Launch.get(k, k.g, device, "the parameter gradients");
            parameters.addGradients(k.g);
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
        close();
        int rowsV = Math.max(images, imageRows);
        int rowsT = Math.max(captions, captionRows);
        long end = text.layout(image.layout(0, rowsV), rowsT);
        long xv = (long) rowsV * image.in[0];
        long xt = (long) rowsT * text.in[0];
        long sBytes = 4L * rowsV * rowsT;
        long largest = 4L * Math.max(Math.max(end, parameters.size()), Math.max(xv, xt));
        Launch.requireMemory(device, Math.max(largest, sBytes), 4L * (end + 2L * parameters.size() + xv + xt)
                + sBytes, String.format(Locale.ROOT, "the towers' step on a batch of %d images and %d captions",
                images, captions));
        if (end > Integer.MAX_VALUE - 8) {
            throw new DeviceFailure("the towers' activations for a batch of " + images + " x " + captions
                    + " exceed one buffer");
        }
        TowerKernel k = Launch.prepare(new TowerKernel(), device);
        k.xv = new float[(int) xv];
        k.xt = new float[(int) xt];
        k.w = new float[parameters.size()];
        k.g = new float[parameters.size()];
        k.s = new float[rowsV * rowsT];
        k.act = new float[(int) end];
        k.eps = (float) Tower.EPSILON;
        kernel = k;
        imageRows = rowsV;
        captionRows = rowsT;
        uploaded = Long.MIN_VALUE;
        Launch.put(k, k.act, device, "the towers' activations");
        Launch.put(k, k.g, device, "the towers' gradients");
    }

    /** Refuses every later step (the device failed elsewhere), releasing the buffers. */
    public void retire(String why) {
        synchronized (lock) {
            retired = why;
            close();
        }
    }

    /** Releases the device's buffers (a later step allocates them again). */
    @Override
    public void close() {
        synchronized (lock) {
            if (kernel != null) {
                kernel.dispose();
                kernel = null;
            }
        }
    }
}

package io.rematch.model;

import io.rematch.data.Features;
import io.rematch.opencl.DeviceFailure;
import java.util.random.RandomGenerator;

/**
 * RCL's two-tower retrieval model: an image encoder \(f_V\) and a text encoder \(f_T\)
 * ({@link EncoderSpec}), each ending in L2 normalisation, and the similarity
 * \(S_{ij} = f_V(V_i)^T f_T(T_j)\), a cosine (RCL Eq. 1's \(S(\cdot,\cdot)\)).
 *
 * <p>A training step is {@link #scores} on a batch of image rows and caption rows, a loss's
 * \(G = \partial L/\partial S\), then {@link #backward}: \(\partial L/\partial f_V = G\,f_T\) and
 * \(\partial L/\partial f_T = G^T f_V\) through both towers into {@link #parameters()}'
 * gradients. Several losses on different batches may be back-propagated between one
 * {@link Parameters#zeroGradients()} and the optimiser step: their gradients add up, as one
 * PyTorch backward of their sum.
 *
 * <p>One thread, one batch at a time: the result of a step depends only on its inputs, so a run is
 * reproducible to the bit from its seed and resumes bit for bit. (Running the two towers on two
 * threads was measured 1.4x faster, but gave a different result in about one step in 5,000 on
 * this JVM, and was removed; see docs/benchmarks.md.)
 */
public final class TwoTower {

    private final Parameters parameters;
    private final Tower image;
    private final Tower text;
    private final EncoderSpec spec;
    private final Precision precision;
    private Tensor v;
    private Tensor t;
    private Tensor scoreBuffer;
    private Tensor gradScores;
    private int images;
    private int captions;
    private DeviceTowers device;
    private java.util.function.Consumer<DeviceFailure> onFailure;
    private boolean lastOnDevice;
    private Features lastImages;
    private int[] lastImageRows;
    private Features lastCaptions;
    private int[] lastCaptionRows;

    /** A float64 model; see {@link #TwoTower(int, int, EncoderSpec, Precision, RandomGenerator)}. */
    public TwoTower(int imageDims, int textDims, EncoderSpec spec, RandomGenerator init) {
        this(imageDims, textDims, spec, Precision.FLOAT64, init);
    }

    /**
     * A model with freshly initialised weights (Xavier uniform, zero bias; see {@link #initialise}).
     *
     * @param imageDims input width of \(f_V\)
     * @param textDims  input width of \(f_T\)
     * @param precision the arithmetic of the towers
     */
    public TwoTower(int imageDims, int textDims, EncoderSpec spec, Precision precision, RandomGenerator init) {
        if (imageDims < 1 || textDims < 1) {
            throw new IllegalArgumentException("feature dimensions must be >= 1, got " + imageDims + " and " + textDims);
        }
        this.spec = spec;
        this.precision = precision;
        this.parameters = new Parameters(precision);
        image = new Tower(parameters, "image", imageDims, spec);
        text = new Tower(parameters, "text", textDims, spec);
        initialise(init);
    }

    /** Re-draws every weight from {@code init}: image tower first, then text, layer by layer. */
    public void initialise(RandomGenerator init) {
        image.initialise(init);
        text.initialise(init);
        parameters.valuesChanged();
    }

    /**
     * Runs the batch steps ({@link #scores}, {@link #backward}, and {@link Parameters#step}) on
     * {@code towers} from now on; {@code null} returns them to the CPU (close the towers first: that
     * brings their state back). If the device fails, {@code onFailure} hears why, the device's
     * state comes back to the host, the step is recomputed on the CPU and the steps stay there: a
     * step never returns partial numbers. On the device the towers and Adam compute in float32
     * whatever {@link #precision()} says; the loss stays on the host.
     */
    public void runStepsOn(DeviceTowers towers, java.util.function.Consumer<DeviceFailure> onFailure) {
        this.device = towers;
        this.onFailure = onFailure == null ? e -> { } : onFailure;
        this.lastOnDevice = false;
        if (towers != null) {
            towers.listen(this::deviceFailed);
        }
    }

    /** Whether the batch steps run on a device ({@link #runStepsOn}) and it has not failed. */
    public boolean stepsOnDevice() {
        return device != null;
    }

    Tower imageTower() {
        return image;
    }

    Tower textTower() {
        return text;
    }

    private void deviceFailed(DeviceFailure e) {
        if (device == null) {
            return;     // heard already
        }
        device = null;
        lastOnDevice = false;
        onFailure.accept(e);
    }

    /** Both towers' weights and gradients, one flat vector. */
    public Parameters parameters() {
        return parameters;
    }

    public EncoderSpec spec() {
        return spec;
    }

    public Precision precision() {
        return precision;
    }

    public int imageDims() {
        return image.inputs();
    }

    public int textDims() {
        return text.inputs();
    }

    public int embed() {
        return spec.embed();
    }

    /**
     * The batch scores {@code S[i][j] = f_V(image i) . f_T(caption j)} into {@code scores}
     * (row-major, {@code images x captions}, float64), keeping what {@link #backward} needs.
     *
     * @param imageRows   rows of {@code imageFeatures} forming the batch's images, {@code images} of them
     * @param captionRows rows of {@code captionFeatures}, {@code captions} of them
     */
    public void scores(Features imageFeatures, int[] imageRows, int images, Features captionFeatures,
                       int[] captionRows, int captions, double[] scores) {
        checkWidth(imageFeatures, image, "image");
        checkWidth(captionFeatures, text, "caption");
        if (device != null) {
            try {
                device.scores(imageFeatures, imageRows, images, captionFeatures, captionRows, captions, scores);
                this.images = images;
                this.captions = captions;
                lastOnDevice = true;
                lastImages = imageFeatures;
                lastImageRows = imageRows;
                lastCaptions = captionFeatures;
                lastCaptionRows = captionRows;
                return;
            } catch (DeviceFailure e) {
                deviceFailed(e);
            }
        }
        lastOnDevice = false;
        cpuScores(imageFeatures, imageRows, images, captionFeatures, captionRows, captions, scores);
    }

    private void cpuScores(Features imageFeatures, int[] imageRows, int images, Features captionFeatures,
                           int[] captionRows, int captions, double[] scores) {
        v = image.forward(imageFeatures, imageRows, images);
        t = text.forward(captionFeatures, captionRows, captions);
        this.images = images;
        this.captions = captions;
        int e = spec.embed();
        if (scoreBuffer == null || scoreBuffer.length() < images * captions) {
            scoreBuffer = precision.allocate(images * captions);
            gradScores = precision.allocate(images * captions);
        }
        scoreBuffer.multiply(false, true, images, captions, e, v, 0, e, t, 0, e, 0, 0, captions);
        scoreBuffer.copyTo(0, scores, 0, images * captions);
    }

    /**
     * Accumulates \(\partial L/\partial\theta\) into the gradients for
     * {@code dScores} \(= \partial L/\partial S\) of the last {@link #scores} call.
     */
    public void backward(double[] dScores) {
        if (lastOnDevice) {
            try {
                device.backward(dScores);
                return;
            } catch (DeviceFailure e) {
                deviceFailed(e);
                // the CPU towers hold no forward state for this batch: encode it again
                cpuScores(lastImages, lastImageRows, images, lastCaptions, lastCaptionRows, captions,
                        new double[images * captions]);
            }
        }
        int e = spec.embed();
        gradScores.copyFrom(dScores, 0, 0, images * captions);
        image.gradientBuffer().multiply(false, false, images, e, captions, gradScores, 0, captions, t, 0, e, 0, 0, e);
        image.backward();
        text.gradientBuffer().multiply(true, false, captions, e, images, gradScores, 0, captions, v, 0, e, 0, 0, e);
        text.backward();
    }

    private static void checkWidth(Features f, Tower tower, String what) {
        if (f.cols() != tower.inputs()) {
            throw new IllegalArgumentException(what + " features have " + f.cols() + " columns; this model's "
                    + what + " tower takes " + tower.inputs());
        }
    }

    /** The image embeddings of all rows of {@code features}, {@code rows x embed}, in chunks. */
    public double[] encodeImages(Features features) {
        checkWidth(features, image, "image");
        return encode(image, features);
    }

    /** The caption embeddings of all rows of {@code features}, {@code rows x embed}, in chunks. */
    public double[] encodeCaptions(Features features) {
        checkWidth(features, text, "caption");
        return encode(text, features);
    }

    private static final int CHUNK = 1024;

    private double[] encode(Tower tower, Features features) {
        int n = features.rows();
        int e = spec.embed();
        double[] all = new double[n * e];
        for (int from = 0; from < n; from += CHUNK) {
            int rows = Math.min(CHUNK, n - from);
            tower.forwardRange(features, from, rows).copyTo(0, all, from * e, rows * e);
        }
        return all;
    }

    /**
     * The similarity of every image embedding to every caption embedding,
     * {@code images x captions}, float64 (the evaluation matrix).
     */
    public static double[] similarities(double[] imageEmbeddings, int images, double[] captionEmbeddings,
                                        int captions, int embed) {
        double[] s = new double[images * captions];
        Tensor out = new Tensor.F64(s);
        out.multiply(false, true, images, captions, embed, new Tensor.F64(imageEmbeddings), 0, embed,
                new Tensor.F64(captionEmbeddings), 0, embed, 0, 0, captions);
        return s;
    }
}

package io.rematch.model;

import io.rematch.data.Features;
import java.util.random.RandomGenerator;

/**
 * RCL's two-tower retrieval model: an image encoder \(f_V\) and a text encoder \(f_T\)
 * ({@link EncoderSpec}), each ending in L2 normalisation, and the similarity
 * \(S_{ij} = f_V(V_i)^T f_T(T_j)\), a cosine (RCL Eq. 1's \(S(\cdot,\cdot)\)).
 *
 * <p>A training step is {@link #scores} on a batch of image rows and caption rows, a loss's
 * \(\partial L/\partial S\), then {@link #backward}: \(\partial L/\partial f_V = G\,f_T\) and
 * \(\partial L/\partial f_T = G^T f_V\) through both towers into {@link #parameters()}'
 * gradients. Not thread-safe: one batch at a time.
 */
public final class TwoTower {

    private final Parameters parameters = new Parameters();
    private final Tower image;
    private final Tower text;
    private final EncoderSpec spec;
    private double[] v = new double[0];
    private double[] t = new double[0];
    private double[] dv = new double[0];
    private double[] dt = new double[0];
    private int images;
    private int captions;

    /**
     * A model with freshly initialised weights (Xavier uniform, zero bias; see {@link #initialise}).
     *
     * @param imageDims input width of \(f_V\)
     * @param textDims  input width of \(f_T\)
     */
    public TwoTower(int imageDims, int textDims, EncoderSpec spec, RandomGenerator init) {
        if (imageDims < 1 || textDims < 1) {
            throw new IllegalArgumentException("feature dimensions must be >= 1, got " + imageDims + " and " + textDims);
        }
        this.spec = spec;
        image = new Tower(parameters, "image", imageDims, spec);
        text = new Tower(parameters, "text", textDims, spec);
        initialise(init);
    }

    /** Re-draws every weight from {@code init}: image tower first, then text, layer by layer. */
    public void initialise(RandomGenerator init) {
        image.initialise(init);
        text.initialise(init);
    }

    /** Both towers' weights and gradients, one flat vector. */
    public Parameters parameters() {
        return parameters;
    }

    public EncoderSpec spec() {
        return spec;
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
     * The batch scores {@code S[images x captions] = f_V(x) f_T(y)^T} (row-major into
     * {@code scores}), keeping what {@link #backward} needs.
     *
     * @param x      {@code images x imageDims} row-major
     * @param y      {@code captions x textDims} row-major
     * @param scores receives {@code images * captions} values
     */
    public void scores(double[] x, int images, double[] y, int captions, double[] scores) {
        double[] fv = image.forward(x, images);
        double[] ft = text.forward(y, captions);
        this.v = fv;
        this.t = ft;
        this.images = images;
        this.captions = captions;
        int e = spec.embed();
        Gemm.multiply(false, true, images, captions, e, 1, fv, 0, e, ft, 0, e, 0, scores, 0, captions);
    }

    /**
     * Accumulates \(\partial L/\partial\theta\) into the gradients for
     * {@code dScores} \(= \partial L/\partial S\) of the last {@link #scores} call.
     */
    public void backward(double[] dScores) {
        int e = spec.embed();
        if (dv.length < images * e) {
            dv = new double[images * e];
        }
        if (dt.length < captions * e) {
            dt = new double[captions * e];
        }
        Gemm.multiply(false, false, images, e, captions, 1, dScores, 0, captions, t, 0, e, 0, dv, 0, e);
        Gemm.multiply(true, false, captions, e, images, 1, dScores, 0, captions, v, 0, e, 0, dt, 0, e);
        image.backward(dv);
        text.backward(dt);
    }

    /** The image embeddings of all rows of {@code features}, {@code rows x embed}, in chunks. */
    public double[] encodeImages(Features features) {
        return encode(image, features);
    }

    /** The caption embeddings of all rows of {@code features}, {@code rows x embed}, in chunks. */
    public double[] encodeCaptions(Features features) {
        return encode(text, features);
    }

    private static final int CHUNK = 1024;

    private double[] encode(Tower tower, Features features) {
        if (features.cols() != tower.inputs()) {
            throw new IllegalArgumentException("features have " + features.cols() + " columns; this model's tower"
                    + " takes " + tower.inputs());
        }
        int n = features.rows();
        int e = spec.embed();
        double[] all = new double[n * e];
        double[] buf = new double[Math.min(CHUNK, Math.max(n, 1)) * features.cols()];
        for (int from = 0; from < n; from += CHUNK) {
            int rows = Math.min(CHUNK, n - from);
            features.copyRows(from, rows, buf);
            double[] out = tower.forward(buf, rows);
            System.arraycopy(out, 0, all, from * e, rows * e);
        }
        return all;
    }

    /**
     * The similarity of every image embedding to every caption embedding,
     * {@code images x captions} (the evaluation matrix).
     */
    public static double[] similarities(double[] imageEmbeddings, int images, double[] captionEmbeddings,
                                        int captions, int embed) {
        double[] s = new double[images * captions];
        Gemm.multiply(false, true, images, captions, embed, 1, imageEmbeddings, 0, embed, captionEmbeddings, 0,
                embed, 0, s, 0, captions);
        return s;
    }
}

package io.rematch.data;

import io.rematch.check.Checks;
import io.rematch.io.Npy;
import io.rematch.numeric.RestorableRandom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A synthetic image-text dataset in the {@code precomp} convention, made in seconds, on which
 * the tests train.
 *
 * <p>Each item has a latent meaning \(z \in \mathbb{R}^{L}\), \(L = 32\): its cluster's centre
 * \(c \sim N(0, I)\) plus \(N(0, \sigma_z^2 I)\) of its own (\(\sigma_z = 0.4\)), so that items
 * of one cluster are near-duplicates and retrieval has hard negatives. Two random non-linear maps
 * render it: image \(x = 2\tanh(A_V z / \sqrt{L}) + N(0, 0.8^2 I)\) in
 * \(\mathbb{R}^{d_v}\), and each of its k captions
 * \(t = 2\tanh(A_T (z + \epsilon) / \sqrt{L}) + N(0, 0.8^2 I)\) in \(\mathbb{R}^{d_t}\)
 * with \(\epsilon \sim N(0, 0.7^2 I)\) of its own (k different descriptions of one image);
 * \(A_V, A_T\) have standard normal entries. Dev and test get {@code evalImages} items each
 * (by default a tenth of all, {@link #defaultEvalImages}: an 80/10/10 split), train the rest,
 * at least {@link #MIN_TRAIN_IMAGES}; everything is written as float32. A Flickr30K-sized set is
 * {@code images = 31000, evalImages = 1000} (29,000 training images).
 *
 * <p>The splits are drawn in the order train, dev, test from one stream, so a set made with the
 * default {@code evalImages} is the same, byte for byte, as one made before the parameter existed.
 *
 * @param images           items (= images) over all splits, at least 30
 * @param evalImages       items of the dev split and, as many, of the test split; at least 1,
 *                         and at most what leaves {@link #MIN_TRAIN_IMAGES} for training
 * @param captionsPerImage k, at least 1
 * @param imageDims        \(d_v\)
 * @param textDims         \(d_t\)
 * @param clusters         number of latent clusters, at least 1
 * @param seed             everything follows from it
 */
public record SyntheticData(int images, int evalImages, int captionsPerImage, int imageDims, int textDims, int clusters,
                            long seed) {

    /** The latent dimension L. */
    public static final int LATENT = 32;
    /**
     * \(\sigma_z\): how far an item's meaning lies from its cluster's centre. With the two values
     * below, chosen so that the task is neither trivial nor hopeless: MLP towers trained clean reach
     * a test rsum of about 430 of 600 (chance: \(3200/n\) for n test images, 21 at n = 150), and at mismatch 0.6 InfoNCE falls to about
     * 230 by its last epoch while CCL holds about 320 (1,500 images, 20 clusters, 10 epochs;
     * docs/training.md).
     */
    public static final double ITEM_SPREAD = 0.4;
    /** How far each caption's meaning lies from its item's. */
    public static final double CAPTION_SPREAD = 0.7;
    /** Observation noise of every feature. */
    public static final double NOISE = 0.8;

    /**
     * The fewest training images: 24, what the default split leaves of the fewest images (30), so
     * that every set this class made before {@code evalImages} existed can still be made.
     */
    public static final int MIN_TRAIN_IMAGES = 24;

    public SyntheticData {
        Checks.atLeast("images", images, 30);
        Checks.atLeast("eval-images", evalImages, 1);
        if ((long) images - 2L * evalImages < MIN_TRAIN_IMAGES) {
            throw new IllegalArgumentException("eval-images " + evalImages + " for dev and " + evalImages
                    + " for test leave " + (images - 2L * evalImages) + " of the " + images + " images for training;"
                    + " train needs at least " + MIN_TRAIN_IMAGES + ": give eval-images at most "
                    + Math.max(0, (images - MIN_TRAIN_IMAGES) / 2) + " or more images");
        }
        Checks.atLeast("captions-per-image", captionsPerImage, 1);
        Checks.atLeast("dims (image)", imageDims, 1);
        Checks.atLeast("dims (text)", textDims, 1);
        Checks.atLeast("clusters", clusters, 1);
        if ((long) images * captionsPerImage * Math.max(imageDims, textDims) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("images x captions-per-image x dims is too large for one array: "
                    + images + " x " + captionsPerImage + " x " + Math.max(imageDims, textDims));
        }
    }

    /** A set with the default {@link #defaultEvalImages} dev and test images. */
    public SyntheticData(int images, int captionsPerImage, int imageDims, int textDims, int clusters, long seed) {
        this(images, defaultEvalImages(images), captionsPerImage, imageDims, textDims, clusters, seed);
    }

    /** The default dev (and test) size: a tenth of {@code images}, at least one. */
    public static int defaultEvalImages(int images) {
        return Math.max(1, images / 10);
    }

    /** Train, dev and test sizes: {@code images - 2 evalImages}, {@code evalImages}, {@code evalImages}. */
    public int[] splitSizes() {
        return new int[] {images - 2 * evalImages, evalImages, evalImages};
    }

    /**
     * Writes {@code {train,dev,test}_{ims,caps}.npy} and {@code synthetic.json} into {@code dir}
     * (created if needed), each file atomically.
     */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        RestorableRandom random = new RestorableRandom(seed);
        double[] centres = gaussian(random, clusters * LATENT, 1.0);
        double[] mapV = gaussian(random, imageDims * LATENT, 1.0);
        double[] mapT = gaussian(random, textDims * LATENT, 1.0);
        String[] names = {"train", "dev", "test"};
        int[] sizes = splitSizes();
        double[] z = new double[LATENT];
        double[] zc = new double[LATENT];
        for (int s = 0; s < 3; s++) {
            int n = sizes[s];
            float[] ims = new float[n * imageDims];
            float[] caps = new float[n * captionsPerImage * textDims];
            for (int i = 0; i < n; i++) {
                int cluster = random.nextInt(clusters);
                for (int l = 0; l < LATENT; l++) {
                    z[l] = centres[cluster * LATENT + l] + ITEM_SPREAD * random.nextGaussian();
                }
                render(z, mapV, imageDims, random, ims, i * imageDims);
                for (int c = 0; c < captionsPerImage; c++) {
                    for (int l = 0; l < LATENT; l++) {
                        zc[l] = z[l] + CAPTION_SPREAD * random.nextGaussian();
                    }
                    render(zc, mapT, textDims, random, caps, (i * captionsPerImage + c) * textDims);
                }
            }
            Npy.writeFloat32(dir.resolve(names[s] + "_ims.npy"), new int[] {n, imageDims}, ims);
            Npy.writeFloat32(dir.resolve(names[s] + "_caps.npy"), new int[] {n * captionsPerImage, textDims}, caps);
        }
        String json = "{\"generator\": \"rematch dataset synthetic\", \"images\": " + images
                + ", \"captions_per_image\": " + captionsPerImage + ", \"image_dims\": " + imageDims
                + ", \"text_dims\": " + textDims + ", \"clusters\": " + clusters + ", \"seed\": " + seed
                + ", \"train\": " + sizes[0] + ", \"dev\": " + sizes[1] + ", \"test\": " + sizes[2] + "}\n";
        Path tmp = dir.resolve(".synthetic.json.tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("synthetic.json"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code out[at..at+dims) = 2 tanh(A z / sqrt(L)) + N(0, NOISE^2)}. */
    private static void render(double[] z, double[] map, int dims, RestorableRandom random, float[] out, int at) {
        double scale = 1 / Math.sqrt(LATENT);
        for (int d = 0; d < dims; d++) {
            double a = 0;
            for (int l = 0; l < LATENT; l++) {
                a += map[d * LATENT + l] * z[l];
            }
            out[at + d] = (float) (2 * Math.tanh(a * scale) + NOISE * random.nextGaussian());
        }
    }

    private static double[] gaussian(RestorableRandom random, int n, double sd) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = sd * random.nextGaussian();
        }
        return v;
    }
}

package io.rematch.data.emoji;

/**
 * A hand-made 392-dimensional feature vector of one 32 x 32 emoji rendering, so that the whole
 * image pipeline is visible (the papers use Faster R-CNN region features; this dataset must be
 * computed in milliseconds, in plain Java, from the committed pixels):
 *
 * <ol>
 *   <li>{@value #LAYOUT_DIMS} colour-layout values: the mean red, green and blue of each 4 x 4 block
 *   (an 8 x 8 grid), on the image composited onto white, in [0, 1];</li>
 *   <li>{@value #COLOUR_DIMS} colour-histogram values: 8 hues x 3 saturations x 3 values (HSV) of the
 *   un-composited pixels, each pixel weighted by its alpha, normalised to sum 1 (zeros for a fully
 *   transparent image);</li>
 *   <li>{@value #EDGE_DIMS} edge-histogram values: on the grey composited image, Sobel gradients,
 *   their magnitude binned by unsigned orientation (8 bins over [0, pi)) in each 8 x 8-pixel cell
 *   (a 4 x 4 grid), the whole vector L2-normalised (a small HOG).</li>
 * </ol>
 *
 * The dataset then standardises every dimension with the training images' mean and standard
 * deviation. {@link StrictMath} keeps the values the same bits on every machine.
 */
public final class ImageFeatures {

    /** Pixels per side. */
    public static final int SIZE = 32;
    /** 8 x 8 blocks x RGB. */
    public static final int LAYOUT_DIMS = 192;
    /** 8 hues x 3 saturations x 3 values. */
    public static final int COLOUR_DIMS = 72;
    /** 4 x 4 cells x 8 orientations. */
    public static final int EDGE_DIMS = 128;
    /** All of them. */
    public static final int DIMS = LAYOUT_DIMS + COLOUR_DIMS + EDGE_DIMS;

    private ImageFeatures() {
    }

    /**
     * The features of one rendering.
     *
     * @param argb {@code SIZE * SIZE} non-premultiplied ARGB pixels, row-major
     * @param out  receives {@link #DIMS} values from {@code offset}
     */
    public static void compute(int[] argb, float[] out, int offset) {
        if (argb.length != SIZE * SIZE) {
            throw new IllegalArgumentException("an emoji rendering must be " + SIZE + " x " + SIZE + " = "
                    + SIZE * SIZE + " pixels, got " + argb.length);
        }
        int n = SIZE * SIZE;
        double[] r = new double[n];
        double[] g = new double[n];
        double[] b = new double[n];
        double[] a = new double[n];
        for (int p = 0; p < n; p++) {
            int c = argb[p];
            a[p] = ((c >>> 24) & 255) / 255.0;
            r[p] = ((c >>> 16) & 255) / 255.0;
            g[p] = ((c >>> 8) & 255) / 255.0;
            b[p] = (c & 255) / 255.0;
        }
        double[] grey = new double[n];
        double[] layout = new double[LAYOUT_DIMS];
        for (int p = 0; p < n; p++) {
            double cr = a[p] * r[p] + 1 - a[p];     // composited onto white
            double cg = a[p] * g[p] + 1 - a[p];
            double cb = a[p] * b[p] + 1 - a[p];
            grey[p] = 0.299 * cr + 0.587 * cg + 0.114 * cb;   // ITU-R BT.601 luma
            int block = (p / SIZE / 4) * 8 + (p % SIZE) / 4;
            layout[3 * block] += cr / 16;
            layout[3 * block + 1] += cg / 16;
            layout[3 * block + 2] += cb / 16;
        }
        double[] colour = colourHistogram(r, g, b, a);
        double[] edges = edgeHistogram(grey);
        for (int k = 0; k < LAYOUT_DIMS; k++) {
            out[offset + k] = (float) layout[k];
        }
        for (int k = 0; k < COLOUR_DIMS; k++) {
            out[offset + LAYOUT_DIMS + k] = (float) colour[k];
        }
        for (int k = 0; k < EDGE_DIMS; k++) {
            out[offset + LAYOUT_DIMS + COLOUR_DIMS + k] = (float) edges[k];
        }
    }

    /** The alpha-weighted HSV histogram, normalised to sum 1. */
    static double[] colourHistogram(double[] r, double[] g, double[] b, double[] a) {
        double[] h = new double[COLOUR_DIMS];
        double total = 0;
        for (int p = 0; p < r.length; p++) {
            if (a[p] == 0) {
                continue;
            }
            double max = Math.max(r[p], Math.max(g[p], b[p]));
            double min = Math.min(r[p], Math.min(g[p], b[p]));
            double chroma = max - min;
            double hue = hue(r[p], g[p], b[p], max, chroma);          // in [0, 1)
            double sat = max == 0 ? 0 : chroma / max;
            int hb = Math.min(7, (int) (hue * 8));
            int sb = Math.min(2, (int) (sat * 3));
            int vb = Math.min(2, (int) (max * 3));
            h[(hb * 3 + sb) * 3 + vb] += a[p];
            total += a[p];
        }
        if (total > 0) {
            for (int k = 0; k < h.length; k++) {
                h[k] /= total;
            }
        }
        return h;
    }

    /** The hue of an RGB colour as a fraction of the colour wheel, [0, 1); 0 for greys. */
    static double hue(double r, double g, double b, double max, double chroma) {
        if (chroma == 0) {
            return 0;
        }
        double sector;
        if (max == r) {
            sector = (g - b) / chroma;
            if (sector < 0) {
                sector += 6;
            }
        } else if (max == g) {
            sector = (b - r) / chroma + 2;
        } else {
            sector = (r - g) / chroma + 4;
        }
        double h = sector / 6;
        return h >= 1 ? 0 : h;
    }

    /** Sobel gradients (edges clamped), magnitude per unsigned-orientation bin per 8 x 8 cell, L2-normalised. */
    static double[] edgeHistogram(double[] grey) {
        double[] h = new double[EDGE_DIMS];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                // differences first: a flat region gives exactly 0, not a sum of rounding errors
                double gx = (px(grey, x + 1, y - 1) - px(grey, x - 1, y - 1))
                        + 2 * (px(grey, x + 1, y) - px(grey, x - 1, y))
                        + (px(grey, x + 1, y + 1) - px(grey, x - 1, y + 1));
                double gy = (px(grey, x - 1, y + 1) - px(grey, x - 1, y - 1))
                        + 2 * (px(grey, x, y + 1) - px(grey, x, y - 1))
                        + (px(grey, x + 1, y + 1) - px(grey, x + 1, y - 1));
                double m = StrictMath.sqrt(gx * gx + gy * gy);
                if (m == 0) {
                    continue;
                }
                double theta = StrictMath.atan2(gy, gx);                 // (-pi, pi]
                if (theta < 0) {
                    theta += Math.PI;
                }
                int bin = (int) (theta / Math.PI * 8);
                if (bin == 8) {
                    bin = 0;                                         // pi is orientation 0
                }
                int cell = (y / 8) * 4 + x / 8;
                h[cell * 8 + bin] += m;
            }
        }
        double norm = 0;
        for (double v : h) {
            norm += v * v;
        }
        norm = StrictMath.sqrt(norm);
        if (norm > 0) {
            for (int k = 0; k < h.length; k++) {
                h[k] /= norm;
            }
        }
        return h;
    }

    private static double px(double[] grey, int x, int y) {
        int cx = Math.max(0, Math.min(SIZE - 1, x));
        int cy = Math.max(0, Math.min(SIZE - 1, y));
        return grey[cy * SIZE + cx];
    }
}

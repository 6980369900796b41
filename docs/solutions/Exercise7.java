import io.rematch.course.FeaturesExercise;

/**
 * Reference solution of exercise 7: 4 x 4 block means of colour and coverage, and a hue histogram.
 *
 * - Layout (64 dims): the image cut into 4 x 4 blocks of 8 x 8 pixels; per block the mean red,
 *   green and blue composited on white, and the mean alpha (how much of the block is drawn).
 * - Colour (12 dims): a histogram of hue in 12 bins of 30 degrees over the drawn, saturated
 *   pixels, each weighted by its alpha, normalised to sum 1 (0 for an image with no colour).
 *
 * The training standardises every dimension, so the scales need not match.
 */
public class Exercise7 implements FeaturesExercise.Answer {

    private static final int SIZE = 32, BLOCKS = 4, HUES = 12;

    @Override
    public int dimensions() {
        return BLOCKS * BLOCKS * 4 + HUES;
    }

    @Override
    public float[] features(int[] argb) {
        float[] out = new float[dimensions()];
        int block = SIZE / BLOCKS;
        double[] hue = new double[HUES];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int px = argb[y * SIZE + x];
                double a = (px >>> 24) / 255.0;
                double r = (px >> 16 & 255) / 255.0, g = (px >> 8 & 255) / 255.0, b = (px & 255) / 255.0;
                int at = 4 * ((y / block) * BLOCKS + x / block);
                double share = 1.0 / (block * block);
                out[at] += (float) ((a * r + 1 - a) * share);     // composited on white
                out[at + 1] += (float) ((a * g + 1 - a) * share);
                out[at + 2] += (float) ((a * b + 1 - a) * share);
                out[at + 3] += (float) (a * share);
                double max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
                if (a > 0 && max - min > 0.15) {
                    hue[(int) (hueDegrees(r, g, b, max, min) / 30) % HUES] += a;
                }
            }
        }
        double total = 0;
        for (double h : hue) {
            total += h;
        }
        for (int k = 0; k < HUES; k++) {
            out[BLOCKS * BLOCKS * 4 + k] = total > 0 ? (float) (hue[k] / total) : 0f;
        }
        return out;
    }

    /** The hue of an RGB colour in degrees, [0, 360). */
    private static double hueDegrees(double r, double g, double b, double max, double min) {
        double d = max - min, h;
        if (max == r) {
            h = (g - b) / d;
        } else if (max == g) {
            h = 2 + (b - r) / d;
        } else {
            h = 4 + (r - g) / d;
        }
        h *= 60;
        return h < 0 ? h + 360 : h;
    }
}

package io.rematch.data.emoji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The 392 hand-made image features, on images whose features are known exactly. */
class ImageFeaturesTest {

    static final int S = ImageFeatures.SIZE;

    static float[] features(int[] argb) {
        float[] f = new float[ImageFeatures.DIMS];
        ImageFeatures.compute(argb, f, 0);
        return f;
    }

    @Test
    void theLayoutIsTwoHundredNinetyTwoPlusTheRest() {
        assertEquals(392, ImageFeatures.DIMS);
        assertEquals(8 * 8 * 3, ImageFeatures.LAYOUT_DIMS);
        assertEquals(8 * 3 * 3, ImageFeatures.COLOUR_DIMS);
        assertEquals(4 * 4 * 8, ImageFeatures.EDGE_DIMS);
    }

    @Test
    void aTransparentImageIsWhiteWithoutColourOrEdges() {
        float[] f = features(new int[S * S]);
        for (int k = 0; k < ImageFeatures.LAYOUT_DIMS; k++) {
            assertEquals(1.0, f[k], 1e-6, "composited onto white");
        }
        for (int k = ImageFeatures.LAYOUT_DIMS; k < ImageFeatures.DIMS; k++) {
            assertEquals(0.0, f[k], 0.0, "no alpha, no colour; a flat image has no gradient");
        }
    }

    @Test
    void opaqueRedFillsOneColourBin() {
        int[] red = new int[S * S];
        Arrays.fill(red, 0xFFFF0000);
        float[] f = features(red);
        for (int b = 0; b < 64; b++) {
            assertEquals(1.0, f[3 * b], 1e-6);
            assertEquals(0.0, f[3 * b + 1], 1e-6);
            assertEquals(0.0, f[3 * b + 2], 1e-6);
        }
        // hue 0 -> bin 0, saturation 1 -> bin 2, value 1 -> bin 2: (0 * 3 + 2) * 3 + 2 = 8
        for (int k = 0; k < ImageFeatures.COLOUR_DIMS; k++) {
            assertEquals(k == 8 ? 1.0 : 0.0, f[ImageFeatures.LAYOUT_DIMS + k], 1e-6, "bin " + k);
        }
    }

    @Test
    void alphaWeightsTheColourHistogramAndBlendsTheLayout() {
        int[] half = new int[S * S];
        for (int p = 0; p < half.length; p++) {
            half[p] = p % S < S / 2 ? 0xFF0000FF : 0x400000FF;   // opaque blue | quarter-alpha blue
        }
        float[] f = features(half);
        // one hue: everything in blue's bin, whatever the alpha (the histogram sums to 1)
        double sum = 0;
        for (int k = 0; k < ImageFeatures.COLOUR_DIMS; k++) {
            sum += f[ImageFeatures.LAYOUT_DIMS + k];
        }
        assertEquals(1.0, sum, 1e-6);
        double a = 0x40 / 255.0;
        assertEquals(1 - a, f[3 * 7], 1e-6, "right-hand block: red channel of blue at alpha 1/4 over white");
        assertEquals(0.0, f[0], 1e-6, "left-hand block: opaque blue has no red");
    }

    @Test
    void aVerticalEdgeHasHorizontalGradientsOnlyInItsCells() {
        int[] edge = new int[S * S];
        for (int p = 0; p < edge.length; p++) {
            edge[p] = p % S < 12 ? 0xFF000000 : 0xFFFFFFFF;    // black | white at x = 12 (cell column 1)
        }
        float[] f = features(edge);
        int base = ImageFeatures.LAYOUT_DIMS + ImageFeatures.COLOUR_DIMS;
        double norm = 0;
        for (int cell = 0; cell < 16; cell++) {
            for (int bin = 0; bin < 8; bin++) {
                double v = f[base + cell * 8 + bin];
                norm += v * v;
                boolean expected = bin == 0 && cell % 4 == 1;   // gradient along +x: orientation 0
                assertEquals(expected, v > 0, "cell " + cell + " bin " + bin + " = " + v);
            }
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-6, "L2-normalised");
    }

    @Test
    void orientationsAreUnsignedAndBinnedOverPi() {
        int[] edge = new int[S * S];
        for (int p = 0; p < edge.length; p++) {
            edge[p] = p / S < 20 ? 0xFFFFFFFF : 0xFF000000;    // white above black: gradient along -y
        }
        float[] f = features(edge);
        int base = ImageFeatures.LAYOUT_DIMS + ImageFeatures.COLOUR_DIMS;
        for (int cell = 8; cell < 12; cell++) {                   // cell row 2 holds y = 20
            assertTrue(f[base + cell * 8 + 4] > 0, "-pi/2 folds onto pi/2: bin 4");
        }
    }

    @Test
    void theHueWheel() {
        assertEquals(0.0, ImageFeatures.hue(1, 0, 0, 1, 1), 1e-12);
        assertEquals(1 / 3.0, ImageFeatures.hue(0, 1, 0, 1, 1), 1e-12);
        assertEquals(2 / 3.0, ImageFeatures.hue(0, 0, 1, 1, 1), 1e-12);
        assertEquals(5 / 6.0, ImageFeatures.hue(1, 0, 1, 1, 1), 1e-12);
        assertEquals(0.0, ImageFeatures.hue(0.5, 0.5, 0.5, 0.5, 0), 0.0, "grey");
    }

    @Test
    void aRenderingOfTheWrongSizeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFeatures.compute(new int[10], new float[ImageFeatures.DIMS], 0));
        assertTrue(e.getMessage().contains("32 x 32"), e.getMessage());
    }
}

package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Features;
import io.rematch.loss.LossValue;
import io.rematch.loss.Losses;
import io.rematch.numeric.RestorableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * float32 towers compute what float64 towers compute, to float32's resolution: scores within
 * 1e-5 (cosines, |S| <= 1, float32 epsilon 6e-8 times the depth of the sums), gradients within
 * 1e-4 of their largest entry. And the products are right: a float64 forward pass equals a plain
 * triple loop to rounding.
 */
class PrecisionTest {

    @Test
    void float32AgreesWithFloat64() {
        long seed = 4242;
        System.out.println("seed " + seed);
        int b = 16;
        EncoderSpec spec = new EncoderSpec("mlp", new int[] {64, 32}, 24);
        TwoTower f64 = new TwoTower(40, 30, spec, Precision.FLOAT64, new RestorableRandom(seed));
        TwoTower f32 = new TwoTower(40, 30, spec, Precision.FLOAT32, new RestorableRandom(seed));
        RestorableRandom r = new RestorableRandom(seed + 1);
        float[] x = new float[b * 40];
        float[] y = new float[b * 30];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) r.nextGaussian();
        }
        for (int k = 0; k < y.length; k++) {
            y[k] = (float) r.nextGaussian();
        }
        Features fx = Features.ofFloats(b, 40, x);
        Features fy = Features.ofFloats(b, 30, y);
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) {
            rows[i] = (i * 7) % b;
        }
        double[] s64 = new double[b * b];
        double[] s32 = new double[b * b];
        f64.scores(fx, rows, b, fy, rows, b, s64);
        f32.scores(fx, rows, b, fy, rows, b, s32);
        double worst = 0;
        for (int k = 0; k < s64.length; k++) {
            worst = Math.max(worst, Math.abs(s64[k] - s32[k]));
        }
        assertTrue(worst < 1e-5 && worst > 0, "scores differ by " + worst + " (0 would mean float32 did not run)");

        LossValue v = Losses.create("ccl-log", Losses.Settings.defaults()).evaluate(DMatrixRMaj.wrap(b, b, s64));
        f64.parameters().zeroGradients();
        f32.parameters().zeroGradients();
        f64.backward(v.gradient().data.clone());
        f32.backward(v.gradient().data.clone());
        double[] g64 = f64.parameters().gradients();
        double[] g32 = f32.parameters().gradients();
        double scale = 0;
        double diff = 0;
        for (int k = 0; k < g64.length; k++) {
            scale = Math.max(scale, Math.abs(g64[k]));
            diff = Math.max(diff, Math.abs(g64[k] - g32[k]));
        }
        assertTrue(scale > 1e-3, "gradient must not vanish");
        assertTrue(diff < 1e-4 * scale, "gradients differ by " + diff + " of " + scale);
    }

    @Test
    void linearForwardIsTheMatrixProductOfItsParameters() {
        EncoderSpec spec = new EncoderSpec("linear", null, 3);
        TwoTower m = new TwoTower(4, 2, spec, new RestorableRandom(1));
        double[] w = m.parameters().values();
        for (int k = 0; k < w.length; k++) {
            w[k] = (k % 7) - 3 + 0.25 * k;   // weights and biases all non-zero
        }
        m.parameters().valuesChanged();
        double[] x = {1, 2, 3, 4, -1, 0.5, 2, -3};
        double[] e = m.encodeImages(Features.ofDoubles(2, 4, x));
        // image.0.weight (3 x 4) then image.0.bias (3): y = W x + b, then y / (|y| + 1e-8)
        for (int i = 0; i < 2; i++) {
            double[] y = new double[3];
            double norm = 0;
            for (int o = 0; o < 3; o++) {
                y[o] = w[12 + o];
                for (int c = 0; c < 4; c++) {
                    y[o] += w[o * 4 + c] * x[i * 4 + c];
                }
                norm += y[o] * y[o];
            }
            for (int o = 0; o < 3; o++) {
                assertEquals(y[o] / (Math.sqrt(norm) + 1e-8), e[i * 3 + o], 1e-15, "row " + i + " entry " + o);
            }
        }
    }

    @Test
    void clippingFollowsPyTorchAndEqualsClippingThenStepping() {
        // norm 5 > 2: every gradient times 2 / (5 + 1e-6), then the plain Adam step
        double[] g = {3, 4};
        io.rematch.optim.Adam fused = new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1));
        io.rematch.optim.Adam plain = new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1));
        double[] a = {1, -1};
        double[] b = {1, -1};
        assertEquals(5.0, fused.stepWithClipping(a, g, 2.0), 0);
        plain.stepInPlace(b, new double[] {3 * (2.0 / (5 + 1e-6)), 4 * (2.0 / (5 + 1e-6))});
        assertEquals(b[0], a[0], 0);
        assertEquals(b[1], a[1], 0);
        assertEquals(3.0, g[0], 0);   // the gradient is not written
        // below the threshold: untouched
        double[] c = {1, -1};
        double[] d = {1, -1};
        new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1)).stepWithClipping(c,
                new double[] {0.3, 0.4}, 2.0);
        new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1)).stepInPlace(d,
                new double[] {0.3, 0.4});
        assertEquals(d[0], c[0], 0);
        // float32 gradients: the same update, and the float copy is the rounded master value
        double[] e = {1, -1};
        float[] ef = new float[2];
        new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1)).stepWithClipping(e,
                new float[] {3, 4}, 2.0, ef, new double[2]);
        assertEquals(a[0], e[0], 0);
        assertEquals((float) e[1], ef[1], 0);
        // a non-finite gradient changes nothing
        io.rematch.optim.Adam z = new io.rematch.optim.Adam(2, io.rematch.optim.Adam.Settings.withLearningRate(0.1));
        double[] f = {1, -1};
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> z.stepWithClipping(f, new double[] {Double.NaN, 1}, 2.0));
        assertEquals(0, z.steps());
        assertEquals(1.0, f[0], 0);
    }
}

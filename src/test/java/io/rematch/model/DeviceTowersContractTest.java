package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Features;
import io.rematch.numeric.RestorableRandom;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import io.rematch.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The towers' batch step on an OpenCL device ({@link DeviceTowers}) against the CPU's float64
 * towers, from the same weights: scores within 1e-5 (cosines, float32's epsilon 6e-8 times the
 * depth of the sums), every parameter gradient within 1e-5 of the largest entry of its slice
 * (measured: 5e-7; the CPU's own float32 towers are held to 1e-4 in {@link PrecisionTest}). Shapes are odd and
 * cross the kernel's 64-wide tiles, batches are not square, and the MLP has two hidden layers so
 * that ReLU's mask and the input gradient are exercised.
 */
class DeviceTowersContractTest {

    static final long SEED = 20261204L;

    record Setup(EncoderSpec spec, int dv, int dt, int images, int captions) {
    }

    @Test
    void aStepMatchesTheFloat64TowersOnOddShapes() {
        OpenClDevice dev = OpenClTesting.device();
        System.out.println("seed " + SEED);
        List<Setup> setups = List.of(
                new Setup(new EncoderSpec("linear", null, 19), 37, 29, 13, 17),
                new Setup(new EncoderSpec("mlp", new int[] {70, 45}, 19), 37, 29, 13, 17),
                new Setup(new EncoderSpec("mlp", new int[] {130}, 70), 150, 96, 100, 67));
        for (Setup s : setups) {
            TwoTower reference = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
            TwoTower model = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
            List<DeviceFailure> failures = new ArrayList<>();
            try (DeviceTowers towers = new DeviceTowers(dev, model, new Object())) {
                model.runStepsOn(towers, failures::add);
                Batch b = Batch.random(s, new RestorableRandom(SEED + s.images));
                double[] expected = b.scores(reference);
                double[] scores = b.scores(model);
                assertEquals(1, towers.steps(), "the step ran on " + dev.name());
                double worst = maxDifference(expected, scores);
                assertTrue(worst < 1e-5 && worst > 0, s + ": scores differ by " + worst
                        + " (0 would mean the device's float32 did not run)");
                System.out.printf(java.util.Locale.ROOT, "%s: scores within %.2e%n", s, worst);

                double[] dScores = b.gradient();
                reference.parameters().zeroGradients();
                model.parameters().zeroGradients();
                reference.backward(dScores.clone());
                model.backward(dScores.clone());
                assertTrue(failures.isEmpty(), "no device failure: " + failures);
                compareGradients(s.toString(), reference.parameters(), model.parameters(), 1e-5);
            }
        }
    }

    /**
     * Gradients add up across backward passes between two {@code zeroGradients} (L2RM
     * back-propagates several losses per step), and a few Adam steps on the device's gradients
     * track the float64 run.
     */
    @Test
    void gradientsAccumulateAndTrainingTracksTheCpu() {
        OpenClDevice dev = OpenClTesting.device();
        Setup s = new Setup(new EncoderSpec("mlp", new int[] {48}, 24), 40, 30, 16, 16);
        TwoTower reference = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
        TwoTower model = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
        Adam adamR = new Adam(reference.parameters().size(), Adam.Settings.withLearningRate(2e-3));
        Adam adamD = new Adam(model.parameters().size(), Adam.Settings.withLearningRate(2e-3));
        try (DeviceTowers towers = new DeviceTowers(dev, model, new Object())) {
            model.runStepsOn(towers, e -> { throw new AssertionError("device failed", e); });
            RestorableRandom r = new RestorableRandom(SEED + 7);
            for (int step = 0; step < 5; step++) {
                reference.parameters().zeroGradients();
                model.parameters().zeroGradients();
                for (int pass = 0; pass < 2; pass++) {
                    Batch b = Batch.random(s, r);
                    b.scores(reference);
                    b.scores(model);
                    double[] g = b.gradient();
                    reference.backward(g.clone());
                    model.backward(g.clone());
                }
                compareGradients("step " + step, reference.parameters(), model.parameters(), 1e-5);
                reference.parameters().step(adamR, 2.0);
                model.parameters().step(adamD, 2.0);
            }
            assertEquals(10, towers.steps());
            double[] a = reference.parameters().values();
            double[] b = model.parameters().values();
            assertTrue(maxDifference(a, b) < 1e-4, "after 5 Adam steps the weights differ by " + maxDifference(a, b));
        }
    }

    @Test
    void theDeviceRepeatsItselfToTheBit() {
        OpenClDevice dev = OpenClTesting.device();
        Setup s = new Setup(new EncoderSpec("mlp", new int[] {70}, 33), 65, 31, 20, 24);
        double[][] grads = new double[2][];
        double[][] scores = new double[2][];
        for (int run = 0; run < 2; run++) {
            TwoTower model = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT32, new RestorableRandom(SEED));
            try (DeviceTowers towers = new DeviceTowers(dev, model, new Object())) {
                model.runStepsOn(towers, null);
                Batch b = Batch.random(s, new RestorableRandom(SEED + 3));
                scores[run] = b.scores(model);
                model.parameters().zeroGradients();
                model.backward(b.gradient());
                grads[run] = model.parameters().gradients().clone();
            }
        }
        assertArrayEquals(scores[0], scores[1], "scores");
        assertArrayEquals(grads[0], grads[1], "gradients: a resumed device run continues bit for bit");
    }

    /** A device failure in the backward pass: the step is recomputed on the CPU, whole, and the steps stay there. */
    @Test
    void aFailureRecomputesTheStepOnTheCpu() {
        OpenClDevice dev = OpenClTesting.device();
        Setup s = new Setup(new EncoderSpec("mlp", new int[] {20}, 8), 12, 10, 6, 7);
        TwoTower reference = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
        TwoTower model = new TwoTower(s.dv, s.dt, s.spec, Precision.FLOAT64, new RestorableRandom(SEED));
        List<DeviceFailure> failures = new ArrayList<>();
        try (DeviceTowers towers = new DeviceTowers(dev, model, new Object())) {
            towers.failBackwardAt = 0;
            model.runStepsOn(towers, failures::add);
            Batch b = Batch.random(s, new RestorableRandom(SEED + 9));
            b.scores(reference);
            b.scores(model);
            assertTrue(model.stepsOnDevice());
            double[] g = b.gradient();
            reference.parameters().zeroGradients();
            model.parameters().zeroGradients();
            reference.backward(g.clone());
            model.backward(g.clone());
            assertEquals(1, failures.size());
            assertFalse(model.stepsOnDevice(), "after a failure the steps run on the CPU");
            assertArrayEquals(reference.parameters().gradients(), model.parameters().gradients(),
                    "the CPU recomputed the whole step: the float64 gradients exactly");
            double[] again = b.scores(model);
            assertArrayEquals(b.scores(reference), again);
            assertEquals(1, towers.steps(), "nothing more ran on the device");
        }
    }

    /** A batch of random feature rows (some repeated) and a random \(\partial L/\partial S\). */
    record Batch(Features fv, int[] iv, Features ft, int[] it, int images, int captions, double[] g) {

        static Batch random(Setup s, RestorableRandom r) {
            int nv = s.images + 5;
            int nt = s.captions + 3;
            float[] v = new float[nv * s.dv];
            float[] t = new float[nt * s.dt];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) r.nextGaussian();
            }
            for (int k = 0; k < t.length; k++) {
                t[k] = (float) r.nextGaussian();
            }
            int[] iv = new int[s.images];
            int[] it = new int[s.captions];
            for (int i = 0; i < iv.length; i++) {
                iv[i] = r.nextInt(nv);
            }
            for (int i = 0; i < it.length; i++) {
                it[i] = r.nextInt(nt);
            }
            double[] g = new double[s.images * s.captions];
            for (int k = 0; k < g.length; k++) {
                g[k] = r.nextGaussian() / g.length;
            }
            return new Batch(Features.ofFloats(nv, s.dv, v), iv, Features.ofFloats(nt, s.dt, t), it, s.images,
                    s.captions, g);
        }

        double[] scores(TwoTower model) {
            double[] out = new double[images * captions];
            model.scores(fv, iv, images, ft, it, captions, out);
            return out;
        }

        double[] gradient() {
            return g.clone();
        }
    }

    static double maxDifference(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int k = 0; k < a.length; k++) {
            worst = Math.max(worst, Math.abs(a[k] - b[k]));
        }
        return worst;
    }

    /** Each slice's gradient within {@code relative} of its largest entry, and not identical (float32 ran). */
    static void compareGradients(String what, Parameters reference, Parameters device, double relative) {
        double[] a = reference.gradients();
        double[] b = device.gradients();
        double ratio = 0;
        for (Parameters.Slice slice : reference.slices()) {
            double largest = 0;
            double worst = 0;
            for (int k = slice.offset(); k < slice.offset() + slice.size(); k++) {
                largest = Math.max(largest, Math.abs(a[k]));
                worst = Math.max(worst, Math.abs(a[k] - b[k]));
            }
            assertTrue(largest > 0, what + " " + slice.name() + ": a zero gradient tests nothing");
            ratio = Math.max(ratio, worst / largest);
            assertTrue(worst <= relative * largest, what + " " + slice.name() + ": the device's gradient differs by "
                    + worst + ", more than " + relative + " x its largest entry " + largest);
        }
        assertTrue(ratio > 0, what + ": the gradients are identical, so the device's float32 did not run");
        System.out.printf(java.util.Locale.ROOT, "%s: gradients within %.2e of each slice's largest entry%n", what, ratio);
    }
}

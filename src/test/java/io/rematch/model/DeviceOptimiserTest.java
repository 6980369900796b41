package io.rematch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.model.DeviceTowersContractTest.Batch;
import io.rematch.model.DeviceTowersContractTest.Setup;
import io.rematch.numeric.RestorableRandom;
import io.rematch.opencl.DeviceFailure;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import io.rematch.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optimiser's state on the device ({@link DeviceTowers#step}): the weights, the step's gradient
 * sum and Adam's moments stay there, float32 Adam tracks the host's float64 one, whatever the host
 * reads comes back exactly, a resumed run continues bit for bit, and every failure leaves the host
 * with the state the device had (or says that it is lost).
 */
class DeviceOptimiserTest {

    static final long SEED = 20261205L;
    static final Setup SETUP = new Setup(new EncoderSpec("mlp", new int[] {48}, 24), 40, 30, 16, 16);
    static final double LR = 2e-3;

    static TwoTower model(Precision precision) {
        return new TwoTower(SETUP.dv(), SETUP.dt(), SETUP.spec(), precision, new RestorableRandom(SEED));
    }

    static Adam adam(TwoTower model) {
        return new Adam(model.parameters().size(), Adam.Settings.withLearningRate(LR));
    }

    static List<Batch> batches(int count) {
        RestorableRandom r = new RestorableRandom(SEED + 1);
        List<Batch> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            out.add(Batch.random(SETUP, r));
        }
        return out;
    }

    /** One optimiser step per batch, as {@code RclTrainer}: zero, scores, backward, clip and Adam. */
    static void train(TwoTower model, Adam adam, List<Batch> batches, int from, int to) {
        for (int k = from; k < to; k++) {
            Batch b = batches.get(k);
            model.parameters().zeroGradients();
            b.scores(model);
            model.backward(b.gradient());
            model.parameters().step(adam, 2.0);
        }
    }

    static DeviceTowers onDevice(TwoTower model, List<DeviceFailure> failures) {
        DeviceTowers towers = new DeviceTowers(OpenClTesting.device(), model, new Object());
        model.runStepsOn(towers, failures::add);
        return towers;
    }

    static void assertBits(double[] expected, double[] actual, String what) {
        assertArrayEquals(expected, actual, what);
    }

    @Test
    void adamRunsOnTheDeviceAndTracksTheHost() {
        OpenClDevice dev = OpenClTesting.device();
        System.out.println("seed " + SEED);
        TwoTower reference = model(Precision.FLOAT64);
        TwoTower model = model(Precision.FLOAT64);
        Adam adamR = adam(reference);
        Adam adamD = adam(model);
        List<Batch> batches = batches(6);
        List<DeviceFailure> failures = new ArrayList<>();
        try (DeviceTowers towers = onDevice(model, failures)) {
            train(reference, adamR, batches, 0, 6);
            train(model, adamD, batches, 0, 6);
            assertEquals(6, towers.optimiserSteps(), "every Adam step ran on " + dev.name());
            assertEquals(6, adamD.steps(), "the host counts the device's steps");
            double[] a = reference.parameters().values();
            double[] b = model.parameters().values();
            double worst = DeviceTowersContractTest.maxDifference(a, b);
            assertTrue(worst > 0 && worst < 1e-5, "after 6 steps at lr " + LR + " the weights differ by " + worst
                    + " (0: float32 did not run)");
            for (int k = 0; k < a.length; k++) {
                assertEquals((double) (float) b[k], b[k], "the weights came back from float32 exactly");
            }
            double[] mR = adamR.state().firstMoment();
            double[] mD = adamD.state().firstMoment();
            double[] vR = adamR.state().secondMoment();
            double[] vD = adamD.state().secondMoment();
            double mLargest = 0;
            double vLargest = 0;
            for (int k = 0; k < mR.length; k++) {
                mLargest = Math.max(mLargest, Math.abs(mR[k]));
                vLargest = Math.max(vLargest, vR[k]);
            }
            double mWorst = DeviceTowersContractTest.maxDifference(mR, mD);
            double vWorst = DeviceTowersContractTest.maxDifference(vR, vD);
            assertTrue(mWorst > 0 && mWorst < 1e-4 * mLargest, "first moments differ by " + mWorst + " of " + mLargest);
            assertTrue(vWorst > 0 && vWorst < 1e-4 * vLargest, "second moments differ by " + vWorst + " of " + vLargest);
            System.out.printf(java.util.Locale.ROOT, "after 6 steps: weights within %.2e, m within %.2e of its"
                    + " largest, v within %.2e of its largest%n", worst, mWorst / mLargest, vWorst / vLargest);
            assertTrue(failures.isEmpty(), failures.toString());
        }
    }

    /**
     * A checkpoint is what the host reads (the weights and the moments, pulled from the device);
     * a new model restored from it continues on the device bit for bit.
     */
    @Test
    void aRunResumedFromWhatTheHostReadsContinuesBitForBit() {
        List<Batch> batches = batches(6);
        TwoTower whole = model(Precision.FLOAT32);
        Adam adamWhole = adam(whole);
        double[] expected;
        try (DeviceTowers towers = onDevice(whole, new ArrayList<>())) {
            train(whole, adamWhole, batches, 0, 3);
            whole.parameters().values();     // an epoch's validation reads the weights mid-run
            train(whole, adamWhole, batches, 3, 6);
            expected = whole.parameters().values().clone();
        }
        TwoTower first = model(Precision.FLOAT32);
        Adam adamFirst = adam(first);
        double[] weights;
        Adam.State state;
        try (DeviceTowers towers = onDevice(first, new ArrayList<>())) {
            train(first, adamFirst, batches, 0, 3);
            weights = first.parameters().values().clone();
            state = adamFirst.state();
        }
        TwoTower resumed = model(Precision.FLOAT32);
        System.arraycopy(weights, 0, resumed.parameters().values(), 0, weights.length);
        resumed.parameters().valuesChanged();
        Adam adamResumed = adam(resumed);
        adamResumed.restore(state);
        try (DeviceTowers towers = onDevice(resumed, new ArrayList<>())) {
            train(resumed, adamResumed, batches, 3, 6);
            assertEquals(3, towers.optimiserSteps());
            assertBits(expected, resumed.parameters().values(), "the resumed run's weights");
        }
        assertEquals(6, adamResumed.steps());
        assertBits(adamWhole.state().firstMoment(), adamResumed.state().firstMoment(), "first moments");
        assertBits(adamWhole.state().secondMoment(), adamResumed.state().secondMoment(), "second moments");
    }

    /** A step the device fails is taken on the host from the device's state: as if the towers had been closed first. */
    @Test
    void aFailedOptimiserStepIsTakenOnTheHostFromTheDevicesState() {
        List<Batch> batches = batches(5);
        TwoTower failing = model(Precision.FLOAT64);
        Adam adamFailing = adam(failing);
        List<DeviceFailure> failures = new ArrayList<>();
        try (DeviceTowers towers = onDevice(failing, failures)) {
            towers.failStepAt = 2;
            train(failing, adamFailing, batches, 0, 5);
            assertEquals(2, towers.optimiserSteps());
        }
        assertEquals(1, failures.size(), "the model heard of the failure once");
        assertFalse(failing.stepsOnDevice(), "the steps stay on the CPU");

        TwoTower closing = model(Precision.FLOAT64);
        Adam adamClosing = adam(closing);
        DeviceTowers towers = onDevice(closing, new ArrayList<>());
        train(closing, adamClosing, batches, 0, 2);
        closing.parameters().zeroGradients();
        batches.get(2).scores(closing);
        closing.backward(batches.get(2).gradient());
        towers.close();                              // the gradients come back too
        closing.runStepsOn(null, null);
        closing.parameters().step(adamClosing, 2.0);
        train(closing, adamClosing, batches, 3, 5);
        assertBits(closing.parameters().values(), failing.parameters().values(), "weights");
        assertBits(adamClosing.state().secondMoment(), adamFailing.state().secondMoment(), "second moments");
        assertEquals(5, adamFailing.steps());
    }

    /**
     * L2RM back-propagates two losses per step: when the second backward fails, the first one's
     * gradients come back from the device and the second is recomputed on the CPU and added.
     */
    @Test
    void aFailedSecondBackwardKeepsTheFirstPassesGradients() {
        List<Batch> batches = batches(4);
        TwoTower failing = model(Precision.FLOAT64);
        Adam adamFailing = adam(failing);
        List<DeviceFailure> failures = new ArrayList<>();
        double[] gradients;
        try (DeviceTowers towers = onDevice(failing, failures)) {
            train(failing, adamFailing, batches, 0, 1);
            towers.failBackwardAt = 2;               // the second pass of the second step
            failing.parameters().zeroGradients();
            for (int pass = 1; pass <= 2; pass++) {
                batches.get(pass).scores(failing);
                failing.backward(batches.get(pass).gradient());
            }
            gradients = failing.parameters().gradients().clone();
            failing.parameters().step(adamFailing, 2.0);
        }
        assertEquals(1, failures.size());

        TwoTower closing = model(Precision.FLOAT64);
        Adam adamClosing = adam(closing);
        DeviceTowers towers = onDevice(closing, new ArrayList<>());
        train(closing, adamClosing, batches, 0, 1);
        closing.parameters().zeroGradients();
        batches.get(1).scores(closing);
        closing.backward(batches.get(1).gradient());
        towers.close();
        closing.runStepsOn(null, null);
        batches.get(2).scores(closing);
        closing.backward(batches.get(2).gradient());
        assertBits(closing.parameters().gradients(), gradients, "the step's gradients: the device's pass, then the CPU's");
        closing.parameters().step(adamClosing, 2.0);
        assertBits(closing.parameters().values(), failing.parameters().values(), "weights");
    }

    /** When the device's buffers cannot be read back, every later read says the state is lost. */
    @Test
    void stateThatCannotBeReadBackIsReportedLostNeverStale() {
        List<Batch> batches = batches(3);
        TwoTower model = model(Precision.FLOAT32);
        Adam adam = adam(model);
        List<DeviceFailure> failures = new ArrayList<>();
        try (DeviceTowers towers = onDevice(model, failures)) {
            train(model, adam, batches, 0, 2);
            towers.failStepAt = 2;
            towers.failReads = true;
            model.parameters().zeroGradients();
            batches.get(2).scores(model);
            model.backward(batches.get(2).gradient());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.parameters().step(adam, 2.0));
            assertTrue(e.getMessage().contains("could not be read back after the device failed")
                    && e.getMessage().contains("--resume"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> model.parameters().values());
            assertThrows(IllegalStateException.class, adam::state);
            assertEquals(2, adam.steps(), "the failed step was not counted");
        }
        assertThrows(IllegalStateException.class, () -> model.parameters().values(), "still lost after close");
        assertEquals(1, failures.size());
    }

    /** A gradient that is not finite is refused before anything changes, as on the host. */
    @Test
    void aNonFiniteGradientIsRefusedAndNothingChanges() {
        List<Batch> batches = batches(3);
        TwoTower model = model(Precision.FLOAT32);
        Adam adam = adam(model);
        try (DeviceTowers towers = onDevice(model, new ArrayList<>())) {
            train(model, adam, batches, 0, 2);
            double[] before = model.parameters().values().clone();
            double[] moments = adam.state().secondMoment();
            model.parameters().zeroGradients();
            batches.get(2).scores(model);
            double[] g = batches.get(2).gradient();
            g[5] = Double.NaN;
            model.backward(g);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.parameters().step(adam, 2.0));
            assertTrue(e.getMessage().contains("gradient must be finite"), e.getMessage());
            assertEquals(2, adam.steps());
            assertEquals(2, towers.optimiserSteps());
            assertBits(before, model.parameters().values(), "weights");
            assertBits(moments, adam.state().secondMoment(), "moments");
            assertTrue(model.stepsOnDevice(), "bad input is not a device failure");
        }
    }

    /**
     * Gradients near 1e25 have squares beyond float32 (3.4e38): the device's partial sums are
     * infinite, the host sums the squares in float64, and the step is clipped as on the host.
     */
    @Test
    void aGradientWhoseSquaresLeaveFloat32IsClippedAsOnTheHost() {
        Batch b = batches(1).get(0);
        double[] g = b.gradient();
        for (int k = 0; k < g.length; k++) {
            g[k] *= 1e27;
        }
        TwoTower reference = model(Precision.FLOAT64);
        Adam adamR = adam(reference);
        reference.parameters().zeroGradients();
        b.scores(reference);
        reference.backward(g.clone());
        double normR = reference.parameters().step(adamR, 2.0);
        TwoTower model = model(Precision.FLOAT64);
        Adam adamD = adam(model);
        try (DeviceTowers towers = onDevice(model, new ArrayList<>())) {
            model.parameters().zeroGradients();
            b.scores(model);
            model.backward(g.clone());
            double normD = model.parameters().step(adamD, 2.0);
            assertEquals(1, towers.optimiserSteps());
            assertTrue(normR > 1e20 && Double.isFinite(normD), normR + " " + normD);
            assertEquals(normR, normD, 1e-4 * normR, "the norms");
            double worst = DeviceTowersContractTest.maxDifference(reference.parameters().values(),
                    model.parameters().values());
            assertTrue(worst < 1e-5, "one clipped step apart by " + worst);
        }
    }

    /** Towers retired by another kernel's failure bring the state home at the model's next call. */
    @Test
    void retiredTowersBringTheStateHomeAtTheNextCall() {
        List<Batch> batches = batches(4);
        TwoTower retired = model(Precision.FLOAT64);
        Adam adamRetired = adam(retired);
        List<DeviceFailure> failures = new ArrayList<>();
        try (DeviceTowers towers = onDevice(retired, failures)) {
            train(retired, adamRetired, batches, 0, 2);
            towers.retire("another kernel failed");
            train(retired, adamRetired, batches, 2, 4);
            assertEquals(2, towers.optimiserSteps());
        }
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).getMessage().contains("another kernel failed"), failures.toString());

        TwoTower closing = model(Precision.FLOAT64);
        Adam adamClosing = adam(closing);
        DeviceTowers towers = onDevice(closing, new ArrayList<>());
        train(closing, adamClosing, batches, 0, 2);
        towers.close();
        closing.runStepsOn(null, null);
        train(closing, adamClosing, batches, 2, 4);
        assertBits(closing.parameters().values(), retired.parameters().values(), "weights");
    }

    /** A batch larger than the buffers mid-step: the buffers grow and the step's gradients carry over. */
    @Test
    void buffersThatGrowMidStepKeepTheGradients() {
        Setup small = SETUP;
        Setup large = new Setup(SETUP.spec(), SETUP.dv(), SETUP.dt(), 40, 70);
        RestorableRandom r = new RestorableRandom(SEED + 2);
        Batch a = Batch.random(small, r);
        Batch b = Batch.random(large, r);
        TwoTower reference = model(Precision.FLOAT64);
        TwoTower model = model(Precision.FLOAT64);
        try (DeviceTowers towers = onDevice(model, new ArrayList<>())) {
            for (TwoTower m : List.of(reference, model)) {
                m.parameters().zeroGradients();
                a.scores(m);
                m.backward(a.gradient());
                b.scores(m);
                m.backward(b.gradient());
            }
            assertEquals(2, towers.steps());
            DeviceTowersContractTest.compareGradients("two batches", reference.parameters(), model.parameters(), 1e-5);
        }
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.Mode;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL two-way softmax kernel against the CPU's float64 losses, for every bound of CCL and
 * for InfoNCE, on cosine-scale scores.
 *
 * <p>Tolerance: the kernel rounds each score to float32 (relative \(u = 2^{-24}\)), which moves
 * \(z = s/\tau\) by up to \(u|s|/\tau\), and each of its sums of \(N\) terms carries up to
 * \(N u\) relative error; so the loss must agree to \(10 (|s|_{max}/\tau + N) u\) relative and
 * each gradient entry to that times the largest gradient entry. Measured errors are 10-100 times
 * smaller; a wrong term (one bound's derivative, a missed mask entry) is off by orders more.
 */
class DeviceSoftmaxLossContractTest {

    static final long SEED = 20261204L;

    static final List<ComplementaryBound> BOUNDS = List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
            ComplementaryBound.exp(), ComplementaryBound.gce(0.2), ComplementaryBound.tan());

    @Test
    void everyBoundAndInfoNceAgreeWithTheFloat64LossWithinFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        double u = Math.ulp(1.0f) / 2;
        for (int n : new int[] {1, 2, 3, 17, 64, 130}) {
            DMatrixRMaj s = cosineScores(r, n);
            for (double tau : new double[] {0.05, 0.2}) {
                List<ScoreLoss> losses = new java.util.ArrayList<>();
                for (ComplementaryBound b : BOUNDS) {
                    losses.add(new ComplementaryContrastiveLoss(b, tau, Negatives.all(), Mode.STABLE));
                }
                losses.add(new ContrastiveLoss(tau, Mode.STABLE));
                for (ScoreLoss cpu : losses) {
                    LossValue want = cpu.evaluate(s);
                    LossValue got = new DeviceSoftmaxLoss(cpu, dev).evaluate(s);
                    double tol = 10 * (1 / tau + n) * u;
                    String what = cpu.name() + " n = " + n + " tau = " + tau;
                    double scaleV = Math.max(Math.abs(want.value()), Double.MIN_NORMAL);
                    assertTrue(Math.abs(got.value() - want.value()) <= tol * scaleV + 1e-30,
                            what + ": loss " + got.value() + " vs " + want.value());
                    double gmax = 0;
                    for (double v : want.gradient().data) {
                        gmax = Math.max(gmax, Math.abs(v));
                    }
                    double worst = 0;
                    for (int k = 0; k < n * n; k++) {
                        worst = Math.max(worst, Math.abs(got.gradient().data[k] - want.gradient().data[k]));
                    }
                    assertTrue(worst <= tol * gmax + 1e-30, what + ": gradient off by " + worst + " of " + gmax
                            + " (allowed " + tol * gmax + ")");
                    System.out.printf("%s: loss rel err %.2e, gradient err / max %.2e (allowed %.2e)%n", what,
                            Math.abs(got.value() - want.value()) / scaleV, gmax == 0 ? 0 : worst / gmax, tol);
                }
            }
        }
    }

    @Test
    void aSaturatedRowIsRefusedForTheCpuNotReturnedWrong() {
        OpenClDevice dev = OpenClTesting.device();
        int n = 8;
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            s.set(i, (i + 1) % n, 10.0);    // a negative 10 / 0.05 = 200 above the rest: 1 - p underflows in float32
        }
        ComplementaryContrastiveLoss cpu = new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05,
                Negatives.all(), Mode.STABLE);
        assertTrue(cpu.evaluate(s).isFinite(), "the CPU's log-domain path handles it");
        assertThrows(io.rematch.opencl.Float32Range.class, () -> new DeviceSoftmaxLoss(cpu, dev).evaluate(s));
    }

    @Test
    void onlyTheStableAllNegativesFormsHaveAKernel() {
        assertTrue(DeviceSoftmaxLoss.supports(ComplementaryContrastiveLoss.rclDefault()));
        assertFalse(DeviceSoftmaxLoss.supports(new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05,
                Negatives.all(), Mode.FAITHFUL)));
        assertFalse(DeviceSoftmaxLoss.supports(new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05,
                Negatives.single(1), Mode.STABLE)));
        assertTrue(DeviceSoftmaxLoss.supports(new ContrastiveLoss(0.05, Mode.STABLE)));
        assertFalse(DeviceSoftmaxLoss.supports(new ContrastiveLoss(0.05, Mode.FAITHFUL)));
        assertFalse(DeviceSoftmaxLoss.supports(Losses.create("tr-hn", Losses.Settings.defaults())));
        assertEquals("ccl-log", ComplementaryContrastiveLoss.rclDefault().name());
    }

    /** Scores of unit vectors (cosines), the diagonal raised as a trained model's would be. */
    static DMatrixRMaj cosineScores(Random r, int n) {
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s.set(i, j, Math.tanh(0.4 * r.nextGaussian() + (i == j ? 0.8 : 0.0)));
            }
        }
        return s;
    }
}

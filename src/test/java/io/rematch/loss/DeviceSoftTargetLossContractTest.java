package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.Mode;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL rematch-loss kernel against the CPU's float64 {@link SoftTargetLoss}es (soft InfoNCE,
 * KL, symmetric KL, both Jensen-Shannon forms), stable mode, on cosine-scale scores and plan-like
 * targets (many entries 0, so the release's floor \(10^{-10}\) and its logarithm \(-23\) are in
 * play), square and not.
 *
 * <p>Tolerance, as for the softmax losses: float32 rounds each \(z = s/\tau\) by up to
 * \(u|s|/\tau\), \(u = 2^{-24}\), and every sum of \(N\) terms adds \(N u\); the targets' logarithms
 * (up to 23 in size) are rounded too. So the loss must agree to \(10 (|z|_{max} + 23 + N) u\)
 * relative, each gradient entry to that times the largest. A wrong term of one divergence is off
 * by orders more.
 */
class DeviceSoftTargetLossContractTest {

    static final long SEED = 20261212L;

    static DMatrixRMaj plan(Random r, int n, int m) {
        DMatrixRMaj t = new DMatrixRMaj(n, m);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                t.set(i, j, r.nextDouble() < 0.7 ? 0 : r.nextDouble() / (n * m));
            }
            t.set(i, i % m, t.get(i, i % m) + 1.0 / (n * m));   // no empty row
        }
        for (int j = 0; j < m; j++) {
            t.set(j % n, j, t.get(j % n, j) + 1.0 / (n * m));   // no empty column
        }
        return t;
    }

    static List<TargetedLoss> losses(double tau) {
        return List.of(new SoftContrastiveLoss(tau, Mode.STABLE), new KlDivergenceLoss(tau, Mode.STABLE),
                new SymmetricKlDivergenceLoss(tau, Mode.STABLE), new JensenShannonLoss(tau, Mode.STABLE),
                new JensenShannonLoss(tau, Mode.STABLE, JensenShannonLoss.Form.MIXTURE_FIRST, SoftTargets.EmptyRows.REFUSE));
    }

    @Test
    void everyRematchLossAgreesWithTheFloat64LossWithinFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        double u = Math.ulp(1.0f) / 2;
        for (int[] shape : new int[][] {{1, 1}, {3, 5}, {17, 17}, {64, 64}, {130, 70}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj s = new DMatrixRMaj(n, m);
            for (int e = 0; e < n * m; e++) {
                s.data[e] = Math.tanh(0.5 * r.nextGaussian() + (e / m == e % m ? 0.8 : 0));
            }
            DMatrixRMaj t = plan(r, n, m);
            for (double tau : new double[] {0.05, 0.2}) {
                for (TargetedLoss cpu : losses(tau)) {
                    LossValue want = cpu.evaluate(s, t);
                    LossValue got = new DeviceSoftTargetLoss(cpu, dev).evaluate(s, t, new LossWorkspace());
                    double tol = 10 * (2 / tau + 23 + Math.max(n, m)) * u;
                    String what = cpu.name() + (cpu instanceof JensenShannonLoss js ? " " + js.form() : "") + " "
                            + n + " x " + m + " tau = " + tau;
                    double scale = Math.max(Math.abs(want.value()), Double.MIN_NORMAL);
                    assertTrue(Math.abs(got.value() - want.value()) <= tol * scale,
                            what + ": loss " + got.value() + " vs " + want.value());
                    double gmax = 0;
                    double worst = 0;
                    for (int e = 0; e < n * m; e++) {
                        gmax = Math.max(gmax, Math.abs(want.gradient().data[e]));
                        worst = Math.max(worst, Math.abs(got.gradient().data[e] - want.gradient().data[e]));
                    }
                    assertTrue(worst <= tol * gmax + 1e-30, what + ": gradient off by " + worst + " of " + gmax);
                    System.out.printf("%s: loss rel err %.2e, gradient err / max %.2e (allowed %.2e)%n", what,
                            Math.abs(got.value() - want.value()) / scale, gmax == 0 ? 0 : worst / gmax, tol);
                }
            }
        }
    }

    @Test
    void onlyTheStableModeHasAKernel() {
        assertTrue(DeviceSoftTargetLoss.supports(new KlDivergenceLoss(0.05, Mode.STABLE)));
        assertFalse(DeviceSoftTargetLoss.supports(new KlDivergenceLoss(0.05, Mode.FAITHFUL)),
                "faithful mode's 1e-10 inside the softmax is below float32's resolution");
    }
}

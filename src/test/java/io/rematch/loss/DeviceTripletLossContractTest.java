package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL triplet kernel against the CPU's {@link TripletRankingLoss}, for TR (sum), the mean
 * form and TR-HN.
 *
 * <p>Tolerance. The loss is a sum of positive hinge costs \((\alpha + S_{ij}) - S_{ii}\): each is
 * rounded to float32 in three steps (relative \(3u\) of the operands' size, \(u = 2^{-24}\)) and
 * the \(N\)-term sums add \(N u\) relative, so the loss must agree to \(10 (N + 3) u\) relative
 * to the sum of the operands' sizes (here the loss plus \(2N^2(\alpha + \max|S|)u\)). The
 * (sub)gradient is formed from exact counts, summed as the CPU sums its weights, so it must be
 * the CPU's bit for bit wherever no cost is within float32 rounding of 0. On scores on a grid of \(1/64\) no cost is:
 * \(\alpha = 0.2\) is \(0.003\) from the nearest multiple of \(1/64\). A sign error, a missed
 * diagonal or a wrong tie rule for the hardest negative is off by whole units.
 */
class DeviceTripletLossContractTest {

    static final long SEED = 20261205L;

    /** Scores {@code k / 64}, {@code |k| <= 64}, positives raised by {@code lift} (ties on purpose). */
    static DMatrixRMaj gridScores(Random r, int n, int lift) {
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int k = r.nextInt(97) - 48 + (i == j ? lift : 0);
                s.set(i, j, Math.max(-64, Math.min(64, k)) / 64.0);
            }
        }
        return s;
    }

    @Test
    void everyAggregationAgreesWithTheFloat64Loss() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        double u = Math.ulp(1.0f) / 2;
        for (int n : new int[] {1, 2, 3, 17, 64, 130}) {
            for (int lift : new int[] {0, 24}) {
                DMatrixRMaj s = gridScores(r, n, lift);
                for (TripletRankingLoss.Aggregation a : TripletRankingLoss.Aggregation.values()) {
                    TripletRankingLoss cpu = new TripletRankingLoss(0.2, a);
                    LossValue want = cpu.evaluate(s);
                    LossValue got = new DeviceTripletLoss(cpu, dev).evaluate(s);
                    String what = cpu.name() + " n = " + n + " lift = " + lift;
                    double scale = Math.abs(want.value()) + 2.0 * n * n * (0.2 + 1) * u;
                    double tol = 10 * (n + 3) * u * scale;
                    assertTrue(Math.abs(got.value() - want.value()) <= tol,
                            what + ": loss " + got.value() + " vs " + want.value() + " (allowed " + tol + ")");
                    assertArrayEquals(want.gradient().data, got.gradient().data, what + ": the CPU's gradient, bit for bit");
                    System.out.printf("%s: loss %.6f, rel err %.2e (allowed %.2e)%n", what, want.value(),
                            want.value() == 0 ? 0 : Math.abs(got.value() - want.value()) / want.value(), tol / scale);
                }
            }
        }
    }

    @Test
    void theHardestNegativeIsTheFirstOfTiedOnesAsOnTheCpu() {
        OpenClDevice dev = OpenClTesting.device();
        int n = 6;
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            s.set(i, i, 0.5);
            s.set(i, (i + 2) % n, 0.625);   // two negatives tie for the hardest in every row
            s.set(i, (i + 4) % n, 0.625);
        }
        TripletRankingLoss cpu = new TripletRankingLoss(0.2, true);
        LossValue want = cpu.evaluate(s);
        LossValue got = new DeviceTripletLoss(cpu, dev).evaluate(s);
        assertArrayEquals(want.gradient().data, got.gradient().data, "the same (first) hardest negative");
        assertEquals(want.value(), got.value(), 1e-6 * want.value());
        assertTrue(want.value() > 0, "the ties are active");
    }

    @Test
    void aConstantOffsetDoesNotCostDigits() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        DMatrixRMaj s = gridScores(r, 40, 12);
        DMatrixRMaj shifted = s.copy();
        for (int k = 0; k < shifted.data.length; k++) {
            // 1000 + k/64 is exact in float32, 0.2 + 1000 + k/64 is not (its ulp is 6e-5): unshifted,
            // each cost would be off by up to 3e-5; the host subtracts the largest score first
            shifted.data[k] += 1000;
        }
        TripletRankingLoss cpu = new TripletRankingLoss(0.2, false);
        LossValue want = cpu.evaluate(s);
        LossValue got = new DeviceTripletLoss(cpu, dev).evaluate(shifted);
        assertEquals(want.value(), got.value(), 1e-5 * want.value());
        assertArrayEquals(want.gradient().data, got.gradient().data);
    }
}

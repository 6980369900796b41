package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ejml.data.DMatrixRMaj;

/**
 * The OpenCL balanced Sinkhorn against the CPU's float64 solver: with a fixed number of
 * iterations every plan entry agrees to {@code 1e-4} of the largest (the iteration contracts, so
 * float32 rounding does not accumulate); at a tolerance of 1e-5 it stops at the CPU's iteration
 * (both check every 10th) and its plan meets the marginals.
 */
class DeviceSinkhornContractTest {

    static final long SEED = 20261208L;

    @Test
    void aFixedNumberOfIterationsGivesTheCpusPlanToFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        // 1100 x 40: more rows than the one work-group has items (at most 1,024)
        for (int[] shape : new int[][] {{1, 1}, {5, 7}, {64, 64}, {100, 70}, {1100, 40}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
            for (int iterations : new int[] {1, 2, 11, 150}) {
                SinkhornKnopp cpu = new SinkhornKnopp(0.1, new Stopping(Stopping.Rule.MARGINALS, 0, iterations));
                TransportResult want = cpu.solve(cost);
                for (long form : DevicePartialTransportContractTest.FORMS) {
                    TransportResult got = new DeviceSinkhorn(cpu, dev, form).solve(cost);
                    assertEquals(want.iterations(), got.iterations());
                    assertEquals(want.errors().length, got.errors().length, "checked at the same iterations");
                    double max = 0, worst = 0;
                    for (int e = 0; e < n * m; e++) {
                        max = Math.max(max, Math.abs(want.plan().data[e]));
                        worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
                    }
                    System.out.printf("%d x %d, %d iterations, %s: plan error / max entry %.2e%n", n, m, iterations,
                            DevicePartialTransportContractTest.form(form), worst / max);
                    assertTrue(worst <= 1e-4 * max, n + " x " + m + ", " + iterations + " iterations, "
                            + DevicePartialTransportContractTest.form(form) + ": off by " + worst);
                }
            }
        }
    }

    @Test
    void aFloat32ToleranceStopsWhereTheCpuStopsWithTheMarginalsMet() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 80;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, n);
        SinkhornKnopp cpu = new SinkhornKnopp(0.1, new Stopping(Stopping.Rule.MARGINALS, 1e-5, 1000));
        TransportResult want = cpu.solve(cost);
        for (long form : DevicePartialTransportContractTest.FORMS) {
            TransportResult got = new DeviceSinkhorn(cpu, dev, form).solve(cost);
            assertTrue(want.converged() && got.converged(), got.warning());
            assertEquals(want.iterations(), got.iterations());
            assertEquals(want.errors().length, got.errors().length, "checked at the same iterations");
            for (double c : got.colSums()) {
                assertEquals(1.0 / n, c, 1e-5 * Math.sqrt(n) / n * 10);
            }
        }
        assertFalse(DeviceSinkhorn.supports(new SinkhornKnopp(0.1)), "the default 1e-9 stays on the CPU");
        assertTrue(DeviceSinkhorn.supports(cpu));
    }
}

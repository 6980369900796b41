package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL log-domain Sinkhorn against the CPU's float64 {@link LogSinkhorn}: with a fixed number
 * of iterations every plan entry agrees to {@code 1e-4} of the largest, as for the scaling form
 * (measured: 4e-7 at reg 0.1, 9e-6 at reg 0.005). float32 rounds each exponent \(L_{ij} + f_i +
 * g_j\) to about \(6 \cdot 10^{-8}\) of its size; the entries that matter have exponents near 0
 * (the potentials cancel the kernel there), and the iteration contracts, so the error does not
 * accumulate. At \(\varepsilon = 0.005\) the scaling kernel \(e^{-C/\varepsilon}\) underflows for
 * the larger costs (up to about 4 here, so \(e^{-800}\)): the log domain exists for this.
 */
class DeviceLogSinkhornContractTest {

    static final long SEED = 20261209L;

    @Test
    void aFixedNumberOfIterationsGivesTheCpusPlanToFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        // 1100 x 40: more rows than the one work-group has items (at most 1,024)
        for (int[] shape : new int[][] {{1, 1}, {5, 7}, {64, 64}, {100, 70}, {1100, 40}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
            for (double reg : new double[] {0.1, 0.005}) {
                for (int iterations : new int[] {1, 2, 11, 150}) {
                    LogSinkhorn cpu = new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 0, iterations));
                    TransportResult want = cpu.solve(cost);
                    for (long form : DevicePartialTransportContractTest.FORMS) {
                        TransportResult got = new DeviceLogSinkhorn(cpu, dev, form).solve(cost);
                        assertEquals(want.iterations(), got.iterations());
                        assertEquals(want.errors().length, got.errors().length, "checked at the same iterations");
                        double max = 0;
                        for (double p : want.plan().data) {
                            max = Math.max(max, p);
                        }
                        double worst = 0;
                        for (int e = 0; e < n * m; e++) {
                            worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
                        }
                        System.out.printf("%d x %d, reg %s, %d iterations, %s: plan error / max entry %.2e%n", n, m,
                                reg, iterations, DevicePartialTransportContractTest.form(form), worst / max);
                        assertTrue(worst <= 1e-4 * max, n + " x " + m + ", reg " + reg + ", " + iterations
                                + " iterations, " + DevicePartialTransportContractTest.form(form) + ": off by " + worst
                                + " of " + max);
                    }
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
        LogSinkhorn cpu = new LogSinkhorn(0.05, new Stopping(Stopping.Rule.MARGINALS, 1e-5, 2000));
        TransportResult want = cpu.solve(cost);
        for (long form : DevicePartialTransportContractTest.FORMS) {
            TransportResult got = new DeviceLogSinkhorn(cpu, dev, form).solve(cost);
            assertTrue(want.converged() && got.converged(), got.warning());
            assertTrue(Math.abs(want.iterations() - got.iterations()) <= 10, want.iterations() + " vs " + got.iterations());
            assertEquals(got.iterations() / SinkhornKnopp.CHECK_EVERY + 1, got.errors().length, "a check every tenth");
            for (double c : got.colSums()) {
                assertEquals(1.0 / n, c, 1e-5 * Math.sqrt(n) / n * 10);
            }
        }
        assertFalse(DeviceLogSinkhorn.supports(new LogSinkhorn(0.1)), "the default 1e-9 stays on the CPU");
        assertTrue(DeviceLogSinkhorn.supports(cpu));
        assertFalse(DeviceLogSinkhorn.supports(new SinkhornKnopp(0.1, cpu.stopping())), "another solver");
    }

    @Test
    void aZeroMarginalEntryCarriesNothing() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 2);
        int n = 9;
        int m = 6;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
        double[] a = new double[n];
        double[] b = new double[m];
        java.util.Arrays.fill(a, 1.0 / (n - 1));
        a[3] = 0;
        java.util.Arrays.fill(b, 1.0 / (m - 1));
        b[0] = 0;
        LogSinkhorn cpu = new LogSinkhorn(0.05, new Stopping(Stopping.Rule.MARGINALS, 0, 200));
        TransportResult want = cpu.solve(cost, a, b, null);
        for (long form : DevicePartialTransportContractTest.FORMS) {
            TransportResult got = new DeviceLogSinkhorn(cpu, dev, form).solve(cost, a, b, null);
            for (int j = 0; j < m; j++) {
                assertEquals(0.0, got.plan().get(3, j), "row 3 has no mass");
            }
            for (int i = 0; i < n; i++) {
                assertEquals(0.0, got.plan().get(i, 0), "column 0 has no mass");
                for (int j = 0; j < m; j++) {
                    assertEquals(want.plan().get(i, j), got.plan().get(i, j), 1e-4 * 0.2);
                }
            }
        }
    }
}

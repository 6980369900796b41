package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL entropic partial OT against the CPU's float64 solver. With a fixed number of
 * iterations both run the same map; the iteration contracts, so float32 rounding does not grow:
 * every plan entry agrees to {@code 1e-4} of the largest (measured: about 1e-6). With the marginals
 * rule at 1e-5 the device's plan meets the constraints it claims to meet.
 */
class DevicePartialTransportContractTest {

    static final long SEED = 20261207L;

    @Test
    void aFixedNumberOfIterationsGivesTheCpusPlanToFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        // 1100 x 40: more rows than the one work-group has items (at most 1,024), so an item takes two
        for (int[] shape : new int[][] {{1, 1}, {5, 7}, {64, 64}, {100, 70}, {300, 270}, {1100, 40}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj cost = cost(r, n, m);
            for (double massShare : new double[] {0.3, 1.0}) {
                double mass = massShare * Math.min(1.0, 1.0);
                EntropicPartialTransport cpu = new EntropicPartialTransport(0.1, mass, new Stopping(Stopping.Rule.MARGINALS, 0, 200));
                TransportResult want = cpu.solve(cost);
                for (long oneGroup : FORMS) {
                    TransportResult got = new DevicePartialTransport(cpu, dev, oneGroup).solve(cost);
                    assertEquals(want.iterations(), got.iterations(), "a fixed count");
                    assertEquals(want.iterations(), got.errors().length, "an error per check");
                    assertFalse(got.converged(), "a fixed count claims nothing");
                    double max = 0, worst = 0;
                    for (int e = 0; e < n * m; e++) {
                        max = Math.max(max, Math.abs(want.plan().data[e]));
                        worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
                    }
                    System.out.printf("%d x %d, mass %.1f, %s: plan error / max entry %.2e%n", n, m, mass, form(oneGroup),
                            worst / max);
                    assertTrue(worst <= 1e-4 * max, n + " x " + m + " mass " + mass + ", " + form(oneGroup) + ": off by "
                            + worst + " of " + max);
                }
            }
        }
    }

    @Test
    void theMarginalsRuleConvergesToWhatItClaimsWithAMask() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 48;
        DMatrixRMaj cost = cost(r, n, n);
        EntropicPartialTransport cpu = new EntropicPartialTransport(0.07, 0.5, new Stopping(Stopping.Rule.MARGINALS, 1e-5,
                5000));
        TransportResult want = cpu.solve(cost, TransportArguments.uniform(n), TransportArguments.uniform(n),
                PairMask.diagonal(n));
        for (long oneGroup : FORMS) {
            TransportResult got = new DevicePartialTransport(cpu, dev, oneGroup).solve(cost, TransportArguments.uniform(n),
                    TransportArguments.uniform(n), PairMask.diagonal(n));
            System.out.println(form(oneGroup) + ": " + got.iterations() + " iterations, the CPU " + want.iterations());
            marginalsMet(got, want, n);
        }
    }

    /** Both forms of the device loop: a launch per pass (no problem in one group), the loop in one work-group. */
    static final long[] FORMS = {0, Long.MAX_VALUE};

    static String form(long oneGroup) {
        return oneGroup == 0 ? "pass by pass" : "one work-group";
    }

    private static void marginalsMet(TransportResult got, TransportResult want, int n) {
        assertTrue(got.converged(), got.warning());
        assertEquals(got.iterations(), got.errors().length, "an error per check");
        assertTrue(got.errors()[got.errors().length - 1] <= 1e-5, "the last error is within the tolerance");
        assertTrue(Math.abs(got.iterations() - want.iterations()) <= 3, got.iterations() + " vs " + want.iterations());
        double[] rows = got.rowSums();
        double[] cols = got.colSums();
        double total = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(rows[i] <= 1.0 / n + 1e-5 * 0.5, "row " + i + " = " + rows[i]);
            assertTrue(cols[i] <= 1.0 / n + 1e-5 * 0.5, "column " + i + " = " + cols[i]);
            assertEquals(0.0, got.plan().get(i, i), "the diagonal is forbidden");
            total += rows[i];
        }
        assertEquals(0.5, total, 1e-12, "the mass is exact by construction (gamma recomputed in float64)");
    }

    @Test
    void theOneGroupFormHasABoundPerKindOfDeviceThatAPropertyOverrides() {
        OpenClDevice dev = OpenClTesting.device();
        String key = DevicePartialTransport.ONE_GROUP_PROPERTY;
        assertEquals(null, System.getProperty(key), "set outside the test");
        assertEquals(dev.isGpu() ? DevicePartialTransport.ONE_GROUP_ENTRIES_GPU : 77,
                DevicePartialTransport.oneGroupEntries(dev, 77), "a solver's own bound on a CPU");
        try {
            System.setProperty(key, "0");
            assertEquals(0, DevicePartialTransport.oneGroupEntries(dev, 77));
            System.setProperty(key, "12");
            assertEquals(12, DevicePartialTransport.oneGroupEntries(dev, 77));
            System.setProperty(key, "many");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DevicePartialTransport.oneGroupEntries(dev, 77));
            assertEquals("-Drematch.ot.oneGroupEntries must be a number of entries >= 0, got 'many'", e.getMessage());
        } finally {
            System.clearProperty(key);
        }
        // an item per row or column, a power of two from 64 up to the device's largest group
        assertEquals(64, DevicePartialTransport.groupSize(dev, 1, 1));
        assertEquals(128, DevicePartialTransport.groupSize(dev, 100, 128));
        assertEquals(256, DevicePartialTransport.groupSize(dev, 129, 7));
        assertEquals(DevicePartialTransport.groupSize(dev), DevicePartialTransport.groupSize(dev, 5000, 5000));
        // and each solver's kernel takes such a group on this device, so the one-group form above ran as one group
        try (var k = io.rematch.opencl.KernelPool.lease(dev, EntropicPartialKernel.class, EntropicPartialKernel::new);
             var l = io.rematch.opencl.KernelPool.lease(dev, MaskedPartialKernel.class, MaskedPartialKernel::new);
             var s = io.rematch.opencl.KernelPool.lease(dev, SinkhornKernel.class, SinkhornKernel::new);
             var g = io.rematch.opencl.KernelPool.lease(dev, LogSinkhornKernel.class, LogSinkhornKernel::new)) {
            for (com.aparapi.Kernel kernel : new com.aparapi.Kernel[] {k.kernel(), l.kernel(), s.kernel(), g.kernel()}) {
                assertEquals(DevicePartialTransport.groupSize(dev, 300, 270),
                        DevicePartialTransport.groupSize(kernel, dev, 300, 270), kernel.getClass().getSimpleName());
            }
        }
    }

    @Test
    void onlyTheMarginalsRuleAtAFloat32ToleranceHasAKernel() {
        assertTrue(DevicePartialTransport.supports(new EntropicPartialTransport(0.1, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 1e-5, 100))));
        assertTrue(DevicePartialTransport.supports(new EntropicPartialTransport(0.1, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 0, 100))));
        assertFalse(DevicePartialTransport.supports(new EntropicPartialTransport(0.1, 0.5)), "the default 1e-9");
        assertFalse(DevicePartialTransport.supports(new EntropicPartialTransport(0.1, 0.5, Stopping.potPartial())));
        assertFalse(DevicePartialTransport.supports(new SinkhornKnopp(0.1)));
        OpenClDevice dev = OpenClTesting.device();
        assertThrows(IllegalArgumentException.class,
                () -> new DevicePartialTransport(new EntropicPartialTransport(0.1, 0.5), dev));
    }

    static DMatrixRMaj cost(Random r, int n, int m) {
        DMatrixRMaj c = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            c.data[k] = 1 - Math.tanh(0.5 * r.nextGaussian());
        }
        return c;
    }
}

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
 * The OpenCL log-domain entropic partial OT against the CPU's float64 solver. With a fixed number
 * of iterations both run the same map; a plan entry carries float32's relative error of each
 * exponent, about \(|L_{ij}| \cdot 6 \cdot 10^{-8}\) per operation, so the bound is
 * {@code 1e-4} of the largest entry at reg 0.1 (measured: about 1e-6) and {@code 2e-3} at reg
 * 0.005, where \(|L| \le 800\) and the scaling form's kernel has left float32. With the marginals
 * rule at 1e-5 the device's plan meets the constraints it claims, with a mask.
 */
class DeviceLogPartialTransportContractTest {

    static final long SEED = 20261203L;

    static double relativeGap(TransportResult want, TransportResult got) {
        double max = 0, worst = 0;
        for (int e = 0; e < want.plan().data.length; e++) {
            max = Math.max(max, Math.abs(want.plan().data[e]));
            worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
        }
        return worst / max;
    }

    @Test
    void aFixedNumberOfIterationsGivesTheCpusPlanToFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        for (int[] shape : new int[][] {{1, 1}, {5, 7}, {64, 64}, {100, 70}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
            for (double mass : new double[] {0.3, 1.0}) {
                LogEntropicPartialTransport cpu = new LogEntropicPartialTransport(0.1, mass,
                        new Stopping(Stopping.Rule.MARGINALS, 0, 200));
                TransportResult want = cpu.solve(cost);
                TransportResult got = new DeviceLogPartialTransport(cpu, dev).solve(cost);
                assertEquals(want.iterations(), got.iterations(), "a fixed count");
                assertFalse(got.converged(), "a fixed count claims nothing");
                double gap = relativeGap(want, got);
                System.out.printf("%d x %d, mass %.1f, reg 0.1: plan error / max entry %.2e%n", n, m, mass, gap);
                assertTrue(gap <= 1e-4, n + " x " + m + " mass " + mass + ": off by " + gap + " of the largest entry");
                assertEquals(mass, got.mass(), 1e-12, "the mass is exact by construction");
            }
        }
    }

    @Test
    void itSolvesWhereTheScalingKernelLeavesFloat32() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 40, m = 30;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
        double reg = 0.005;    // costs up to about 4: e^(-C/reg) down to e^-800, below float32's 1e-38
        assertThrows(io.rematch.opencl.Float32Range.class, () -> new DevicePartialTransport(
                new EntropicPartialTransport(reg, 0.5, new Stopping(Stopping.Rule.MARGINALS, 0, 50)), dev).solve(cost),
                "the scaling kernel refuses this problem");
        LogEntropicPartialTransport cpu = new LogEntropicPartialTransport(reg, 0.5, new Stopping(Stopping.Rule.MARGINALS, 0, 300));
        TransportResult want = cpu.solve(cost);
        TransportResult got = new DeviceLogPartialTransport(cpu, dev).solve(cost);
        double gap = relativeGap(want, got);
        System.out.printf("%d x %d, mass 0.5, reg %s: plan error / max entry %.2e%n", n, m, reg, gap);
        assertTrue(gap <= 2e-3, "off by " + gap + " of the largest entry");
    }

    @Test
    void theMarginalsRuleConvergesToWhatItClaimsWithAMask() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 2);
        int n = 48;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, n);
        LogEntropicPartialTransport cpu = new LogEntropicPartialTransport(0.07, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 1e-5, 5000));
        double[] u = TransportArguments.uniform(n);
        TransportResult got = new DeviceLogPartialTransport(cpu, dev).solve(cost, u, u, PairMask.diagonal(n));
        TransportResult want = cpu.solve(cost, u, u, PairMask.diagonal(n));
        assertTrue(got.converged(), got.warning());
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
        assertEquals(0.5, total, 1e-12, "the mass is exact by construction");
        System.out.printf("marginals rule: %d iterations on the device, %d on the CPU; plan error / max %.2e%n",
                got.iterations(), want.iterations(), relativeGap(want, got));
    }

    @Test
    void onlyTheMarginalsRuleAtAFloat32ToleranceHasAKernel() {
        assertTrue(DeviceLogPartialTransport.supports(new LogEntropicPartialTransport(0.1, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 1e-5, 100))));
        assertTrue(DeviceLogPartialTransport.supports(new LogEntropicPartialTransport(0.1, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 0, 100))));
        assertFalse(DeviceLogPartialTransport.supports(new LogEntropicPartialTransport(0.1, 0.5)), "the default 1e-9");
        assertFalse(DeviceLogPartialTransport.supports(new LogEntropicPartialTransport(0.1, 0.5, Stopping.potPartial())));
        assertFalse(DeviceLogPartialTransport.supports(new EntropicPartialTransport(0.1, 0.5,
                new Stopping(Stopping.Rule.MARGINALS, 1e-5, 100))));
        OpenClDevice dev = OpenClTesting.device();
        assertThrows(IllegalArgumentException.class,
                () -> new DeviceLogPartialTransport(new LogEntropicPartialTransport(0.1, 0.5), dev));
    }
}

package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL L2RM partial OT against the CPU's float64 {@link MaskedPartialTransport} (stable
 * mode, the diagonal forbidden as in L2RM): with a fixed number of iterations every entry of the
 * real plan agrees to {@code 1e-4} of the largest (float32 rounds each moderate exponent to about
 * \(10^{-7}\) of its size, since the dummy costs are absorbed into the dummy potentials; the
 * iteration contracts); the forbidden entries are exactly 0; on the marginals rule at a float32
 * tolerance, and on the release's potential-change rule, it stops within a few iterations of the
 * CPU and its plan meets what it claims.
 */
class DeviceMaskedPartialTransportContractTest {

    static final long SEED = 20261210L;

    @Test
    void aFixedNumberOfIterationsGivesTheCpusPlanToFloat32Rounding() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        // 1100 x 30: more rows than the one work-group has items (at most 1,024)
        for (int[] shape : new int[][] {{2, 2}, {5, 7}, {64, 64}, {100, 70}, {1100, 30}}) {
            int n = shape[0], m = shape[1];
            DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
            double[] a = TransportArguments.uniform(n);
            double[] b = TransportArguments.uniform(m);
            PairMask diagonal = PairMask.diagonal(n, m);
            for (double reg : new double[] {0.07, 0.02}) {
                for (int iterations : new int[] {1, 2, 11, 150}) {
                    MaskedPartialTransport cpu = new MaskedPartialTransport(reg, 0.3, Mode.STABLE,
                            new Stopping(Stopping.Rule.MARGINALS, 0, iterations));
                    TransportResult want = cpu.solve(cost, a, b, diagonal);
                    for (long form : DevicePartialTransportContractTest.FORMS) {
                        TransportResult got = new DeviceMaskedPartialTransport(cpu, dev, form).solve(cost, a, b, diagonal);
                        assertEquals(want.iterations(), got.iterations());
                        assertEquals(want.errors().length, got.errors().length, "checked at the same iterations");
                        double max = 0;
                        double worst = 0;
                        for (int e = 0; e < n * m; e++) {
                            max = Math.max(max, want.plan().data[e]);
                            worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
                        }
                        for (int i = 0; i < Math.min(n, m); i++) {
                            assertEquals(0.0, got.plan().get(i, i), "the given pair (i, i) is forbidden");
                        }
                        System.out.printf("%d x %d, reg %s, %d iterations, %s: plan error / max entry %.2e%n", n, m,
                                reg, iterations, DevicePartialTransportContractTest.form(form), worst / max);
                        assertTrue(worst <= 1e-4 * max, n + " x " + m + ", reg " + reg + ", " + iterations
                                + " iterations: off by " + worst + " of " + max);
                    }
                }
            }
        }
    }

    @Test
    void bothStoppingRulesStopWhereTheCpuStops() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 128;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, n);
        for (Stopping stopping : new Stopping[] {new Stopping(Stopping.Rule.MARGINALS, 1e-5, 2000), Stopping.l2rmRelease()}) {
            MaskedPartialTransport cpu = new MaskedPartialTransport(0.07, 0.1, Mode.STABLE, stopping);
            TransportResult want = cpu.solveBatch(cost);
            for (long form : DevicePartialTransportContractTest.FORMS) {
                TransportResult got = new DeviceMaskedPartialTransport(cpu, dev, form).solve(cost,
                        TransportArguments.uniform(n), TransportArguments.uniform(n), PairMask.diagonal(n, n));
                System.out.printf("%s, %s: CPU %d iterations (converged %s), device %d (converged %s)%n", stopping.rule(),
                        DevicePartialTransportContractTest.form(form), want.iterations(), want.converged(),
                        got.iterations(), got.converged());
                assertEquals(want.converged(), got.converged(), stopping + ": " + got.warning());
                assertTrue(Math.abs(want.iterations() - got.iterations()) <= 3, want.iterations() + " vs " + got.iterations());
                assertEquals(got.iterations() + (stopping.rule() == Stopping.Rule.MARGINALS && got.converged() ? 1 : 0),
                        got.errors().length, "an error per check");
                assertEquals(want.mass(), got.mass(), 1e-5, "the real block's mass");
            }
        }
        assertFalse(DeviceMaskedPartialTransport.supports(new MaskedPartialTransport(0.07, 0.1, Mode.FAITHFUL)),
                "faithful mode stays on the CPU");
        assertFalse(DeviceMaskedPartialTransport.supports(new MaskedPartialTransport(0.07, 0.1, Mode.STABLE)),
                "the default 1e-9 stays on the CPU");
        assertTrue(DeviceMaskedPartialTransport.supports(new MaskedPartialTransport(0.07, 0.1, Mode.STABLE,
                Stopping.l2rmRelease())));
    }

    @Test
    void costsFarFromZeroKeepTheirDigits() {
        // the real block's smallest cost moves into the potentials: without that, costs near 100 at
        // reg 0.02 make every exponent about 5,000 and float32 keeps only 4e-4 of each plan entry
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 3);
        int n = 32;
        for (double offset : new double[] {100, 1000}) {
            DMatrixRMaj cost = new DMatrixRMaj(n, n);
            for (int e = 0; e < n * n; e++) {
                cost.data[e] = offset + r.nextDouble();
            }
            MaskedPartialTransport cpu = new MaskedPartialTransport(0.02, 0.3, Mode.STABLE,
                    new Stopping(Stopping.Rule.MARGINALS, 1e-5, 3000));
            TransportResult want = cpu.solveBatch(cost);
            for (long form : DevicePartialTransportContractTest.FORMS) {
                TransportResult got = new DeviceMaskedPartialTransport(cpu, dev, form).solve(cost,
                        TransportArguments.uniform(n), TransportArguments.uniform(n), PairMask.diagonal(n, n));
                assertTrue(want.converged() && got.converged(), "offset " + offset + ": " + got.warning());
                assertTrue(Math.abs(want.iterations() - got.iterations()) <= 3, want.iterations() + " vs " + got.iterations());
                double max = 0;
                double worst = 0;
                for (int e = 0; e < n * n; e++) {
                    max = Math.max(max, want.plan().data[e]);
                    worst = Math.max(worst, Math.abs(want.plan().data[e] - got.plan().data[e]));
                }
                System.out.printf("costs %s + U(0, 1), reg 0.02, %s: plan error / max entry %.2e%n", offset,
                        DevicePartialTransportContractTest.form(form), worst / max);
                assertTrue(worst <= 1e-4 * max, "offset " + offset + ": off by " + worst + " of " + max);
            }
        }
    }

    @Test
    void aRowWithoutMassCarriesNothing() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 2);
        int n = 9;
        int m = 6;
        DMatrixRMaj cost = DevicePartialTransportContractTest.cost(r, n, m);
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1.0 / (n - 1));
        a[3] = 0;
        double[] b = TransportArguments.uniform(m);
        MaskedPartialTransport cpu = new MaskedPartialTransport(0.07, 0.2, Mode.STABLE,
                new Stopping(Stopping.Rule.MARGINALS, 0, 300));
        TransportResult want = cpu.solve(cost, a, b, null);
        for (long form : DevicePartialTransportContractTest.FORMS) {
            TransportResult got = new DeviceMaskedPartialTransport(cpu, dev, form).solve(cost, a, b, null);
            for (int j = 0; j < m; j++) {
                assertEquals(0.0, got.plan().get(3, j), "row 3 has no mass");
            }
            for (int e = 0; e < n * m; e++) {
                assertEquals(want.plan().data[e], got.plan().data[e], 1e-4 * 0.2);
            }
        }
    }
}

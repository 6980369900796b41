package io.rematch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.ContrastiveLoss;
import io.rematch.loss.LossValue;
import io.rematch.loss.ScoreLoss;
import io.rematch.model.TwoTower;
import io.rematch.numeric.Mode;
import io.rematch.opencl.OpenCl;
import io.rematch.opencl.OpenClDevice;
import io.rematch.opencl.OpenClTesting;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Choosing a backend, what it reports, and the switch to the CPU when the device fails. */
class BackendTest {

    static final long SEED = 20261205L;

    @Test
    void theChoiceIsParsedAndABadOneIsNamed() {
        assertEquals(BackendChoice.AUTO, BackendChoice.parse("--backend", "auto"));
        assertEquals(BackendChoice.OPENCL, BackendChoice.parse("--backend", "OpenCL"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendChoice.parse("--backend", "gpu"));
        assertEquals("--backend must be auto, cpu or opencl, got 'gpu'", e.getMessage());
    }

    @Test
    void autoTakesAGpuOnlyAndTheCpuOtherwise() {
        try (Backend b = Backend.open(BackendChoice.AUTO, null)) {
            assertEquals(OpenCl.firstGpu() == null ? "cpu" : "opencl", b.name(), b.describe());
        }
        try (Backend b = Backend.open(BackendChoice.CPU, null)) {
            assertInstanceOf(CpuBackend.class, b);
            assertTrue(b.describe().startsWith("cpu: plain Java, float64"), b.describe());
        }
    }

    @Test
    void openClComputesOnTheDeviceAndSaysSo() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED);
        double[] x = gaussian(r, 40 * 12);
        double[] y = gaussian(r, 30 * 12);
        try (Backend b = Backend.open(BackendChoice.OPENCL, null)) {
            OpenClBackend cl = assertInstanceOf(OpenClBackend.class, b);
            assertEquals(dev.name(), cl.device().name());
            double[] s = b.similarities(x, 40, y, 30, 12);
            double[] want = TwoTower.similarities(x, 40, y, 30, 12);
            for (int k = 0; k < s.length; k++) {
                assertEquals(want[k], s[k], 1e-5, "S[" + k + "]");
            }
            ScoreLoss loss = b.loss(ComplementaryContrastiveLoss.rclDefault());
            DMatrixRMaj scores = DMatrixRMaj.wrap(6, 6, java.util.Arrays.copyOf(gaussian(r, 36), 36));
            for (int k = 0; k < 36; k++) {
                scores.data[k] = Math.tanh(scores.data[k]);
            }
            LossValue v = loss.evaluate(scores);
            assertEquals(ComplementaryContrastiveLoss.rclDefault().evaluate(scores).value(), v.value(), 1e-5);
            ScoreLoss tr = io.rematch.loss.Losses.create("tr-hn", io.rematch.loss.Losses.Settings.defaults());
            assertEquals(tr.evaluate(scores).value(), b.loss(tr).evaluate(scores).value(), 1e-5);
            ScoreLoss rce = io.rematch.loss.Losses.create("rce", io.rematch.loss.Losses.Settings.defaults());
            assertEquals(rce.evaluate(scores).value(), b.loss(rce).evaluate(scores).value(), 0.0,
                    "a loss without a kernel runs on the CPU");
            ScoreLoss nce = new ContrastiveLoss(0.05, Mode.STABLE);
            assertEquals(nce.evaluate(scores).value(), b.loss(nce).evaluate(scores).value(), 1e-5);
            assertEquals(1, cl.count("similarities", "opencl"));
            assertEquals(1, cl.count("ccl-log", "opencl"));
            assertEquals(0, cl.count("similarities", "cpu"));
            assertNull(cl.failure());
            assertEquals("similarities 1 x opencl; ccl-log 1 x opencl; tr-hn 1 x opencl; rce 1 x cpu (no kernel); infonce 1 x opencl",
                    b.report());
            assertTrue(b.describe().startsWith("opencl: " + dev.name()), b.describe());
        }
    }

    @Test
    void aDeviceThatRunsOutOfMemoryHandsTheWorkToTheCpuWithAWarning() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 1);
        int n = 50, m = 20, d = 8;
        double[] x = gaussian(r, n * d);
        double[] y = gaussian(r, m * d);
        List<String> warnings = new ArrayList<>();
        // a budget of 100 bytes: Y alone (640 bytes) does not fit
        OpenClBackend b = new OpenClBackend(dev, warnings::add, 100);
        double[] got = new double[n * m];
        b.similarityBlocks(x, n, y, m, d, 16, (from, rows, block) -> System.arraycopy(block, 0, got, from * m, rows * m));
        assertArrayEquals(TwoTower.similarities(x, n, y, m, d), got, 0.0, "the CPU's float64 result, exactly");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("OpenCL failed, the CPU computes from here on: the similarities of 50 x 20"
                + " x 8 do not fit"), warnings.get(0));
        b.similarities(x, n, y, m, d);
        assertEquals(1, warnings.size(), "warned once");
        assertEquals(0, b.count("similarities", "opencl"));
        assertEquals(2, b.count("similarities", "cpu"));
        assertTrue(b.describe().contains("failed, so the CPU computes from then on"), b.describe());
    }

    @Test
    void theOpenClChoiceWithoutADeviceIsRefusedWithWhatWasFound() throws Exception {
        // a JVM whose OpenCL loader finds no driver: an empty OCL_ICD_VENDORS folder
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("no-icd");
        ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "io.rematch.cli.Rematch", "loss", "--scores", "any.npy", "--loss", "ccl-log", "--backend", "opencl");
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), out);
        assertTrue(out.contains("rematch loss: error: --backend opencl: no OpenCL device was found: "), out);
        assertFalse(out.contains("Exception"), out);
    }

    @Test
    void aFailureBetweenBlocksHandsTheRestToTheCpuEachRowOnce() {
        OpenClDevice dev = OpenClTesting.device();
        Random r = new Random(SEED + 2);
        int n = 50, m = 20, d = 8;
        double[] x = gaussian(r, n * d);
        double[] y = gaussian(r, m * d);
        List<String> warnings = new ArrayList<>();
        OpenClBackend b = new OpenClBackend(dev, warnings::add, 1L << 30);
        b.failAfterBlocks = 2;
        int[] seen = new int[n];
        double[] got = new double[n * m];
        b.similarityBlocks(x, n, y, m, d, 10, (from, rows, block) -> {
            for (int i = 0; i < rows; i++) {
                seen[from + i]++;
            }
            System.arraycopy(block, 0, got, from * m, rows * m);
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "row " + i);
        }
        double[] want = TwoTower.similarities(x, n, y, m, d);
        for (int k = 0; k < n * m; k++) {
            assertEquals(want[k], got[k], k >= 20 * m ? 0.0 : 1e-5, "entry " + k + " (rows 20.. from the CPU, exactly)");
        }
        assertTrue(b.failed());
        assertEquals(1, warnings.size(), warnings.toString());
    }

    @Test
    void aTransportKernelBeyondFloat32IsSolvedOnTheCpu() {
        OpenClDevice dev = OpenClTesting.device();
        // row 0 of e^(-C/reg) peaks at e^(-80) = 1.8e-35: fine in float64, below float32's range
        DMatrixRMaj cost = new DMatrixRMaj(new double[][] {{0.8, 0.9, 0.85}, {0, 0.1, 0.2}, {0.1, 0, 0.3}});
        io.rematch.ot.TransportSolver cpu = new io.rematch.ot.EntropicPartialTransport(0.01, 0.5,
                new io.rematch.ot.Stopping(io.rematch.ot.Stopping.Rule.MARGINALS, 1e-5, 5000));
        try (Backend b = new OpenClBackend(dev, null, 1L << 30)) {
            io.rematch.ot.TransportResult got = b.transport(cpu).solve(cost);
            assertArrayEquals(cpu.solve(cost).plan().data, got.plan().data, 0.0, "the CPU's plan, exactly");
            assertEquals("ot-partial 1 x cpu (beyond float32)", b.report());
            assertFalse(b.failed(), "the device is kept for the next input");
        }
    }

    static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = r.nextGaussian();
        }
        return a;
    }
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.opencl.OpenCl;
import io.rematch.opencl.OpenClTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rematch devices}, {@code rematch bench} and {@code --backend} through the command line. */
class BackendCommandTest {

    @TempDir
    Path dir;

    @Test
    void devicesListsWhatEachChoiceRunsOn() {
        Cli.Result r = Cli.run("devices");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("OpenCL devices:\n"), r::toString);
        assertTrue(r.out().contains("--backend cpu    -> cpu: plain Java, float64"), r::toString);
        assertTrue(r.out().contains("--backend opencl -> " + (OpenCl.devices().isEmpty() ? "refused" : "opencl: ")),
                r::toString);
    }

    @Test
    void benchPutsTheCpuAndTheDeviceSideBySideAndWritesItsReport() throws Exception {
        OpenClTesting.device();
        Path report = dir.resolve("bench.md");
        Cli.Result r = Cli.run("bench", "--sizes", "64,96", "--repeats", "1", "--operations",
                "similarities,ccl,tr-hn,sym-kl,partial,partial-log,sinkhorn,sinkhorn-log,l2rm", "--iterations", "50", "--out", report.toString());
        assertEquals(0, r.code(), r::toString);
        String out = r.out();
        for (String row : new String[] {"| similarities | 64 x 64 x 64 | cpu |", "| similarities | 96 x 96 x 96 | opencl |",
                "| ccl | N = 64 | cpu |", "| ccl | N = 96 | opencl |", "| tr-hn | N = 96 | opencl |", "| sym-kl | N = 96 | opencl |",
                "| partial | 96 x 96, 50 iterations | opencl |", "| partial-log | 96 x 96, 50 iterations | opencl |",
                "| sinkhorn | 64 x 64, 50 iterations | cpu |",
                "| sinkhorn-log | 96 x 96, 50 iterations | opencl |", "| l2rm | 96 x 96, 50 iterations | opencl |"}) {
            assertTrue(out.contains(row), row + "\n" + r);
        }
        assertFalse(out.contains("not timed as the device's"), r::toString);
        assertFalse(out.contains("NaN") || out.contains("Infinity"), r::toString);
        assertEquals(out, Files.readString(report));
        // every device row agrees with the CPU to float32 rounding
        for (String line : out.split("\n")) {
            if (line.contains("| opencl |")) {
                String[] cells = line.split("\\|");
                double d = Double.parseDouble(cells[cells.length - 1].trim());
                assertTrue(d < 1e-4, line);
            }
        }
    }

    @Test
    void logDomainPartialOtRunsOnTheDeviceWhereTheScalingKernelCannot() throws Exception {
        OpenClTesting.device();
        Path plan = dir.resolve("plan-log.npy");
        String scores = Path.of("data-small", "batch128-pmp20", "scores.npy").toString();
        // reg 0.005: e^(-C/reg) reaches e^-400 on this batch, beyond float32, so only the log form runs on the device
        Cli.Result r = Cli.run("ot", "--cost-from-scores", scores, "--method", "partial-log", "--reg", "0.005", "--mass",
                "0.5", "--tol", "1e-5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("\"converged\": true"), r::toString);
        assertTrue(r.err().contains("(ot-partial-log 1 x opencl)"), r::toString);
        Cli.Result scaling = Cli.run("ot", "--cost-from-scores", scores, "--method", "partial", "--reg", "0.005", "--mass",
                "0.5", "--tol", "1e-5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, scaling.code(), scaling::toString);
        assertTrue(scaling.err().contains("(ot-partial 1 x cpu (beyond float32))"), scaling::toString);
    }

    @Test
    void partialOtRunsOnTheDeviceAtAFloat32ToleranceAndOnTheCpuBelowIt() throws Exception {
        OpenClTesting.device();
        Path plan = dir.resolve("plan.npy");
        String scores = Path.of("data-small", "batch128-pmp20", "scores.npy").toString();
        Cli.Result cl = Cli.run("ot", "--cost-from-scores", scores, "--method", "partial", "--reg", "0.1", "--mass", "0.5",
                "--tol", "1e-5", "--max-iter", "5000", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, cl.code(), cl::toString);
        assertTrue(cl.out().contains("\"converged\": true"), cl::toString);
        assertTrue(cl.err().contains("(ot-partial 1 x opencl)"), cl::toString);
        Cli.Result strict = Cli.run("ot", "--cost-from-scores", scores, "--method", "partial", "--reg", "0.1", "--mass",
                "0.5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, strict.code(), strict::toString);
        assertTrue(strict.err().contains("(ot-partial 1 x cpu (tolerance 1.0E-9 below float32's 1.0E-5))"),
                "the default tolerance 1e-9 is below what float32 can meet:\n" + strict);
        Cli.Result sinkhorn = Cli.run("ot", "--cost-from-scores", scores, "--method", "sinkhorn", "--reg", "0.1", "--tol",
                "1e-5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, sinkhorn.code(), sinkhorn::toString);
        assertTrue(sinkhorn.out().contains("\"converged\": true"), sinkhorn::toString);
        assertTrue(sinkhorn.err().contains("(ot-sinkhorn 1 x opencl)"), sinkhorn::toString);
        Cli.Result logDomain = Cli.run("ot", "--cost-from-scores", scores, "--method", "sinkhorn-log", "--reg", "0.02",
                "--tol", "1e-5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, logDomain.code(), logDomain::toString);
        assertTrue(logDomain.out().contains("\"converged\": true"), logDomain::toString);
        assertTrue(logDomain.err().contains("(ot-sinkhorn-log 1 x opencl)"), logDomain::toString);
        Cli.Result l2rm = Cli.run("ot", "--cost-from-scores", scores, "--method", "l2rm", "--reg", "0.07", "--mass", "0.1",
                "--tol", "1e-5", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, l2rm.code(), l2rm::toString);
        assertTrue(l2rm.out().contains("\"converged\": true"), l2rm::toString);
        assertTrue(l2rm.err().contains("(ot-l2rm 1 x opencl)"), l2rm::toString);
        Cli.Result faithful = Cli.run("ot", "--cost-from-scores", scores, "--method", "l2rm", "--mode", "faithful",
                "--reg", "0.07", "--mass", "0.1", "--out", plan.toString(), "--json", "--backend", "opencl");
        assertEquals(0, faithful.code(), faithful::toString);
        assertTrue(faithful.err().contains("(ot-l2rm 1 x cpu (faithful mode has no kernel))"), faithful::toString);
    }

    @Test
    void badChoicesAreRefusedNamingTheOption() {
        Cli.assertBadInput(new String[] {"bench", "--backend", "gpu"}, "--backend must be all, auto, cpu or opencl");
        Cli.assertBadInput(new String[] {"bench", "--operations", "softmax"}, "--operations: unknown operation 'softmax'");
        Cli.assertBadInput(new String[] {"bench", "--iterations", "0"}, "--iterations must be >= 1");
        Cli.assertBadInput(new String[] {"bench", "--cpu-up-to", "-1"}, "--cpu-up-to must be >= 0");
        Cli.assertBadInput(new String[] {"bench", "--sizes", "0"}, "--sizes: 0 is outside 1..32768");
        Cli.assertBadInput(new String[] {"bench", "--repeats", "0"}, "--repeats must be >= 1");
        Cli.assertBadInput(new String[] {"loss", "--scores", "x.npy", "--loss", "ccl-log", "--backend", "cuda"},
                "--backend must be auto, cpu or opencl, got 'cuda'");
        // the training commands name it before reading --data (which does not exist here)
        for (String[] args : new String[][] {
                {"train", "--data", "no-such-folder", "--out", dir.resolve("t").toString(), "--backend", "gpu"},
                {"experiment", "tau", "--data", "no-such-folder", "--out", dir.resolve("e").toString(), "--backend", "gpu"},
                {"demo", "--data", "no-such-folder", "--out", dir.resolve("d").toString(), "--backend", "gpu"}}) {
            Cli.assertBadInput(args, "--backend must be auto, cpu or opencl, got 'gpu'");
        }
        assertFalse(Files.exists(dir.resolve("t")), "nothing written");
    }

    @Test
    void trainingStepsAndEvaluationsRunOnTheDevice() throws Exception {
        OpenClTesting.device();
        String data = Path.of("data-small", "emoji").toString();
        Path onCpu = dir.resolve("cpu");
        Path onDevice = dir.resolve("opencl");
        Cli.Result cpu = Cli.run("train", "--data", data, "--method", "rcl", "--epochs", "1", "--out", onCpu.toString(),
                "--json", "--backend", "cpu");
        Cli.Result cl = Cli.run("train", "--data", data, "--method", "rcl", "--epochs", "1", "--out", onDevice.toString(),
                "--json", "--backend", "opencl");
        assertEquals(0, cpu.code(), cpu::toString);
        assertEquals(0, cl.code(), cl::toString);
        // one validation, then the last and the best epoch's test: three similarity matrices; every batch's step
        java.util.Map<String, Object> run = TrainCommandTest.jsonFile(onDevice.resolve("run.json"));
        assertTrue(cl.err().contains("rematch train: backend opencl: "), cl::toString);
        assertTrue(java.util.regex.Pattern.compile("\\(similarities 3 x opencl; training steps [0-9,]+ x opencl\\)\n")
                .matcher(cl.err()).find(), cl::toString);
        assertTrue(cl.err().contains("training steps on opencl: "), cl::toString);
        assertTrue(cpu.err().contains("(similarities 3 x cpu); the training steps ran on the CPU"), cpu::toString);
        java.util.Map<String, Object> a = TrainCommandTest.jsonFile(onCpu.resolve("results.json"));
        java.util.Map<String, Object> b = TrainCommandTest.jsonFile(onDevice.resolve("results.json"));
        assertEquals("cpu", a.get("test_backend"));
        assertEquals(java.util.List.of("cpu"), a.get("training_backends"));
        assertEquals("opencl", b.get("test_backend"));
        assertEquals(java.util.List.of("opencl"), b.get("validation_backends"));
        assertEquals(java.util.List.of("opencl"), b.get("training_backends"));
        assertTrue(cl.out().contains("\"test_backend\": \"opencl\", \"validation_backends\": [\"opencl\"],"
                + " \"training_backends\": [\"opencl\"]"), cl::toString);
        String log = Files.readString(onDevice.resolve("log.jsonl"));
        assertTrue(log.contains("\"training_backend\": \"opencl\"") && log.contains("\"validation_backend\": \"opencl\""),
                log);
        // the same training in float32 products: the weights move apart by float32's rounding only
        double[] wc = io.rematch.io.Npy.read(onCpu.resolve("epoch-0001").resolve("weights.npy")).data();
        double[] wd = io.rematch.io.Npy.read(onDevice.resolve("epoch-0001").resolve("weights.npy")).data();
        double worst = 0;
        double largest = 0;
        for (int k = 0; k < wc.length; k++) {
            worst = Math.max(worst, Math.abs(wc[k] - wd[k]));
            largest = Math.max(largest, Math.abs(wc[k]));
        }
        assertTrue(worst > 0 && worst < 1e-3 * largest, "after an epoch the weights differ by " + worst + " (largest "
                + largest + "); " + run);
        double rsumCpu = Cli.number(a, "test_best", "rsum");
        double rsumCl = Cli.number(b, "test_best", "rsum");
        assertEquals(rsumCpu, rsumCl, 2.0, "test rsum on the CPU and on the device");
        // a finished run resumed on the CPU is tested again there; its validations and steps stay the device's
        Cli.Result again = Cli.run("train", "--out", onDevice.toString(), "--resume", "--json", "--backend", "cpu");
        assertEquals(0, again.code(), again::toString);
        java.util.Map<String, Object> c = TrainCommandTest.jsonFile(onDevice.resolve("results.json"));
        assertEquals("cpu", c.get("test_backend"));
        assertEquals(java.util.List.of("opencl"), c.get("validation_backends"));
        assertEquals(java.util.List.of("opencl"), c.get("training_backends"));
    }

    @Test
    void compareEvaluatesTheLossesThatHaveKernelsOnTheDevice() {
        OpenClTesting.device();
        String batch = Path.of("data-small", "batch128-pmp20").toString();
        String[] args = {"compare", "--scores", Path.of(batch, "scores.npy").toString(), "--mismatched",
                Path.of(batch, "mismatched.npy").toString(), "--json"};
        Cli.Result cpu = Cli.run(args);
        String[] device = java.util.Arrays.copyOf(args, args.length + 2);
        device[args.length] = "--backend";
        device[args.length + 1] = "opencl";
        Cli.Result cl = Cli.run(device);
        assertEquals(0, cl.code(), cl::toString);
        assertTrue(cl.err().contains("ccl-log 1 x opencl; ") && cl.err().contains("tr-hn 1 x opencl; ")
                && cl.err().contains("rce 1 x cpu (no kernel)"), cl::toString);
        java.util.regex.Matcher a = java.util.regex.Pattern.compile("\"value\": ([^,]+),").matcher(cpu.out());
        java.util.regex.Matcher b = java.util.regex.Pattern.compile("\"value\": ([^,]+),").matcher(cl.out());
        int losses = 0;
        while (a.find()) {
            assertTrue(b.find(), cl::toString);
            double x = Double.parseDouble(a.group(1));
            assertEquals(x, Double.parseDouble(b.group(1)), 1e-4 * Math.abs(x), "loss " + losses + ":\n" + cl);
            losses++;
        }
        assertEquals(11, losses, cpu::toString);
    }

    @Test
    void theOpenClLossSaysWhereItRan() throws Exception {
        OpenClTesting.device();
        Path s = dir.resolve("s.npy");
        double[] v = new double[16];
        for (int k = 0; k < 16; k++) {
            v[k] = Math.sin(k) * 0.5 + (k % 5 == 0 ? 0.5 : 0);
        }
        io.rematch.io.Npy.writeMatrix(s, org.ejml.data.DMatrixRMaj.wrap(4, 4, v));
        Cli.Result cpu = Cli.run("loss", "--scores", s.toString(), "--loss", "ccl-log", "--json");
        Cli.Result cl = Cli.run("loss", "--scores", s.toString(), "--loss", "ccl-log", "--json", "--backend", "opencl");
        assertEquals(0, cl.code(), cl::toString);
        if (OpenCl.firstGpu() == null) {
            assertEquals("", cpu.err(), "auto on a machine without a GPU: the CPU, quietly");
        }
        assertTrue(cl.err().startsWith("rematch loss: backend opencl: "), cl::toString);
        assertTrue(cl.err().contains("(ccl-log 1 x opencl)"), cl::toString);
        Cli.Result hardest = Cli.run("loss", "--scores", s.toString(), "--loss", "tr-hn", "--json", "--backend", "opencl");
        Cli.Result hardestCpu = Cli.run("loss", "--scores", s.toString(), "--loss", "tr-hn", "--json");
        assertEquals(0, hardest.code(), hardest::toString);
        assertTrue(hardest.err().contains("(tr-hn 1 x opencl)"), hardest::toString);
        Path plan = dir.resolve("plan.npy");
        double[] pv = new double[16];
        for (int k = 0; k < 16; k++) {
            pv[k] = k % 5 == 0 ? 0.2 : 0.01 * (k % 3);
        }
        io.rematch.io.Npy.writeMatrix(plan, org.ejml.data.DMatrixRMaj.wrap(4, 4, pv));
        Cli.Result rematch = Cli.run("loss", "--scores", s.toString(), "--loss", "sym-kl", "--targets", plan.toString(),
                "--json", "--backend", "opencl");
        Cli.Result rematchCpu = Cli.run("loss", "--scores", s.toString(), "--loss", "sym-kl", "--targets", plan.toString(),
                "--json");
        assertEquals(0, rematch.code(), rematch::toString);
        assertTrue(rematch.err().contains("(sym-kl 1 x opencl)"), rematch::toString);
        double want = Double.parseDouble(rematchCpu.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim());
        assertEquals(want, Double.parseDouble(rematch.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim()),
                1e-5 * Math.abs(want));
        Cli.Result faithful = Cli.run("loss", "--scores", s.toString(), "--loss", "sym-kl", "--targets", plan.toString(),
                "--mode", "faithful", "--json", "--backend", "opencl");
        assertEquals(0, faithful.code(), faithful::toString);
        assertTrue(faithful.err().contains("(sym-kl 1 x cpu (faithful mode has no kernel))"), faithful::toString);
        assertEquals(Double.parseDouble(hardestCpu.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim()),
                Double.parseDouble(hardest.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim()), 1e-6);
        double a = Double.parseDouble(cpu.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim());
        double b = Double.parseDouble(cl.out().replaceAll("^\\{\"loss\": ([^,]+),.*\\s*$", "$1").trim());
        assertEquals(a, b, 1e-5 * Math.abs(a));
    }
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code rematch ot}: exit codes, the JSON line, the plan file, and bad input naming the option. */
class OtCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Rematch.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    Path cost(int n, int m) throws IOException {
        DMatrixRMaj c = new DMatrixRMaj(n, m);
        java.util.SplittableRandom r = new java.util.SplittableRandom(n * 31L + m);
        for (int k = 0; k < n * m; k++) {
            c.data[k] = r.nextDouble();
        }
        Path p = dir.resolve("C_" + n + "x" + m + ".npy");
        Npy.writeMatrix(p, c);
        return p;
    }

    Path vector(String name, double... v) throws IOException {
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, NpyArray.vector(v));
        return p;
    }

    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\"?[-0-9.eE+a-zA-Z]+\"?)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1).replace("\"", ""));
    }

    static boolean bool(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (true|false)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Boolean.parseBoolean(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sinkhorn", "sinkhorn-log", "partial", "partial-log", "l2rm"})
    void everyMethodWritesAPlanAndOneJsonLine(String method) throws IOException {
        Path out = dir.resolve("P_" + method + ".npy");
        List<String> args = new ArrayList<>(List.of("ot", "--cost", cost(6, 6).toString(), "--reg", "0.05",
                "--method", method, "--out", out.toString(), "--json"));
        if (method.startsWith("partial")) {
            args.addAll(List.of("--mass", "0.6"));
        }
        Run r = run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length, r.out());
        String json = lines[0];
        for (String key : new String[] {"iterations", "err", "mass", "max_row_excess", "max_col_excess", "cost"}) {
            assertTrue(Double.isFinite(number(json, key)), key + " in " + json);
        }
        bool(json, "converged");
        DMatrixRMaj plan = Npy.read(out).toMatrix("plan");
        assertEquals(6, plan.numRows);
        double total = Arrays.stream(plan.data).sum();
        assertEquals(total, number(json, "mass"), 1e-12);
        double expected = method.startsWith("sinkhorn") ? 1.0 : method.startsWith("partial") ? 0.6 : Double.NaN;
        if (!Double.isNaN(expected)) {
            assertEquals(expected, total, 1e-8, json);
        }
        if (method.equals("l2rm")) {   // the diagonal is forbidden by default
            for (int i = 0; i < 6; i++) {
                assertEquals(0.0, plan.get(i, i));
            }
            assertTrue(json.contains("\"mode\": \"stable\""), json);
            assertTrue(bool(json, "converged"), json);
            assertEquals(0.1, total, 1e-7, json);   // plus the dummy corner's ~36 e^{-1/0.05} / 0.1
        }
    }

    @Test
    void zeroToleranceRunsExactlyTheIterationCap() throws IOException {
        for (String method : new String[] {"sinkhorn", "sinkhorn-log", "partial", "partial-log", "l2rm"}) {
            Run r = run("ot", "--cost", cost(5, 4).toString(), "--reg", "0.5", "--method", method, "--max-iter", "37",
                    "--tol", "0", "--out", dir.resolve("P.npy").toString(), "--json");
            assertEquals(0, r.code(), method + ": " + r.err());
            assertEquals(37, (int) number(r.out(), "iterations"), method + ": " + r.out());
            assertFalse(bool(r.out(), "converged") && !method.startsWith("partial"), method + ": " + r.out());
            // a fixed count was asked for: no "did not converge" warning (an infeasibility note may remain)
            assertFalse(r.out().contains("did not converge"), method + ": " + r.out());
            assertFalse(r.err().contains("did not converge"), method + ": " + r.err());
        }
    }

    /** A stopped solver whose plan breaks the row/column limits says so, not just "last error 0". */
    @Test
    void infeasiblePlanIsReportedInTheWarning() throws IOException {
        Path c = dir.resolve("stiff.npy");
        Npy.writeMatrix(c, new DMatrixRMaj(new double[][] {{0, 1000, 5}, {1000, 2000, 1500}, {3, 900, 0}}));
        Run r = run("ot", "--cost", c.toString(), "--reg", "0.01", "--method", "partial-log",
                "--out", dir.resolve("P.npy").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(number(r.out(), "max_row_excess") > 0.1, r.out());
        assertTrue(r.out().contains("the plan is not feasible: row sums exceed a by up to 0.167"), r.out());
    }

    @Test
    void marginalsMaskAndFaithfulModeAreUsed() throws IOException {
        Path a = vector("a", 0.2, 0.3, 0.5);
        Path b = vector("b", 0.6, 0.4);
        Path out = dir.resolve("P.npy");
        Run r = run("ot", "--cost", cost(3, 2).toString(), "--a", a.toString(), "--b", b.toString(), "--reg", "0.2",
                "--method", "sinkhorn", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        DMatrixRMaj p = Npy.read(out).toMatrix("p");
        assertEquals(0.5, p.get(2, 0) + p.get(2, 1), 1e-9);
        assertEquals(0.4, p.get(0, 1) + p.get(1, 1) + p.get(2, 1), 1e-9);

        DMatrixRMaj k = new DMatrixRMaj(4, 4);
        k.set(0, 3, 1);
        k.set(2, 1, 1);
        Path mask = dir.resolve("K.npy");
        Npy.writeMatrix(mask, k);
        r = run("ot", "--cost", cost(4, 4).toString(), "--reg", "0.1", "--method", "partial-log", "--mass", "0.5",
                "--mask", mask.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        p = Npy.read(out).toMatrix("p");
        assertEquals(0.0, p.get(0, 3));
        assertEquals(0.0, p.get(2, 1));
        assertTrue(p.get(1, 1) > 0);

        r = run("ot", "--cost", cost(8, 8).toString(), "--reg", "0.07", "--method", "l2rm", "--mode", "faithful",
                "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"mode\": \"faithful\""), r.out());
        assertTrue(number(r.out(), "err") < 1e-3, r.out());
    }

    @Test
    void theIterationCapWarnsOnStderrAndExitsZero() throws IOException {
        Run r = run("ot", "--cost", cost(6, 6).toString(), "--reg", "0.01", "--method", "sinkhorn-log", "--max-iter", "3",
                "--out", dir.resolve("P.npy").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertFalse(bool(r.out(), "converged"));
        assertTrue(r.err().contains("warning") && r.err().contains("did not converge"), r.err());
    }

    void assertBadInput(String option, String... args) {
        Run r = run(args);
        assertEquals(2, r.code(), "exit code for " + Arrays.toString(args) + ": " + r.err() + r.out());
        assertTrue(r.err().contains(option), "stderr should name " + option + ": " + r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void badInputExitsTwoNamingTheOption() throws IOException {
        String c = cost(3, 3).toString();
        String out = dir.resolve("P.npy").toString();
        DMatrixRMaj nan = new DMatrixRMaj(3, 3);
        nan.set(1, 2, Double.NaN);
        Path nanPath = dir.resolve("nan.npy");
        Npy.writeMatrix(nanPath, nan);
        assertBadInput("--cost[1,2]", "ot", "--cost", nanPath.toString(), "--reg", "0.1", "--method", "sinkhorn", "--out", out);
        assertBadInput("--reg", "ot", "--cost", c, "--reg", "0", "--method", "sinkhorn-log", "--out", out);
        assertBadInput("--reg", "ot", "--cost", c, "--reg", "-1", "--method", "partial", "--out", out);
        assertBadInput("--mass", "ot", "--cost", c, "--reg", "0.1", "--method", "partial", "--mass", "1.5", "--out", out);
        assertBadInput("--mass", "ot", "--cost", c, "--reg", "0.1", "--method", "partial-log", "--mass", "0", "--out", out);
        assertBadInput("--mass", "ot", "--cost", c, "--reg", "0.1", "--method", "l2rm", "--mass", "1", "--out", out);
        assertBadInput("--a", "ot", "--cost", c, "--a", vector("a2", 0.5, 0.5).toString(), "--reg", "0.1", "--method", "sinkhorn", "--out", out);
        assertBadInput("--a", "ot", "--cost", c, "--a", vector("aneg", 0.5, -0.5, 1).toString(), "--reg", "0.1", "--method", "l2rm", "--out", out);
        assertBadInput("--b", "ot", "--cost", c, "--b", vector("bnan", 0.5, Double.NaN, 0.5).toString(), "--reg", "0.1", "--method", "partial", "--out", out);
        Path wrongMask = dir.resolve("K2.npy");
        Npy.writeMatrix(wrongMask, new DMatrixRMaj(2, 3));
        assertBadInput("--mask", "ot", "--cost", c, "--mask", wrongMask.toString(), "--reg", "0.1", "--method", "partial", "--out", out);
        DMatrixRMaj rowsBlocked = new DMatrixRMaj(3, 3);   // two of three rows closed: room for 1/3 only
        for (int j = 0; j < 3; j++) {
            rowsBlocked.set(0, j, 1);
            rowsBlocked.set(1, j, 1);
        }
        Path blocked = dir.resolve("K3.npy");
        Npy.writeMatrix(blocked, rowsBlocked);
        assertBadInput("--mask", "ot", "--cost", c, "--mask", blocked.toString(), "--reg", "0.1", "--method", "l2rm",
                "--mass", "0.5", "--out", out);
        assertBadInput("--method", "ot", "--cost", c, "--reg", "0.1", "--method", "emd", "--out", out);
        assertBadInput("--mode", "ot", "--cost", c, "--reg", "0.1", "--method", "sinkhorn", "--mode", "faithful", "--out", out);
        assertBadInput("--max-iter", "ot", "--cost", c, "--reg", "0.1", "--method", "sinkhorn", "--max-iter", "0", "--out", out);
        assertBadInput("--tol", "ot", "--cost", c, "--reg", "0.1", "--method", "sinkhorn", "--tol", "-1", "--out", out);
        assertBadInput("no such file", "ot", "--cost", dir.resolve("missing.npy").toString(), "--reg", "0.1", "--method", "sinkhorn", "--out", out);
        assertBadInput("--reg", "ot", "--cost", c, "--method", "sinkhorn", "--out", out);   // missing required option
        // kernel underflow: named, with the log-domain method suggested
        DMatrixRMaj far = new DMatrixRMaj(new double[][] {{0, 1}, {100, 101}});
        Path farPath = dir.resolve("far.npy");
        Npy.writeMatrix(farPath, far);
        Run r = run("ot", "--cost", farPath.toString(), "--reg", "0.1", "--method", "sinkhorn", "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--reg") && r.err().contains("sinkhorn-log"), r.err());
        assertEquals(0, run("ot", "--cost", farPath.toString(), "--reg", "0.1", "--method", "sinkhorn-log", "--out", out).code());
    }
}

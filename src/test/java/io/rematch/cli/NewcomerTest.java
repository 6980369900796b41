package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.testing.TestMatrices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as a newcomer meets it: help screens that read as whole sentences in 80
 * columns, suggestions for typos, the releases' own spellings, one rule for options a loss does
 * not use, warnings printed once, default runs that do not warn about their defaults, and output
 * paths that fail in plain words; and, at command level, finite and honest numbers at every scale.
 */
class NewcomerTest {

    @TempDir
    Path dir;

    static final List<String> COMMANDS = List.of("loss", "compare", "realign", "ot", "metrics");

    /** A split option token: a line ending in "=X." whose next line starts the file extension. */
    private static final Pattern SPLIT_TOKEN = Pattern.compile("=[A-Za-z]+\\.$");

    @ParameterizedTest
    @ValueSource(strings = {"", "loss", "compare", "realign", "ot", "metrics"})
    void helpReadsAsWholeSentencesWithin80Columns(String command) {
        Cli.Result r = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.out().lines().toList();
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k);
            assertTrue(line.length() <= 80, "longer than 80 columns: " + line);
            assertFalse(SPLIT_TOKEN.matcher(line).find(), "a token split across lines: " + line + " / "
                    + (k + 1 < lines.size() ? lines.get(k + 1) : ""));
        }
        // The description's paragraphs (between the usage and the options) end as sentences.
        StringBuilder paragraph = new StringBuilder();
        boolean inDescription = false;
        for (String line : lines) {
            if (line.startsWith("Usage:")) {
                inDescription = true;
                continue;
            }
            if (!inDescription || line.startsWith(" ") && paragraph.length() == 0) {
                continue;
            }
            if (line.isBlank() || line.startsWith("  ")) {
                String text = paragraph.toString().strip();
                if (!text.isEmpty()) {
                    assertTrue(text.endsWith(".") || text.endsWith(":"), "a paragraph cut mid-sentence: " + text);
                }
                paragraph.setLength(0);
                if (line.startsWith("  ")) {
                    break;
                }
            } else {
                paragraph.append(' ').append(line.strip());
            }
        }
    }

    @Test
    void theCommandListShowsWholeSummaries() {
        Cli.Result r = Cli.run("--help");
        for (String c : COMMANDS) {
            String summary = r.out().lines().filter(l -> l.startsWith("  " + c + " ")).findFirst().orElseThrow();
            StringBuilder text = new StringBuilder(summary.strip().substring(c.length()).strip());
            // continuation lines of the summary are indented further
            List<String> lines = r.out().lines().toList();
            for (int k = lines.indexOf(summary) + 1; k < lines.size() && lines.get(k).startsWith("       "); k++) {
                text.append(' ').append(lines.get(k).strip());
            }
            assertTrue(text.toString().endsWith("."), c + ": " + text);
        }
    }

    @Test
    void typosGetSuggestions() {
        String[][] cases = {
            {"lose"}, {"metrcs"}, {"loss", "--scroes", "S.npy", "--loss", "infonce"},
            {"loss", "--scores", "S.npy", "--los", "infonce"}, {"loss", "--scores", "S.npy", "--loss", "ccl-log", "--tua", "0.1"}};
        String[] expected = {
            "rematch: error: unknown command 'lose' (did you mean loss?)",
            "rematch: error: unknown command 'metrcs' (did you mean metrics?)",
            "rematch loss: error: unknown option '--scroes' (did you mean --scores?)",
            "rematch loss: error: unknown option '--los' (did you mean --loss?)",
            "rematch loss: error: unknown option '--tua' (did you mean --tau?)"};
        for (int k = 0; k < cases.length; k++) {
            Cli.Result r = Cli.run(cases[k]);
            assertEquals(2, r.code(), r::toString);
            assertEquals(expected[k], r.err().lines().findFirst().orElseThrow(), r::toString);
            assertEquals(2, r.err().lines().count(), "the error and the hint to --help: " + r);
        }
    }

    @Test
    void noCommandIsAUsageErrorAndEveryCommandHasAVersion() {
        Cli.Result none = Cli.run();
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("rematch: error: no command given") && none.err().contains("Usage: rematch"), none.err());
        for (String c : COMMANDS) {
            Cli.Result v = Cli.run(c, "--version");
            assertEquals(0, v.code());
            assertTrue(v.out().startsWith("rematch "), c + ": " + v.out());
        }
    }

    @Test
    void theReleasesSpellingsWork() throws IOException {
        String s = write("s.npy", TestMatrices.scores(5, 0.3, 1));
        double infonce = loss(s, "infonce");
        assertEquals(infonce, loss(s, "infoNCE"), 0.0);
        assertEquals(infonce, loss(s, "INFONCE"), 0.0);
        assertEquals(loss(s, "ccl-mae"), loss(s, "abs"), 0.0);
        assertEquals(loss(s, "ccl-log"), loss(s, "log"), 0.0);
        assertEquals(loss(s, "rce"), loss(s, "RCE"), 0.0);
    }

    private double loss(String scores, String name, String... more) {
        String[] args = new String[6 + more.length];
        System.arraycopy(new String[] {"loss", "--scores", scores, "--loss", name, "--json"}, 0, args, 0, 6);
        System.arraycopy(more, 0, args, 6, more.length);
        return Cli.number(Cli.jsonLine(Cli.run(args)), "loss");
    }

    @Test
    void optionsALossDoesNotUseAreRefusedAndOutputListsWhatWasUsed() throws IOException {
        String s = write("s.npy", TestMatrices.scores(5, 0.3, 1));
        Cli.assertBadInput(new String[] {"loss", "--scores", s, "--loss", "ccl-log", "--q", "0.3"},
                "--q applies to ccl-gce, not to ccl-log");
        Cli.assertBadInput(new String[] {"loss", "--scores", s, "--loss", "infonce", "--margin", "0.1"},
                "--margin applies to tr, tr-hn and tr-mean, not to infonce");
        Cli.assertBadInput(new String[] {"loss", "--scores", s, "--loss", "tr", "--tau", "0.1"}, "--tau applies to", "not to tr");
        Cli.assertBadInput(new String[] {"loss", "--scores", s, "--loss", "ccl-log", "--seed", "3"}, "--seed applies to");
        Map<String, Object> tr = Cli.jsonLine(Cli.run("loss", "--scores", s, "--loss", "tr", "--margin", "0.1", "--json"));
        assertEquals(0.1, (Double) tr.get("margin"));
        assertFalse(tr.containsKey("tau") || tr.containsKey("mode"), tr.toString());
        Cli.Result text = Cli.run("loss", "--scores", s, "--loss", "ccl-gce", "--q", "0.3");
        assertTrue(text.out().contains("q = 0.3") && text.out().contains("tau = 0.05") && !text.out().contains("margin"), text.out());
        Map<String, Object> seeded = Cli.jsonLine(Cli.run("loss", "--scores", s, "--loss", "ccl-log", "--negatives", "single",
                "--seed", "3", "--json"));
        assertEquals(3.0, (Double) seeded.get("seed"));
    }

    @Test
    void aDefaultPartialRunDoesNotWarnAndWarningsArePrintedOnce() throws IOException {
        String c = write("c.npy", absolute(TestMatrices.uniform(5, 5, 1, 17)));
        String out = dir.resolve("p.npy").toString();
        Cli.Result quiet = Cli.run("ot", "--cost", c, "--method", "partial", "--reg", "0.05", "--mass", "0.5", "--out", out, "--json");
        Map<String, Object> j = Cli.jsonLine(quiet);   // stderr empty
        assertEquals(Boolean.TRUE, j.get("converged"));
        assertNull(j.get("warning"));
        Cli.Result pot = Cli.run("ot", "--cost", c, "--method", "partial", "--reg", "0.05", "--mass", "0.8", "--stop", "plan-change",
                "--out", out);
        assertEquals(0, pot.code(), pot::toString);
        assertEquals(1, pot.err().lines().count(), pot::toString);
        assertTrue(pot.err().startsWith("rematch ot: warning: ") && pot.err().contains("1e-100"), pot.err());
        assertTrue(pot.out().contains("converged false"), pot.out());
    }

    /** The default run on the bundled batch: all the mass (a balanced problem for Dykstra), quiet. */
    @Test
    void aDefaultPartialRunOnTheBundledBatchConvergesQuietly() {
        for (String method : List.of("partial", "partial-log", "l2rm", "sinkhorn")) {
            Map<String, Object> j = Cli.jsonLine(Cli.run("ot", "--cost-from-scores", "data-small/batch128-pmp20/scores.npy",
                    "--method", method, "--reg", "0.07", "--out", dir.resolve(method + ".npy").toString(), "--json"));
            assertEquals(Boolean.TRUE, j.get("converged"), method + ": " + j);
            assertNull(j.get("warning"), method);
        }
    }

    /** Histograms normalised in float32 differ from 1 by float32 rounding: reconciled, not refused. */
    @Test
    void float32HistogramsAreReconciled() throws IOException {
        float[] a32 = new float[7];
        double[] a = new double[7];
        for (int k = 0; k < 7; k++) {
            a32[k] = 1f / 7;
            a[k] = a32[k];
        }
        double total = 0;
        for (double v : a) {
            total += v;
        }
        assertTrue(Math.abs(total - 1) > 1e-9, "float32 rounding is visible: " + total);
        String c = write("c.npy", absolute(TestMatrices.uniform(7, 7, 1, 3)));
        Path aFile = dir.resolve("a.npy");
        Npy.write(aFile, NpyArray.vector(a));
        Map<String, Object> j = Cli.jsonLine(Cli.run("ot", "--cost", c, "--a", aFile.toString(), "--method", "sinkhorn",
                "--reg", "0.1", "--out", dir.resolve("p.npy").toString(), "--json"));
        assertEquals(Boolean.TRUE, j.get("converged"));
        assertEquals(total, (Double) j.get("mass"), 1e-12, "b scaled to the total of a");
    }

    /** InfoNCE on a well-separated batch: its diagonal pull is 1 - p, tiny but not 0, as for ccl-log. */
    @Test
    void compareKeepsTinyPullsOnAWellSeparatedBatch() throws IOException {
        String s = write("s.npy", new DMatrixRMaj(new double[][] {{1, -1}, {-1, 1}}));
        Path m = dir.resolve("m.npy");
        Npy.write(m, NpyArray.vector(new double[] {1, 0}));
        Map<String, Object> j = Cli.jsonLine(Cli.run("compare", "--scores", s, "--mismatched", m.toString(), "--json"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) (List<?>) j.get("losses");
        for (Map<String, Object> row : rows) {
            if (row.get("loss").equals("infonce") || row.get("loss").equals("ccl-log")) {
                double clean = (Double) row.get("pull_clean");
                assertTrue(clean > 0, row.toString());
                assertEquals(1.0, (Double) row.get("ratio"), 1e-12, row.toString());
            }
        }
    }

    @Test
    void costFromScoresIsL2rmsInitialCost() throws IOException {
        DMatrixRMaj s = TestMatrices.scores(6, 0.4, 9);
        String scores = write("s.npy", s);
        DMatrixRMaj cost = new DMatrixRMaj(6, 6);
        for (int k = 0; k < 36; k++) {
            cost.data[k] = Math.max(Math.max(1 - s.data[k], 0), 1e-10);
        }
        String costFile = write("c.npy", cost);
        Path p1 = dir.resolve("p1.npy");
        Path p2 = dir.resolve("p2.npy");
        assertEquals(0, Cli.run("ot", "--cost-from-scores", scores, "--method", "l2rm", "--reg", "0.07", "--out", p1.toString()).code());
        assertEquals(0, Cli.run("ot", "--cost", costFile, "--method", "l2rm", "--reg", "0.07", "--out", p2.toString()).code());
        assertEquals(Npy.read(p2), Npy.read(p1));
        Cli.assertUsageError(new String[] {"ot", "--cost", costFile, "--cost-from-scores", scores, "--method", "l2rm",
                "--reg", "0.07", "--out", p1.toString()}, "mutually exclusive");
    }

    @Test
    void outputPathsFailInPlainWordsNamingTheOption() throws IOException {
        String c = write("c.npy", absolute(TestMatrices.uniform(3, 3, 1, 3)));
        String[] base = {"ot", "--cost", c, "--method", "sinkhorn", "--reg", "0.1", "--out"};
        Path missing = dir.resolve("no/such/dir/p.npy");
        Cli.assertBadInput(with(base, missing.toString()), "--out: cannot write " + missing, "does not exist");
        Cli.assertBadInput(with(base, dir.toString()), "--out: cannot write " + dir, "is a directory");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        // a symbolic link is written through, and stays a link
        Path target = dir.resolve("real.npy");
        Npy.writeMatrix(target, new DMatrixRMaj(1, 1));
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), target.getFileName());
        assertEquals(0, Cli.run(with(base, link.toString())).code());
        assertTrue(Files.isSymbolicLink(link), "still a link");
        assertEquals(3, Npy.read(target).shape()[0], "the plan went to the link's target");
    }

    private static String[] with(String[] base, String last) {
        String[] a = java.util.Arrays.copyOf(base, base.length + 1);
        a[base.length] = last;
        return a;
    }

    @Test
    void compareSaysNaWhereNoCleanPairIsPulled() throws IOException {
        String s = write("s.npy", new DMatrixRMaj(new double[][] {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}}));
        Path m = dir.resolve("m.npy");
        Npy.write(m, NpyArray.vector(new double[] {1, 0, 0}));
        Cli.Result text = Cli.run("compare", "--scores", s, "--mismatched", m.toString());
        assertEquals(0, text.code(), text::toString);
        assertFalse(text.out().contains("NaN") || text.out().contains("Infinity"), text.out());
        String tr = text.out().lines().filter(l -> l.startsWith("tr ")).findFirst().orElseThrow();
        assertTrue(tr.endsWith("n/a"), tr);
        Cli.Result json = Cli.run("compare", "--scores", s, "--mismatched", m.toString(), "--json");
        assertTrue(json.out().contains("\"loss\": \"tr\", \"value\": 0.0, \"pull_clean\": 0.0, \"pull_mismatched\": 0.0, \"ratio\": null"),
                json.out());
    }

    /** Cosine-like scores times 200 at tau 0.05: 1 - p underflows, the loss is still finite. */
    @Test
    void cclIsFiniteWhereOneMinusPUnderflows() throws IOException {
        DMatrixRMaj s = TestMatrices.scores(8, 0.3, 5);
        for (int k = 0; k < 64; k++) {
            s.data[k] *= 200;
        }
        String scores = write("s.npy", s);
        for (String name : List.of("ccl-log", "ccl-gce", "infonce", "rce", "nl")) {
            Path g = dir.resolve(name + "-g.npy");
            Map<String, Object> j = Cli.jsonLine(Cli.run("loss", "--scores", scores, "--loss", name, "--grad-out", g.toString(), "--json"));
            assertTrue(j.get("loss") instanceof Double && Double.isFinite((Double) j.get("loss")), name + ": " + j);
            assertEquals(Boolean.TRUE, j.get("finite"));
            for (double v : Npy.read(g).data()) {
                assertTrue(Double.isFinite(v), name + " gradient entry " + v);
            }
        }
        // the release's arithmetic overflows here: exit 0, a warning, and the JSON says so
        Cli.Result faithful = Cli.run("loss", "--scores", scores, "--loss", "ccl-log", "--mode", "faithful", "--json");
        assertEquals(0, faithful.code());
        Map<String, Object> j = Cli.json(faithful.out().strip());
        assertEquals(Boolean.FALSE, j.get("finite"));
        assertNull(j.get("loss"));
        assertTrue(((String) j.get("warning")).contains("--mode stable"), j.toString());
        assertTrue(faithful.err().contains("warning") && faithful.err().contains("release's arithmetic"), faithful.err());
    }

    @Test
    void hugeScoresAreFiniteOrRefusedNamingScoresAndTau() throws IOException {
        DMatrixRMaj big = TestMatrices.scores(5, 0.3, 2);
        for (int k = 0; k < 25; k++) {
            big.data[k] *= 1e300;
        }
        String file = write("big.npy", big);
        for (String name : io.rematch.loss.Losses.SCORE_ONLY_NAMES) {
            double v = loss(file, name);
            assertTrue(Double.isFinite(v), name);
        }
        DMatrixRMaj max = TestMatrices.uniform(4, 4, 1, 3);   // differences beyond the double range
        for (int k = 0; k < 16; k++) {
            max.data[k] = max.data[k] >= 0 ? Double.MAX_VALUE * Math.min(1, max.data[k] + 0.5) : -Double.MAX_VALUE * 0.9;
        }
        String maxFile = write("max.npy", max);
        Cli.assertBadInput(new String[] {"loss", "--scores", maxFile, "--loss", "infonce"}, "--scores:", "--tau = 0.05",
                "beyond double precision");
        Cli.Result compare = Cli.run("compare", "--scores", maxFile, "--mismatched", vector("m.npy", 1, 0, 0, 1));
        assertEquals(2, compare.code(), compare::toString);
        assertTrue(compare.err().contains("--scores:"), compare.err());
    }

    @Test
    void realignWritesTheProposalsAndRefusesATrueCaptionEqualToTheGivenOne() throws IOException {
        String s = "data-small/batch128-pmp20/scores.npy";
        String m = "data-small/batch128-pmp20/mismatched.npy";
        String t = "data-small/batch128-pmp20/true_caption.npy";
        Path out = dir.resolve("proposals.npy");
        Map<String, Object> j = Cli.jsonLine(Cli.run("realign", "--scores", s, "--mismatched", m, "--true-caption", t,
                "--mass", "0.1,0.9", "--max-iter", "5000", "--out", out.toString(), "--json"));
        assertEquals("stable", j.get("mode"));
        NpyArray p = Npy.read(out);
        assertEquals(2, p.shape()[0]);
        assertEquals(128, p.shape()[1]);
        double[] flags = Npy.read(Path.of(m)).data();
        double[] truth = Npy.read(Path.of(t)).data();
        @SuppressWarnings("unchecked")
        List<Object> plans = (List<Object>) j.get("plans");
        for (int run = 0; run < 2; run++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> plan = (Map<String, Object>) plans.get(run);
            assertEquals(Boolean.TRUE, plan.get("converged"), plan.toString());
            int hits = 0;
            for (int i = 0; i < 128; i++) {
                double proposed = p.data()[run * 128 + i];
                if (flags[i] == 0) {
                    assertEquals(-1.0, proposed, "clean image " + i + " is not rematched");
                } else {
                    assertTrue(proposed >= 0 && proposed != i, "image " + i + " gets another caption");
                    hits += proposed == truth[i] ? 1 : 0;
                }
            }
            assertEquals(((Double) plan.get("rematched_by_plan")).intValue(), hits, "the file agrees with the count");
        }
        double[] wrong = truth.clone();
        int first = 0;
        while (flags[first] == 0) {
            first++;
        }
        wrong[first] = first;
        Path wrongTruth = dir.resolve("t.npy");
        Npy.write(wrongTruth, NpyArray.vector(wrong));
        Cli.assertBadInput(new String[] {"realign", "--scores", s, "--mismatched", m, "--true-caption", wrongTruth.toString()},
                "--true-caption[" + first + "] is " + first, "marks pair " + first + " as mismatched");
    }

    /**
     * Out of memory: a 4000 x 4000 input under a 48 MB heap (in a child JVM) gives a plain
     * message with what the input needs and how to give the JVM more, exit 2, no stack trace.
     */
    @Test
    void outOfMemoryIsAPlainMessage() throws Exception {
        int n = 4000;
        Path big = dir.resolve("big.npy");
        byte[] header;
        try (var bytes = new java.io.ByteArrayOutputStream()) {
            Npy.write(bytes, NpyArray.of(new int[] {n, n}, new double[0], io.rematch.io.DType.FLOAT64));
            header = bytes.toByteArray();
        } catch (IllegalArgumentException e) {
            header = null;
        }
        if (header == null) {   // NpyArray.of checks the data length: write the header of a 1 x 1 array and patch it
            header = headerFor(n);
        }
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.write(header);
            f.setLength(header.length + 8L * n * n);   // sparse: zeros, no disk space
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                "io.rematch.cli.Rematch", "loss", "--scores", big.toString(), "--loss", "infonce").redirectErrorStream(false).start();
        String err = new String(proc.getErrorStream().readAllBytes());
        String stdout = new String(proc.getInputStream().readAllBytes());
        assertEquals(2, proc.waitFor(), err);
        assertEquals("", stdout);
        assertTrue(err.startsWith("rematch loss: error: out of memory: --scores is 4000 x 4000"), err);
        assertTrue(err.contains("REMATCH_JAVA_OPTS=-Xmx"), err);
        assertFalse(err.contains("at io.rematch") || err.contains("OutOfMemoryError"), err);
    }

    /** The header numpy.save writes for an n x n float64 array. */
    private static byte[] headerFor(int n) throws IOException {
        try (var bytes = new java.io.ByteArrayOutputStream()) {
            Npy.write(bytes, NpyArray.of(new int[] {1, 1}, new double[] {0}, io.rematch.io.DType.FLOAT64));
            String text = new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String patched = text.replace("'shape': (1, 1), ", String.format("'shape': (%d, %d), ", n, n));
            int dataStart = text.length() - 8;
            // keep the header length: trade padding spaces for the longer shape
            int grow = patched.length() - text.length();
            String head = patched.substring(0, dataStart + grow);
            head = head.replaceFirst(" {" + grow + "}\n$", "\n");
            return head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private String write(String name, DMatrixRMaj m) throws IOException {
        Path p = dir.resolve(name);
        Npy.writeMatrix(p, m);
        return p.toString();
    }

    private String vector(String name, double... v) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, NpyArray.vector(v));
        return p.toString();
    }

    private static DMatrixRMaj absolute(DMatrixRMaj m) {
        for (int k = 0; k < m.getNumElements(); k++) {
            m.data[k] = Math.abs(m.data[k]);
        }
        return m;
    }
}

package io.rematch.cli;

import static io.rematch.cli.Cli.assertBadInput;
import static io.rematch.cli.Cli.assertUsageError;
import static io.rematch.cli.Cli.jsonLine;
import static io.rematch.cli.Cli.number;
import static io.rematch.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.loss.LossValue;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.testing.CorruptNpy;
import io.rematch.testing.TestMatrices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@code rematch loss}: for every loss name its {@code --json} line and its
 * {@code --grad-out} file carry exactly what {@code Losses.create(name, settings).evaluate(S)}
 * gives on the same {@code .npy} file; {@code --mode}, {@code --negatives}, {@code --seed} and
 * {@code --mask} reach the library as the equivalent settings; help, version and usage errors;
 * and bad input of every kind exits 2 with a message naming the option ({@code --scores},
 * {@code --tau}, {@code --mask}, ...) and a stack trace only with {@code --debug}.
 */
class LossCommandTest {

    /** Moderate scores (|S| <= 1.5): a 6-pair batch with the given pairs raised by 0.5. */
    static final DMatrixRMaj S = TestMatrices.scores(6, 0.5, 42);

    /** Two negatives per row, (i, i+1) and (i, i+3) mod 6; the diagonal is clear. */
    static final DMatrixRMaj MASK = new DMatrixRMaj(6, 6);

    static {
        for (int i = 0; i < 6; i++) {
            MASK.set(i, (i + 1) % 6, 1);
            MASK.set(i, (i + 3) % 6, 1);
        }
    }

    @TempDir
    Path dir;

    String scores;

    @BeforeEach
    void writeScores() throws IOException {
        scores = write("scores.npy", S);
    }

    String write(String name, DMatrixRMaj m) throws IOException {
        Path p = dir.resolve(name);
        Npy.writeMatrix(p, m);
        return p.toString();
    }

    static Stream<String> names() {
        return Losses.SCORE_ONLY_NAMES.stream();
    }

    static Losses.Settings settings(Negatives negatives, Mode mode) {
        Losses.Settings d = Losses.Settings.defaults().withNegatives(negatives);
        return mode == Mode.FAITHFUL ? d.asReleased() : d;
    }

    static void assertClose(double expected, double actual, double relative) {
        assertTrue(Math.abs(expected - actual) <= relative * Math.abs(expected),
                () -> "expected " + expected + ", got " + actual + " (relative tolerance " + relative + ")");
    }

    static double loss(Cli.Result r) {
        return number(jsonLine(r), "loss");
    }

    // ------------------------------------------------------------ values

    @ParameterizedTest
    @MethodSource("names")
    void jsonIsOneLineCarryingTheLibraryValue(String name) {
        Map<String, Object> j = jsonLine(run("loss", "--scores", scores, "--loss", name, "--json"));
        double expected = Losses.create(name, Losses.Settings.defaults()).evaluate(S).value();
        assertClose(expected, number(j, "loss"), 1e-12);
        assertEquals(name, j.get("name"));
        assertEquals(6.0, number(j, "n"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void gradOutWritesTheLibraryGradient(String name) throws IOException {
        Path g = dir.resolve("grad.npy");
        Map<String, Object> j = jsonLine(run("loss", "--scores", scores, "--loss", name, "--grad-out", g.toString(),
                "--json"));
        assertEquals(g.toString(), j.get("grad_out"));
        NpyArray written = Npy.read(g);
        assertEquals(DType.FLOAT64, written.dtype());
        DMatrixRMaj got = written.toMatrix("grad");
        DMatrixRMaj expected = Losses.create(name, Losses.Settings.defaults()).evaluate(S).gradient();
        assertEquals(6, got.numRows);
        assertEquals(6, got.numCols);
        double scale = TestMatrices.maxAbs(expected);
        assertTrue(scale > 0, "the fixture has a non-zero gradient");
        assertTrue(TestMatrices.maxAbsDiff(expected, got) <= 1e-12 * scale,
                () -> "gradient differs by " + TestMatrices.maxAbsDiff(expected, got));
    }

    /**
     * The release's \(10^{-10}\) moves each of an anchor's \(2(N-1)\) log or GCE terms by about
     * \(10^{-10} / (1 - p)\), so the modes agree to 1e-9 for moderate scores (here |S| <= 0.05,
     * |S / tau| <= 1) and a small batch; as a negative's p nears 1 the gap grows (2.8e-9 for
     * ccl-log on {@link #S}), and there only the library's own faithful value is expected.
     */
    @ParameterizedTest
    @MethodSource("names")
    void faithfulModeDiffersFromStableOnlyBelow1e9ForModerateScores(String name) throws IOException {
        DMatrixRMaj moderate = TestMatrices.uniform(4, 4, 0.05, 42);
        String file = write("moderate.npy", moderate);
        if (name.startsWith("tr")) { // no softmax, no arithmetic to choose: --mode is refused
            assertBadInput(new String[] {"loss", "--scores", file, "--loss", name, "--mode", "faithful"},
                    "--mode applies to the softmax losses", "not to " + name);
            return;
        }
        double stable = loss(run("loss", "--scores", file, "--loss", name, "--mode", "stable", "--json"));
        Map<String, Object> j = jsonLine(run("loss", "--scores", file, "--loss", name, "--mode", "faithful", "--json"));
        double faithful = number(j, "loss");
        assertEquals("faithful", j.get("mode"));
        // rce's release formula has log(I + 1e-7): its modes differ by ~1e-7 relative by design
        double tolerance = name.equals("rce") ? 1e-6 : 1e-9;
        assertTrue(Math.abs(faithful - stable) <= tolerance * Math.max(1, Math.abs(stable)),
                () -> name + ": stable " + stable + ", faithful " + faithful);

        double onS = loss(run("loss", "--scores", scores, "--loss", name, "--mode", "faithful", "--json"));
        assertClose(Losses.create(name, settings(Negatives.all(), Mode.FAITHFUL)).evaluate(S).value(), onS, 1e-12);
    }

    @Test
    void randomNegativesAreReproducibleFromTheSeed() {
        String[] seed3 = {"loss", "--scores", scores, "--loss", "ccl-log", "--negatives", "ratio:0.5", "--seed", "3",
            "--json"};
        Cli.Result first = run(seed3);
        Cli.Result again = run(seed3);
        assertEquals(first.out(), again.out());
        double l3 = loss(first);
        double l4 = loss(run("loss", "--scores", scores, "--loss", "ccl-log", "--negatives", "ratio:0.5", "--seed", "4",
                "--json"));
        assertNotEquals(l3, l4, "another seed draws other negatives");
        assertClose(Losses.create("ccl-log", settings(Negatives.ratio(0.5, 3), Mode.STABLE)).evaluate(S).value(), l3,
                1e-12);
        assertEquals("ratio:0.5", jsonLine(first).get("negatives"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ccl-log", "ccl-exp", "ccl-gce", "ccl-tan", "ccl-mae"})
    void anExplicitMaskEqualsTheLibraryWithThatFixedMask(String name) throws IOException {
        String mask = write("mask.npy", MASK);
        Path g = dir.resolve("grad.npy");
        double got = loss(run("loss", "--scores", scores, "--loss", name, "--mask", mask, "--grad-out", g.toString(),
                "--json"));
        LossValue expected = Losses.create(name, settings(Negatives.fixed(PairMask.of("mask", MASK)), Mode.STABLE))
                .evaluate(S);
        assertClose(expected.value(), got, 1e-12);
        assertTrue(TestMatrices.maxAbsDiff(expected.gradient(), Npy.read(g).toMatrix("grad"))
                <= 1e-12 * TestMatrices.maxAbs(expected.gradient()));
        double all = Losses.create(name, Losses.Settings.defaults()).evaluate(S).value();
        assertNotEquals(all, got, "the mask is used, not all negatives");
    }

    @Test
    void aBooleanMaskFileIsAccepted() throws IOException {
        Path p = dir.resolve("mask_b1.npy");
        Npy.write(p, NpyArray.of(new int[] {6, 6}, MASK.data.clone(), DType.BOOL));
        double got = loss(run("loss", "--scores", scores, "--loss", "ccl-log", "--mask", p.toString(), "--json"));
        assertClose(Losses.create("ccl-log", settings(Negatives.fixed(PairMask.of("mask", MASK)), Mode.STABLE))
                .evaluate(S).value(), got, 1e-12);
    }

    @ParameterizedTest
    @MethodSource("names")
    void humanReadableOutputNamesTheLossAndItsValue(String name) {
        Cli.Result r = run("loss", "--scores", scores, "--loss", name);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        String first = r.out().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith(name + " = "), first);
        double printed = Double.parseDouble(first.substring((name + " = ").length()).strip());
        assertClose(Losses.create(name, Losses.Settings.defaults()).evaluate(S).value(), printed, 1e-11);
        assertTrue(r.out().contains("N = 6"), r::toString);
    }

    // ------------------------------------------------------------ help, version, usage errors

    @Test
    void helpListsTheSubcommandsAndOptions() {
        Cli.Result root = run("--help");
        assertEquals(0, root.code(), root::toString);
        for (String s : List.of("loss", "metrics", "--debug", "--help", "--version")) {
            assertTrue(root.out().contains(s), () -> s + " in:\n" + root);
        }
        Cli.Result loss = run("loss", "--help");
        assertEquals(0, loss.code(), loss::toString);
        for (String s : List.of("--scores", "--loss", "--tau", "--q", "--margin", "--negatives", "--mask", "--seed",
                "--mode", "--grad-out", "--json", "ccl-gce", "tr-hn")) {
            assertTrue(loss.out().contains(s), () -> s + " in:\n" + loss);
        }
        Cli.Result metrics = run("metrics", "--help");
        assertEquals(0, metrics.code(), metrics::toString);
        for (String s : List.of("--sims", "--captions-per-image", "--ties", "--json")) {
            assertTrue(metrics.out().contains(s), () -> s + " in:\n" + metrics);
        }
        assertEquals(loss.out(), run("help", "loss").out());
    }

    @Test
    void versionExitsZero() {
        Cli.Result r = run("--version");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("rematch "), r::toString);
    }

    @Test
    void unknownOptionsAndSubcommandsAreUsageErrors() {
        assertUsageError(new String[] {"loss", "--scores", scores, "--loss", "ccl-log", "--temperature", "1"},
                "--temperature");
        assertUsageError(new String[] {"frobnicate"}, "frobnicate");
        assertUsageError(new String[] {"loss", "--loss", "ccl-log"}, "--scores");
        assertUsageError(new String[] {"loss", "--scores", scores, "--loss", "ccl-log", "--tau", "cold"}, "--tau",
                "cold");
    }

    // ------------------------------------------------------------ bad input

    String[] lossArgs(String... extra) {
        String[] base = {"loss", "--scores", scores, "--loss", "ccl-log"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteScoresNameTheOptionAndTheFirstIndex(double bad) throws IOException {
        DMatrixRMaj s = S.copy();
        s.set(2, 4, bad);
        s.set(5, 0, Double.NaN);
        scores = write("bad.npy", s);
        for (String name : Losses.SCORE_ONLY_NAMES) {
            assertBadInput(new String[] {"loss", "--scores", scores, "--loss", name},
                    "--scores[2,4] is " + bad + "; expected finite values");
        }
    }

    @Test
    void nonSquareScoresAreRefused() throws IOException {
        scores = write("wide.npy", TestMatrices.uniform(2, 3, 1, 1));
        assertBadInput(lossArgs(), "--scores must be square", "got 2 x 3");
        Path vector = dir.resolve("vector.npy");
        Npy.write(vector, NpyArray.vector(new double[] {1, 2, 3}));
        scores = vector.toString();
        assertBadInput(lossArgs(), "--scores must be a 2-D array", "(3,)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.05", "NaN", "Infinity"})
    void temperatureMustBePositive(String tau) {
        for (String name : Losses.NAMES) {
            assertBadInput(new String[] {"loss", "--scores", scores, "--loss", name, "--tau", tau},
                    "--tau must be a finite number > 0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.5", "1.5", "NaN"})
    void gceExponentMustLieInZeroToOne(String q) {
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "ccl-gce", "--q", q},
                "--q must be in (0.0, 1.0]");
    }

    @Test
    void marginMustBeNonNegative() {
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "tr", "--margin", "-0.2"},
                "--margin must be a finite number >= 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ratio:0", "ratio:1", "ratio:1.5", "ratio:-0.1", "ratio:NaN", "ratio:half", "some"})
    void negativesRatioMustLieStrictlyBetweenZeroAndOne(String spec) {
        assertBadInput(lossArgs("--negatives", spec), "--negatives", "(0, 1)");
    }

    @Test
    void maskAndRatioTogetherAreAnError() throws IOException {
        String mask = write("mask.npy", MASK);
        assertBadInput(lossArgs("--mask", mask, "--negatives", "ratio:0.5"), "--mask", "--negatives", "not both");
    }

    @Test
    void nlTakesNoNegativesOrMask() throws IOException {
        String mask = write("mask.npy", MASK);
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "nl", "--negatives", "ratio:0.5"},
                "--negatives applies to the ccl-* losses, not to nl");
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "nl", "--negatives", "single"},
                "--negatives applies to the ccl-* losses, not to nl");
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "nl", "--mask", mask},
                "--mask applies to the ccl-* losses, not to nl");
    }

    @Test
    void lossesWithoutNegativesRefuseNegativesAndMask() throws IOException {
        String mask = write("mask.npy", MASK);
        for (String name : new String[] {"infonce", "tr", "tr-hn"}) {
            assertBadInput(new String[] {"loss", "--scores", scores, "--loss", name, "--negatives", "ratio:0.5"},
                    "--negatives applies to the ccl-* losses, not to " + name);
            assertBadInput(new String[] {"loss", "--scores", scores, "--loss", name, "--mask", mask},
                    "--mask applies to the ccl-* losses, not to " + name);
        }
    }

    @Test
    void maskOfTheWrongShapeIsRefused() throws IOException {
        assertBadInput(lossArgs("--mask", write("m65.npy", new DMatrixRMaj(6, 5))),
                "--mask must be 6 x 6 like --scores, got 6 x 5");
        // the shape is checked before the entries: an all-ones mask of the wrong size is a shape error
        DMatrixRMaj ones = new DMatrixRMaj(3, 3);
        java.util.Arrays.fill(ones.data, 1.0);
        assertBadInput(lossArgs("--mask", write("ones33.npy", ones)), "--mask must be 6 x 6 like --scores, got 3 x 3");
        assertBadInput(lossArgs("--mask", write("m55.npy", PairMask.offDiagonal(5).toMatrix())),
                "--mask must be 6 x 6 like --scores, got 5 x 5");
    }

    @Test
    void ratioLeavingNoNegativeIsRefused() {
        assertBadInput(lossArgs("--negatives", "ratio:0.1"), "0 negatives per anchor", "batch of 6");
    }

    @Test
    void negativeTargetsAreRefusedNamingTheOption() throws IOException {
        DMatrixRMaj t = MASK.copy();
        t.set(1, 2, -0.5);
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "sym-kl", "--targets", write("neg.npy", t)},
                "--targets[1,2] is -0.5; expected >= 0");
    }

    @Test
    void maskWithADiagonalOrNonBinaryEntryIsRefused() throws IOException {
        DMatrixRMaj diagonal = MASK.copy();
        diagonal.set(2, 2, 1);
        assertBadInput(lossArgs("--mask", write("diag.npy", diagonal)),
                "--mask[2,2] is 1: the diagonal (the given pairs) cannot be a negative");
        DMatrixRMaj half = MASK.copy();
        half.set(0, 1, 0.5);
        assertBadInput(lossArgs("--mask", write("half.npy", half)), "--mask[0,1] is 0.5; expected 0 or 1");
    }

    @ParameterizedTest
    @EnumSource(CorruptNpy.class)
    void corruptFilesNameTheOptionAndTheProblem(CorruptNpy file) throws IOException {
        Path bad = Files.write(dir.resolve(file.name() + ".npy"), file.bytes());
        assertBadInput(new String[] {"loss", "--scores", bad.toString(), "--loss", "ccl-log"},
                "--scores: " + bad + ": ", file.expected);
        assertBadInput(lossArgs("--mask", bad.toString()), "--mask: " + bad + ": ", file.expected);
    }

    @Test
    void missingFilesNameTheOption() {
        String missing = dir.resolve("missing.npy").toString();
        assertBadInput(new String[] {"loss", "--scores", missing, "--loss", "ccl-log"},
                "--scores: cannot read " + missing + ": no such file");
        assertBadInput(lossArgs("--mask", missing), "--mask: cannot read " + missing + ": no such file");
        assertBadInput(new String[] {"loss", "--scores", dir.toString(), "--loss", "ccl-log"},
                "--scores: cannot read " + dir);
        String unwritable = dir.resolve("no-such-dir").resolve("grad.npy").toString();
        assertBadInput(lossArgs("--grad-out", unwritable), "--grad-out: cannot write " + unwritable);
    }

    @Test
    void unknownLossOrModeIsRefused() {
        assertBadInput(new String[] {"loss", "--scores", scores, "--loss", "ccl-foo"},
                "--loss must be one of ccl-log", "'ccl-foo'");
        assertBadInput(lossArgs("--mode", "exact"), "--mode must be 'stable' or 'faithful'", "'exact'");
    }
}

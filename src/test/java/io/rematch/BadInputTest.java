package io.rematch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.TieRule;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.io.NpyFormatException;
import io.rematch.loss.ComplementaryBound;
import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.ContrastiveLoss;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.prob.MatchingProbabilities;
import io.rematch.testing.CorruptNpy;
import io.rematch.testing.TestMatrices;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library's input contract: every public entry point refuses bad input with an
 * {@link IllegalArgumentException} (for {@code .npy} files its subclass {@link NpyFormatException})
 * whose message names the argument, in the library's own parameter names ({@code scores},
 * {@code tau}, {@code q}, {@code mask}, {@code sims}, ...), and the expected shape or range:
 * non-finite scores (with the first bad index), non-square score matrices, {@code tau <= 0},
 * {@code q} outside (0, 1], a negatives ratio outside (0, 1), malformed or wrong-sized masks, a
 * similarity width that is not a multiple of the captions per image, corrupt and missing files.
 * The command line's own messages, in option names, are checked by the tests in
 * {@code io.rematch.cli}.
 */
class BadInputTest {

    @TempDir
    Path dir;

    static final DMatrixRMaj SCORES = TestMatrices.scores(4, 0.5, 11);

    static String message(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected \"" + expected + "\" in: " + actual);
    }

    /** A copy of {@code m} with {@code v} at (i, j). */
    static DMatrixRMaj with(DMatrixRMaj m, int i, int j, double v) {
        DMatrixRMaj c = m.copy();
        c.set(i, j, v);
        return c;
    }

    /** Every name's defaults, with one value replaced. */
    static Losses.Settings settings(double tau, double q, double margin) {
        return Losses.Settings.defaults().withTau(tau).withQ(q).withMargin(margin);
    }

    static Stream<String> names() {
        return Losses.SCORE_ONLY_NAMES.stream();
    }

    static Stream<String> namesWithTemperature() {
        return names().filter(n -> !n.startsWith("tr"));
    }

    // ------------------------------------------------------------ MatchingProbabilities

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void probabilitiesNameTheFirstNonFiniteScore(double bad) {
        DMatrixRMaj s = with(with(SCORES, 2, 1, bad), 3, 0, Double.NaN);
        String expected = "scores[2,1] is " + bad + "; expected finite values";
        assertEquals(expected, message(() -> MatchingProbabilities.imageToText(s, 0.05, Mode.STABLE)));
        assertEquals(expected, message(() -> MatchingProbabilities.textToImage(s, 0.05, Mode.FAITHFUL)));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -0.05, Double.NaN, Double.POSITIVE_INFINITY})
    void probabilitiesRefuseTemperaturesThatAreNotPositive(double tau) {
        String expected = "tau must be a finite number > 0, got " + tau;
        assertEquals(expected, message(() -> MatchingProbabilities.imageToText(SCORES, tau, Mode.STABLE)));
        assertEquals(expected, message(() -> MatchingProbabilities.textToImage(SCORES, tau, Mode.STABLE)));
    }

    @Test
    void probabilitiesRefuseMissingOrEmptyScoresAndAMissingMode() {
        assertEquals("scores is missing", message(() -> MatchingProbabilities.imageToText(null, 0.05, Mode.STABLE)));
        assertEquals("scores is empty (0 x 3); expected at least 1 x 1",
                message(() -> MatchingProbabilities.textToImage(new DMatrixRMaj(0, 3), 0.05, Mode.STABLE)));
        assertContains("mode is missing", message(() -> MatchingProbabilities.imageToText(SCORES, 0.05, null)));
        assertContains("mode is missing", message(() -> MatchingProbabilities.textToImage(SCORES, 0.05, null)));
    }

    @Test
    void probabilitiesAcceptRectangularScores() {
        // Documented: S is N_v x N_t and need not be square, so a 2 x 3 matrix is valid input.
        DMatrixRMaj p = MatchingProbabilities.imageToText(TestMatrices.uniform(2, 3, 1, 5), 0.1, Mode.STABLE);
        assertEquals(2, p.numRows);
        assertEquals(3, p.numCols);
    }

    // ------------------------------------------------------------ every ScoreLoss, by name

    @ParameterizedTest
    @MethodSource("names")
    void lossesNameTheFirstNonFiniteScore(String name) {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            DMatrixRMaj s = with(with(SCORES, 1, 3, bad), 2, 0, Double.NaN);
            assertEquals("scores[1,3] is " + bad + "; expected finite values",
                    message(() -> Losses.create(name, Losses.Settings.defaults()).evaluate(s)));
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void lossesRefuseNonSquareScores(String name) {
        for (int[] shape : new int[][] {{3, 4}, {4, 3}, {1, 2}}) {
            DMatrixRMaj s = TestMatrices.uniform(shape[0], shape[1], 1, 2);
            assertEquals("scores must be square (N x N: row i and column i are a given pair), got "
                            + shape[0] + " x " + shape[1],
                    message(() -> Losses.create(name, Losses.Settings.defaults()).evaluate(s)));
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void lossesRefuseMissingAndEmptyScores(String name) {
        assertEquals("scores is missing", message(() -> Losses.create(name, Losses.Settings.defaults()).evaluate(null)));
        assertEquals("scores is empty (0 x 0); expected at least 1 x 1",
                message(() -> Losses.create(name, Losses.Settings.defaults()).evaluate(new DMatrixRMaj(0, 0))));
    }

    @ParameterizedTest
    @MethodSource("namesWithTemperature")
    void lossesRefuseTemperaturesThatAreNotPositive(String name) {
        for (double tau : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals("tau must be a finite number > 0, got " + tau,
                    message(() -> Losses.create(name, settings(tau, 0.5, 0.2))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tr", "tr-hn"})
    void tripletLossesRefuseNegativeMargins(String name) {
        for (double margin : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals("margin must be a finite number >= 0, got " + margin,
                    message(() -> Losses.create(name, settings(0.05, 0.5, margin))));
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.5, 1.0000001, 2.0, Double.NaN, Double.POSITIVE_INFINITY})
    void gceRefusesExponentsOutsideZeroToOne(double q) {
        String expected = "q must be in (0.0, 1.0], got " + q;
        assertEquals(expected, message(() -> ComplementaryBound.gce(q)));
        assertEquals(expected, message(() -> Losses.create("ccl-gce", settings(0.05, q, 0.2))));
    }

    @Test
    void gceAcceptsTheClosedEndOne() {
        assertEquals(1.0, ComplementaryBound.gce(1.0).q());
        assertEquals(Double.MIN_VALUE, ComplementaryBound.gce(Double.MIN_VALUE).q());
    }

    @Test
    void createRefusesUnknownNamesAndMissingArguments() {
        String m = message(() -> Losses.create("ccl-foo", Losses.Settings.defaults()));
        assertContains("must be one of " + String.join(", ", Losses.NAMES), m);
        assertContains("got 'ccl-foo'", m);
        assertContains("name is missing", message(() -> Losses.create(null, Losses.Settings.defaults())));
        assertContains("settings is missing", message(() -> Losses.create("ccl-log", null)));
    }

    @ParameterizedTest
    @MethodSource("namesWithTemperature")
    void lossesRefuseAMissingModeOrNegatives(String name) {
        assertContains("mode is missing",
                message(() -> Losses.create(name, Losses.Settings.defaults().withMode(null))));
        if (name.startsWith("ccl-")) {
            assertContains("negatives is missing",
                    message(() -> Losses.create(name, Losses.Settings.defaults().withNegatives(null))));
        }
    }

    @Test
    void constructorsRefuseMissingParts() {
        assertContains("bound is missing",
                message(() -> new ComplementaryContrastiveLoss(null, 0.05, Negatives.all(), Mode.STABLE)));
        assertContains("mode is missing", message(() -> new ContrastiveLoss(0.05, null)));
    }

    // ------------------------------------------------------------ negatives and masks

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0, -0.25, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void ratioMustLieStrictlyBetweenZeroAndOne(double ratio) {
        assertEquals("negatives ratio must be in (0, 1), got " + ratio, message(() -> Negatives.ratio(ratio, 1)));
        String m = message(() -> Negatives.parse("ratio:" + ratio, 1));
        assertContains("--negatives", m);
        assertContains("(0, 1)", m);
        assertContains(String.valueOf(ratio), m);
    }

    @Test
    void parseRefusesMalformedSpecs() {
        assertEquals("--negatives ratio:R needs a number R in (0, 1), got 'ratio:half'",
                message(() -> Negatives.parse("ratio:half", 1)));
        assertEquals("--negatives must be 'all', 'ratio:R' with R in (0, 1), or 'single', got 'some'",
                message(() -> Negatives.parse("some", 1)));
        assertContains("--negatives is missing", message(() -> Negatives.parse(null, 1)));
    }

    @Test
    void negativesMaskMustBeSquareAndNonEmpty() {
        assertEquals("mask must be square (N x N, one row per anchor), got 2 x 3",
                message(() -> Negatives.fixed(PairMask.of("mask", new DMatrixRMaj(2, 3)))));
        assertEquals("mask is empty (0 x 0); expected a 0/1 matrix of at least 1 x 1",
                message(() -> PairMask.of("mask", new DMatrixRMaj(0, 0))));
        assertContains("mask is missing", message(() -> PairMask.of("mask", null)));
        assertContains("mask is missing", message(() -> Negatives.fixed(null)));
    }

    @Test
    void negativesMaskMustNotSelectTheDiagonal() {
        DMatrixRMaj m = with(PairMask.offDiagonal(3).toMatrix(), 1, 1, 1.0);
        assertEquals("mask[1,1] is 1: the diagonal (the given pairs) cannot be a negative",
                message(() -> Negatives.fixed(PairMask.of("mask", m))));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 2.0, -1.0, Double.NaN})
    void maskEntriesMustBeZeroOrOne(double v) {
        DMatrixRMaj m = with(PairMask.offDiagonal(3).toMatrix(), 0, 2, v);
        assertEquals("mask[0,2] is " + v + "; expected 0 or 1", message(() -> PairMask.of("mask", m)));
    }

    @Test
    void maskMustHaveTheBatchSize() {
        PairMask three = PairMask.of("mask", PairMask.offDiagonal(3).toMatrix());
        assertEquals("mask is 3 x 3 but the scores are 4 x 4", message(() -> Negatives.fixed(three).draw(4)));
        assertEquals("mask is 3 x 3 but the scores are 4 x 4",
                message(() -> new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05,
                        Negatives.fixed(three), Mode.STABLE).evaluate(SCORES)));
        assertEquals("mask is 3 x 3 but scores are 4 x 4",
                message(() -> ComplementaryContrastiveLoss.rclDefault().evaluate(SCORES, three)));
        assertContains("mask is missing", message(() -> ComplementaryContrastiveLoss.rclDefault().evaluate(SCORES, (PairMask) null)));
    }

    // ------------------------------------------------------------ RetrievalMetrics

    @Test
    void metricsNameTheFirstNonFiniteSimilarity() {
        DMatrixRMaj s = with(with(TestMatrices.uniform(2, 4, 1, 3), 1, 3, Double.NaN), 1, 2, Double.NEGATIVE_INFINITY);
        assertEquals("sims[1,2] is -Infinity; expected finite values", message(() -> RetrievalMetrics.evaluate(s, 2)));
        assertEquals("sims[1,2] is -Infinity; expected finite values",
                message(() -> RetrievalMetrics.imageToText(s, 2, TieRule.OPTIMISTIC)));
        assertEquals("sims[1,2] is -Infinity; expected finite values",
                message(() -> RetrievalMetrics.textToImage(s, 2, TieRule.OPTIMISTIC)));
    }

    @Test
    void metricsWidthMustBeImagesTimesCaptionsPerImage() {
        DMatrixRMaj s = TestMatrices.uniform(2, 7, 1, 3);
        for (Executable call : List.<Executable>of(() -> RetrievalMetrics.evaluate(s, 5),
                () -> RetrievalMetrics.imageToText(s, 5, TieRule.PESSIMISTIC),
                () -> RetrievalMetrics.textToImage(s, 5, TieRule.PESSIMISTIC))) {
            String m = message(call);
            assertContains("sims has 2 rows and 7 columns", m);
            assertContains("captions-per-image (5)", m);
        }
        // Divisible, but by the wrong count: 2 images x 5 captions is 10 columns, not 15.
        assertContains("sims has 2 rows and 10 columns",
                message(() -> RetrievalMetrics.evaluate(TestMatrices.uniform(2, 10, 1, 3), 1)));
    }

    @Test
    void metricsRefuseBadCountsRulesAndMissingInput() {
        DMatrixRMaj s = TestMatrices.uniform(2, 2, 1, 3);
        assertEquals("captions-per-image must be >= 1, got 0", message(() -> RetrievalMetrics.evaluate(s, 0)));
        assertEquals("captions-per-image must be >= 1, got -5", message(() -> RetrievalMetrics.evaluate(s, -5)));
        assertContains("ties is missing", message(() -> RetrievalMetrics.evaluate(s, 1, null)));
        assertEquals("sims is missing", message(() -> RetrievalMetrics.evaluate(null, 1)));
        assertEquals("sims is empty (0 x 0); expected at least 1 x 1",
                message(() -> RetrievalMetrics.evaluate(new DMatrixRMaj(0, 0), 1)));
    }

    // ------------------------------------------------------------ .npy files

    @ParameterizedTest
    @EnumSource(CorruptNpy.class)
    void corruptStreamsAreRefusedNamingTheSource(CorruptNpy file) {
        NpyFormatException e = assertThrows(NpyFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(file.bytes()), "batch.npy"));
        assertTrue(e.getMessage().startsWith("batch.npy: "), e.getMessage());
        assertContains(file.expected, e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(CorruptNpy.class)
    void corruptFilesAreRefusedNamingThePath(CorruptNpy file) throws IOException {
        Path p = Files.write(dir.resolve(file.name() + ".npy"), file.bytes());
        String m = message(() -> Npy.read(p));
        assertTrue(m.startsWith(p + ": "), m);
        assertContains(file.expected, m);
    }

    @Test
    void missingFilesAndArgumentsAreReported() {
        Path missing = dir.resolve("nope.npy");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Npy.read(missing));
        assertContains(missing.toString(), e.getMessage());
        assertEquals("path is missing", message(() -> Npy.read((Path) null)));
        assertEquals("in is missing", message(() -> Npy.read(null, "x.npy")));
    }

    @Test
    void aMatrixMustBeTwoDimensional() {
        NpyArray v = NpyArray.vector(new double[] {1, 2, 3});
        assertEquals("scores must be a 2-D array (rows, cols), got shape (3,) <f8", message(() -> v.toMatrix("scores")));
    }
}

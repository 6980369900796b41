package io.rematch.cli;

import static io.rematch.cli.Cli.assertBadInput;
import static io.rematch.cli.Cli.assertUsageError;
import static io.rematch.cli.Cli.jsonLine;
import static io.rematch.cli.Cli.number;
import static io.rematch.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.eval.DirectionMetrics;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.testing.CorruptNpy;
import io.rematch.testing.TestMatrices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@code rematch metrics}: {@code --json} prints one line
 * {@code {"i2t": {r1, r5, r10, medr, meanr}, "t2i": {...}, "rsum": ...}} whose numbers are
 * exactly those of {@link RetrievalMetrics#evaluate} on the same {@code .npy} file, for any
 * {@code --captions-per-image} and {@code --ties}; without it a table as
 * {@link RetrievalReport#toTable()}; bad input exits 2 naming {@code --sims} or
 * {@code --captions-per-image}, with a stack trace only under {@code --debug}.
 */
class MetricsCommandTest {

    @TempDir
    Path dir;

    String write(String name, DMatrixRMaj m) throws IOException {
        Path p = dir.resolve(name);
        Npy.writeMatrix(p, m);
        return p.toString();
    }

    /** Every number of the JSON equals the report's, bit for bit, and there are no other keys. */
    static void assertReport(RetrievalReport expected, Map<String, Object> json) {
        assertEquals(Set.of("i2t", "t2i", "rsum"), json.keySet());
        assertDirection(expected.i2t(), json, "i2t");
        assertDirection(expected.t2i(), json, "t2i");
        assertEquals(expected.rsum(), number(json, "rsum"));
    }

    static void assertDirection(DirectionMetrics expected, Map<String, Object> json, String key) {
        assertEquals(Set.of("r1", "r5", "r10", "medr", "meanr"), ((Map<?, ?>) json.get(key)).keySet());
        assertEquals(expected.r1(), number(json, key, "r1"), key + ".r1");
        assertEquals(expected.r5(), number(json, key, "r5"), key + ".r5");
        assertEquals(expected.r10(), number(json, key, "r10"), key + ".r10");
        assertEquals(expected.medr(), number(json, key, "medr"), key + ".medr");
        assertEquals(expected.meanr(), number(json, key, "meanr"), key + ".meanr");
    }

    @Test
    void jsonEqualsTheLibraryWithFiveCaptionsPerImage() throws IOException {
        // 12 images so that R@1, R@5 and R@10 all differ; scores boosted on each image's captions.
        DMatrixRMaj s = TestMatrices.uniform(12, 60, 1, 8);
        for (int i = 0; i < 12; i++) {
            for (int c = 5 * i; c < 5 * i + 5; c++) {
                s.set(i, c, s.get(i, c) + 0.6);
            }
        }
        String file = write("sims.npy", s);
        RetrievalReport expected = RetrievalMetrics.evaluate(s, 5, TieRule.PESSIMISTIC);
        assertReport(expected, jsonLine(run("metrics", "--sims", file, "--json")));
        assertReport(expected, jsonLine(run("metrics", "--sims", file, "--captions-per-image", "5", "--json")));
        assertTrue(expected.i2t().r1() < expected.i2t().r10(), "a fixture that is neither perfect nor hopeless");
    }

    @Test
    void oneCaptionPerImageOnASquareMatrix() throws IOException {
        DMatrixRMaj s = TestMatrices.scores(15, 0.4, 9);
        String file = write("square.npy", s);
        Map<String, Object> json = jsonLine(run("metrics", "--sims", file, "--captions-per-image", "1", "--json"));
        assertReport(RetrievalMetrics.evaluate(s, 1), json);
    }

    @Test
    void optimisticTiesRankTheTruthFirst() throws IOException {
        // Image 0's best caption c1 ties with c2, image 1's best caption c2 ties with c0 and c1.
        DMatrixRMaj ties = new DMatrixRMaj(new double[][] {{0.5, 0.9, 0.9, 0.1}, {0.3, 0.3, 0.3, 0.2}});
        String file = write("ties.npy", ties);
        Map<String, Object> pessimistic = jsonLine(run("metrics", "--sims", file, "--captions-per-image", "2",
                "--ties", "pessimistic", "--json"));
        Map<String, Object> optimistic = jsonLine(run("metrics", "--sims", file, "--captions-per-image", "2",
                "--ties", "optimistic", "--json"));
        assertReport(RetrievalMetrics.evaluate(ties, 2, TieRule.PESSIMISTIC), pessimistic);
        assertReport(RetrievalMetrics.evaluate(ties, 2, TieRule.OPTIMISTIC), optimistic);
        assertEquals(pessimistic, jsonLine(run("metrics", "--sims", file, "--captions-per-image", "2", "--json")),
                "pessimistic is the default");
        for (String d : List.of("i2t", "t2i")) {
            assertTrue(number(optimistic, d, "r1") >= number(pessimistic, d, "r1"), d);
            assertTrue(number(optimistic, d, "meanr") <= number(pessimistic, d, "meanr"), d);
        }
        assertEquals(100.0, number(optimistic, "i2t", "r1"));
        assertEquals(0.0, number(pessimistic, "i2t", "r1"));
    }

    @Test
    void tableIsTheReportsTableUnderAOneLineSummary() throws IOException {
        DMatrixRMaj s = TestMatrices.uniform(3, 15, 1, 4);
        String file = write("sims.npy", s);
        Cli.Result r = run("metrics", "--sims", file);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        String table = RetrievalMetrics.evaluate(s, 5).toTable();
        assertEquals("3 images x 15 captions (5 per image), ties pessimistic" + System.lineSeparator() + table,
                r.out());
        for (String s1 : List.of("R@1", "R@5", "R@10", "medr", "meanr", "i2t", "t2i", "rsum")) {
            assertTrue(r.out().contains(s1), () -> s1 + " in:\n" + r);
        }
    }

    // ------------------------------------------------------------ bad input

    @ParameterizedTest
    @ValueSource(ints = {7, 5, 20})
    void widthNotImagesTimesCaptionsPerImageIsRefused(int width) throws IOException {
        String file = write("sims.npy", TestMatrices.uniform(2, width, 1, 1));
        assertBadInput(new String[] {"metrics", "--sims", file}, "--sims is 2 x " + width, "expected 2 x 10",
                "5 captions per image (--captions-per-image)");
    }

    @Test
    void nonFiniteSimilaritiesNameTheOptionAndTheFirstIndex() throws IOException {
        DMatrixRMaj s = TestMatrices.uniform(2, 10, 1, 1);
        s.set(1, 7, Double.NaN);
        s.set(1, 9, Double.POSITIVE_INFINITY);
        assertBadInput(new String[] {"metrics", "--sims", write("nan.npy", s)}, "--sims[1,7] is NaN; expected finite values");
    }

    @Test
    void captionsPerImageAndTiesAreChecked() throws IOException {
        String file = write("sims.npy", TestMatrices.uniform(2, 2, 1, 1));
        assertBadInput(new String[] {"metrics", "--sims", file, "--captions-per-image", "0"},
                "--captions-per-image must be >= 1, got 0");
        assertBadInput(new String[] {"metrics", "--sims", file, "--ties", "random"},
                "--ties must be 'pessimistic' or 'optimistic'", "'random'");
        assertUsageError(new String[] {"metrics", "--sims", file, "--captions-per-image", "five"},
                "--captions-per-image", "five");
    }

    @Test
    void aVectorIsNotASimilarityMatrix() throws IOException {
        Path p = dir.resolve("vector.npy");
        Npy.write(p, NpyArray.vector(new double[] {1, 2}));
        assertBadInput(new String[] {"metrics", "--sims", p.toString(), "--captions-per-image", "1"},
                "--sims must be a 2-D array");
    }

    @ParameterizedTest
    @EnumSource(CorruptNpy.class)
    void corruptFilesNameTheOptionAndTheProblem(CorruptNpy file) throws IOException {
        Path bad = Files.write(dir.resolve(file.name() + ".npy"), file.bytes());
        assertBadInput(new String[] {"metrics", "--sims", bad.toString()}, "--sims: " + bad + ": ", file.expected);
    }

    @Test
    void aMissingFileNamesTheOption() {
        String missing = dir.resolve("missing.npy").toString();
        assertBadInput(new String[] {"metrics", "--sims", missing}, "--sims: cannot read " + missing + ": no such file");
        assertUsageError(new String[] {"metrics"}, "--sims");
    }
}

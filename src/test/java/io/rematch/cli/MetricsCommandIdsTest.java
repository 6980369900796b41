package io.rematch.cli;

import static io.rematch.cli.Cli.assertBadInput;
import static io.rematch.cli.Cli.jsonLine;
import static io.rematch.cli.Cli.run;
import static io.rematch.cli.MetricsCommandTest.assertReport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.TieRule;
import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.testing.TestMatrices;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rematch metrics --image-ids I.npy --caption-ids C.npy}: items matched by id. Ids that
 * describe the fixed layout print exactly what {@code --captions-per-image} prints; other ids
 * print {@link RetrievalMetrics#evaluate(DMatrixRMaj, long[], long[], TieRule)}; a wrong file,
 * length or combination exits 2 naming the option.
 */
class MetricsCommandIdsTest {

    @TempDir
    Path dir;

    /** 12 images x 60 captions, each image's 5 captions boosted, as in {@link MetricsCommandTest}. */
    DMatrixRMaj sims;
    String simsFile;

    @BeforeEach
    void fixture() throws IOException {
        sims = TestMatrices.uniform(12, 60, 1, 8);
        for (int i = 0; i < 12; i++) {
            for (int c = 5 * i; c < 5 * i + 5; c++) {
                sims.set(i, c, sims.get(i, c) + 0.6);
            }
        }
        simsFile = dir.resolve("sims.npy").toString();
        Npy.writeMatrix(Path.of(simsFile), sims);
    }

    String ids(String name, DType dtype, double... values) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, NpyArray.of(new int[] {values.length}, values, dtype));
        return p.toString();
    }

    static double[] range(int n, int k) {
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            v[j] = j / k;
        }
        return v;
    }

    @Test
    void idsOfFiveCaptionsPerImagePrintTheSameJsonAsCaptionsPerImage() throws IOException {
        String images = ids("images.npy", DType.INT64, range(12, 1));
        String captions = ids("captions.npy", DType.INT64, range(60, 5));
        for (String rule : List.of("pessimistic", "optimistic")) {
            Cli.Result byK = run("metrics", "--sims", simsFile, "--captions-per-image", "5", "--ties", rule, "--json");
            Cli.Result byIds = run("metrics", "--sims", simsFile, "--image-ids", images, "--caption-ids", captions,
                    "--ties", rule, "--json");
            jsonLine(byIds);
            assertEquals(byK.out(), byIds.out(), rule);
        }
        assertReport(RetrievalMetrics.evaluate(sims, 5), jsonLine(run("metrics", "--sims", simsFile,
                "--caption-ids", captions, "--image-ids", images, "--json")));
        Cli.Result table = run("metrics", "--sims", simsFile, "--image-ids", images, "--caption-ids", captions);
        assertEquals(0, table.code(), table::toString);
        assertTrue(table.out().endsWith(RetrievalMetrics.evaluate(sims, 5).toTable()), table::toString);
        assertTrue(table.out().startsWith("12 images x 60 captions (matched by --image-ids and --caption-ids)"),
                table::toString);
    }

    @Test
    void otherIdsGiveTheLibrarysItemMetrics() throws IOException {
        // Images 0 and 1 are one item (id 40) with the captions of both: every caption of 40 counts.
        double[] imageIds = range(12, 1);
        double[] captionIds = range(60, 5);
        imageIds[1] = 0;
        for (int c = 5; c < 10; c++) {
            captionIds[c] = 0;
        }
        for (int q = 0; q < imageIds.length; q++) {
            imageIds[q] += 40;
        }
        for (int q = 0; q < captionIds.length; q++) {
            captionIds[q] += 40;
        }
        long[] images = new long[12];
        long[] captions = new long[60];
        for (int q = 0; q < 12; q++) {
            images[q] = (long) imageIds[q];
        }
        for (int q = 0; q < 60; q++) {
            captions[q] = (long) captionIds[q];
        }
        // float64 ids are accepted when they are whole numbers
        assertReport(RetrievalMetrics.evaluate(sims, images, captions, TieRule.PESSIMISTIC),
                jsonLine(run("metrics", "--sims", simsFile, "--image-ids", ids("i.npy", DType.FLOAT64, imageIds),
                        "--caption-ids", ids("c.npy", DType.INT64, captionIds), "--json")));
    }

    @Test
    void helpListsTheIdOptions() {
        Cli.Result help = run("metrics", "--help");
        assertEquals(0, help.code(), help::toString);
        for (String s : List.of("--image-ids", "--caption-ids", "I.npy", "C.npy")) {
            assertTrue(help.out().contains(s), () -> s + " in:\n" + help);
        }
    }

    // ------------------------------------------------------------ bad input

    @Test
    void aWrongLengthIdsFileIsRefusedNamingTheOption() throws IOException {
        String captions = ids("captions.npy", DType.INT64, range(60, 5));
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids",
                        ids("short.npy", DType.INT64, range(11, 1)), "--caption-ids", captions},
                "--image-ids has 11 ids but --sims has 12 rows");
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids",
                        ids("images.npy", DType.INT64, range(12, 1)), "--caption-ids",
                        ids("long.npy", DType.INT64, range(61, 5))},
                "--caption-ids has 61 ids but --sims has 60 columns");
    }

    @Test
    void bothIdFilesAreNeededAndReplaceCaptionsPerImage() throws IOException {
        String images = ids("images.npy", DType.INT64, range(12, 1));
        String captions = ids("captions.npy", DType.INT64, range(60, 5));
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", images},
                "--caption-ids is missing", "given together");
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--caption-ids", captions},
                "--image-ids is missing", "given together");
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", images, "--caption-ids", captions,
                        "--captions-per-image", "5"},
                "--captions-per-image cannot be combined with --image-ids and --caption-ids");
    }

    @Test
    void idsMustBeWholeNumbersInAVectorAndEveryImageNeedsACaption() throws IOException {
        String captions = ids("captions.npy", DType.INT64, range(60, 5));
        double[] half = range(12, 1);
        half[3] = 2.5;
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", ids("half.npy", DType.FLOAT64, half),
                        "--caption-ids", captions},
                "--image-ids[3] is 2.5; expected whole-number item ids");
        double[] stray = range(12, 1);
        stray[4] = 99;
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", ids("stray.npy", DType.INT64, stray),
                        "--caption-ids", captions},
                "--image-ids[4] = 99 has no caption: no entry of --caption-ids is 99");
        Path matrix = dir.resolve("matrix.npy");
        Npy.writeMatrix(matrix, new DMatrixRMaj(12, 1));
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", matrix.toString(),
                        "--caption-ids", captions},
                "--image-ids must be a 1-D array");
        String missing = dir.resolve("missing.npy").toString();
        assertBadInput(new String[] {"metrics", "--sims", simsFile, "--image-ids", missing, "--caption-ids", captions},
                "--image-ids: cannot read " + missing + ": no such file");
    }
}

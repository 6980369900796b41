package io.rematch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataset folders in both conventions, built file by file: what loads (and in which precision),
 * what every malformed file is refused with (its name and the expected shape), text captions
 * over the training vocabulary, and the fingerprint a resumed run compares.
 */
class DatasetFolderTest {

    @TempDir
    Path dir;

    // ---- writing small folders ---------------------------------------------------------------------

    /** Row-major values {@code base + 10 row + col}: every entry tells where it came from. */
    static double[] values(int rows, int cols, double base) {
        double[] v = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = base + 10 * r + c + 0.25;
            }
        }
        return v;
    }

    static void f64(Path file, int[] shape, double[] data) throws IOException {
        Npy.write(file, NpyArray.of(shape, data, DType.FLOAT64));
    }

    static void f32(Path file, int[] shape, double[] data) throws IOException {
        float[] f = new float[data.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) data[k];
        }
        Npy.writeFloat32(file, shape, f);
    }

    static void int64(Path file, int[] shape, double[] data) throws IOException {
        Npy.write(file, NpyArray.of(shape, data, DType.INT64));
    }

    /** {@code split_ims.npy} (n x 3) and {@code split_caps.npy} (m x 2), float64. */
    void precomp(String split, int n, int m) throws IOException {
        f64(dir.resolve(split + "_ims.npy"), new int[] {n, 3}, values(n, 3, 0));
        f64(dir.resolve(split + "_caps.npy"), new int[] {m, 2}, values(m, 2, 1000));
    }

    DatasetFolder open() {
        return DatasetFolder.open(dir, "--data");
    }

    String refusal(String split) {
        DatasetFolder f = open();
        return assertThrows(IllegalArgumentException.class, () -> f.split(split)).getMessage();
    }

    static void assertContains(String message, String... phrases) {
        for (String p : phrases) {
            assertTrue(message.contains(p), () -> "expected \"" + p + "\" in: " + message);
        }
    }

    // ---- precomp form ------------------------------------------------------------------------------

    @Test
    void precompFormGivesCaptionJToImageJOverK() throws IOException {
        precomp("train", 4, 12);
        Split s = open().split("train");
        assertEquals(3, s.captionsPerImage());
        assertEquals(4, s.imageCount());
        assertEquals(12, s.captionCount());
        assertEquals(12, s.pairCount());
        for (int j = 0; j < 12; j++) {
            assertEquals(j / 3, s.captionIds()[j], "caption id " + j);
            assertEquals(j / 3, s.pairImage()[j], "pair image " + j);
            assertEquals(j, s.pairCaption()[j], "pair caption " + j);
            assertTrue(s.isCorrect(j));
        }
        assertArrayEquals(new long[] {0, 1, 2, 3}, s.imageIds());
        assertEquals(10 * 2 + 1 + 0.25, s.images().get(2, 1));
        assertEquals(1000 + 10 * 11 + 1 + 0.25, s.captions().get(11, 1));
    }

    @Test
    void float32FilesStayFloat32AndFloat64StayFloat64() throws IOException {
        f32(dir.resolve("train_ims.npy"), new int[] {2, 3}, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
        f64(dir.resolve("train_caps.npy"), new int[] {4, 2}, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
        Split s = open().split("train");
        assertTrue(s.images().isFloat32(), "a float32 file is held as float32");
        assertFalse(s.captions().isFloat32(), "a float64 file is held as float64");
        assertEquals((double) 0.6f, s.images().get(1, 2), 0.0, "the float32 value, not rounded again");
        assertEquals(0.8, s.captions().get(3, 1), 0.0, "the float64 value, bit for bit");
    }

    @Test
    void imageRegionsAreMeanPooledInEitherPrecision() throws IOException {
        // 2 images x 3 regions x 2 dims: image 1, dim 0 holds 1, 2, 6 over its regions -> mean 3.
        double[] regions = {
            0, 10, 1, 20, 2, 30,
            1, -1, 2, -2, 6, 0,
        };
        f64(dir.resolve("train_ims.npy"), new int[] {2, 3, 2}, regions);
        f64(dir.resolve("train_caps.npy"), new int[] {2, 2}, values(2, 2, 0));
        Split s = open().split("train");
        assertEquals(2, s.images().cols());
        assertFalse(s.images().isFloat32());
        assertEquals(3.0, s.images().get(1, 0), 1e-15);
        assertEquals(-1.0, s.images().get(1, 1), 1e-15);
        assertEquals(20.0, s.images().get(0, 1), 1e-15);

        f32(dir.resolve("train_ims.npy"), new int[] {2, 3, 2}, regions);
        Split t = open().split("train");
        assertTrue(t.images().isFloat32(), "pooled float32 regions stay float32");
        assertEquals(3.0, t.images().get(1, 0), 1e-6);
        assertEquals(1.0, t.images().get(0, 0), 1e-6);
    }

    @Test
    void captionsMayNotHaveRegions() throws IOException {
        f64(dir.resolve("train_ims.npy"), new int[] {2, 2}, values(2, 2, 0));
        f64(dir.resolve("train_caps.npy"), new int[] {2, 1, 2}, values(2, 2, 0));
        assertContains(refusal("train"), "train_caps.npy", "(2, 1, 2)", "expected (n, d)");
    }

    @Test
    void captionsThatAreNotAWholeNumberPerImageAreRefusedNamingBothFiles() throws IOException {
        precomp("train", 4, 10);
        assertContains(refusal("train"), "10 captions (train_caps.npy)", "4 images (train_ims.npy)",
                "train_img_ids.npy");
        precomp("dev", 4, 3);   // fewer captions than images
        assertContains(refusal("dev"), "dev_caps.npy", "dev_ims.npy");
    }

    @Test
    void aNonFiniteFeatureIsRefusedNamingTheFileAndRow() throws IOException {
        precomp("train", 3, 6);
        double[] caps = values(6, 2, 0);
        caps[2 * 4 + 1] = Double.NaN;
        f64(dir.resolve("train_caps.npy"), new int[] {6, 2}, caps);
        assertContains(refusal("train"), "train_caps.npy row 4", "NaN");

        precomp("train", 3, 6);
        double[] ims = values(3, 3, 0);
        ims[3 * 2] = Double.POSITIVE_INFINITY;
        f32(dir.resolve("train_ims.npy"), new int[] {3, 3}, ims);
        assertContains(refusal("train"), "train_ims.npy row 2", "finite");
    }

    @Test
    void aNanInOneRegionIsRefusedNamingTheImage() throws IOException {
        double[] regions = values(3, 4, 0);   // 3 images x 2 regions x 2 dims
        regions[2 * 4 + 3] = Double.NaN;
        f32(dir.resolve("train_ims.npy"), new int[] {3, 2, 2}, regions);
        f64(dir.resolve("train_caps.npy"), new int[] {3, 2}, values(3, 2, 0));
        assertContains(refusal("train"), "train_ims.npy row 2");
    }

    @Test
    void aVectorOrAnIntegerFeatureFileIsRefused() throws IOException {
        precomp("train", 2, 2);
        f64(dir.resolve("train_ims.npy"), new int[] {6}, values(1, 6, 0));
        assertContains(refusal("train"), "train_ims.npy", "shape (6,)", "expected (n, d) or (n, regions, d)");

        precomp("train", 2, 2);
        int64(dir.resolve("train_caps.npy"), new int[] {2, 2}, new double[] {1, 2, 3, 4});
        assertContains(refusal("train"), "train_caps.npy", "int64", "float32 or float64");
    }

    @Test
    void emptyDimensionsAreRefusedNotDividedBy() throws IOException {
        precomp("train", 2, 2);
        f64(dir.resolve("train_ims.npy"), new int[] {2, 0, 3}, new double[0]);
        assertContains(refusal("train"), "train_ims.npy", "(2, 0, 3)", "at least 1");

        precomp("train", 2, 2);
        f64(dir.resolve("train_caps.npy"), new int[] {0, 2}, new double[0]);
        assertContains(refusal("train"), "train_caps.npy", "(0, 2)");
    }

    @Test
    void aMissingSplitOrFolderIsNamed() throws IOException {
        precomp("train", 2, 2);
        assertContains(refusal("test"), "no test split", "test_ims.npy does not exist");
        assertContains(refusal("validation"), "split must be one of train, dev, test, testall");

        f64(dir.resolve("dev_ims.npy"), new int[] {2, 3}, values(2, 3, 0));
        assertContains(refusal("dev"), "dev_caps.npy", "dev_caps.txt", "no captions");

        Path missing = dir.resolve("nope");
        assertContains(assertThrows(IllegalArgumentException.class, () -> DatasetFolder.open(missing, "--data"))
                .getMessage(), "--data", "does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertContains(assertThrows(IllegalArgumentException.class, () -> DatasetFolder.open(empty, "--data"))
                .getMessage(), "--data", "holds no train_ims.npy");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> DatasetFolder.open(dir.resolve("train_ims.npy"), "--data")).getMessage(), "is not a folder");
    }

    // ---- general form ------------------------------------------------------------------------------

    /** Items 10, 20, 30; item 10 has two images; 5 captions; pairs include both images of item 10. */
    void general(String split, double[][] pairs) throws IOException {
        f64(dir.resolve(split + "_ims.npy"), new int[] {4, 3}, values(4, 3, 0));
        f64(dir.resolve(split + "_caps.npy"), new int[] {5, 2}, values(5, 2, 1000));
        int64(dir.resolve(split + "_img_ids.npy"), new int[] {4}, new double[] {10, 10, 20, 30});
        int64(dir.resolve(split + "_cap_ids.npy"), new int[] {5}, new double[] {20, 10, 30, 20, 30});
        if (pairs != null) {
            double[] flat = new double[pairs.length * 2];
            for (int p = 0; p < pairs.length; p++) {
                flat[2 * p] = pairs[p][0];
                flat[2 * p + 1] = pairs[p][1];
            }
            int64(dir.resolve(split + "_pairs.npy"), new int[] {pairs.length, 2}, flat);
        }
    }

    @Test
    void generalFormKeepsTheIdsAndThePairs() throws IOException {
        general("train", new double[][] {{0, 1}, {1, 1}, {2, 0}, {2, 3}, {3, 2}, {3, 4}});
        Split s = open().split("train");
        assertEquals(0, s.captionsPerImage());
        assertArrayEquals(new long[] {10, 10, 20, 30}, s.imageIds());
        assertArrayEquals(new long[] {20, 10, 30, 20, 30}, s.captionIds());
        assertArrayEquals(new int[] {0, 1, 2, 2, 3, 3}, s.pairImage());
        assertArrayEquals(new int[] {1, 1, 0, 3, 2, 4}, s.pairCaption());
        for (int p = 0; p < s.pairCount(); p++) {
            assertTrue(s.isCorrect(p), "pair " + p);
        }
    }

    @Test
    void anEvaluationSplitWithoutPairsPairsEachCaptionWithTheFirstImageOfItsItem() throws IOException {
        general("dev", null);
        Split s = open().split("dev");
        assertArrayEquals(new int[] {2, 0, 3, 2, 3}, s.pairImage());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.pairCaption());
    }

    @Test
    void trainingInTheGeneralFormNeedsAPairsFile() throws IOException {
        general("train", null);
        assertContains(refusal("train"), "train_pairs.npy", "(pairs, 2)");
    }

    @Test
    void imageIdsWithoutCaptionIdsAreRefused() throws IOException {
        general("train", new double[][] {{0, 1}});
        Files.delete(dir.resolve("train_cap_ids.npy"));
        assertContains(refusal("train"), "train_img_ids.npy but not train_cap_ids.npy");
        general("dev", null);
        Files.delete(dir.resolve("dev_img_ids.npy"));
        assertContains(refusal("dev"), "dev_cap_ids.npy but not dev_img_ids.npy");
    }

    @Test
    void idFilesOfTheWrongLengthOrWithFractionsAreRefused() throws IOException {
        general("train", new double[][] {{0, 1}});
        int64(dir.resolve("train_img_ids.npy"), new int[] {3}, new double[] {10, 20, 30});
        assertContains(refusal("train"), "train_img_ids.npy", "shape (3,)", "expected (4,)", "train_ims.npy");
        general("train", new double[][] {{0, 1}});
        f64(dir.resolve("train_cap_ids.npy"), new int[] {5}, new double[] {20, 10, 30, 20.5, 30});
        assertContains(refusal("train"), "train_cap_ids.npy[3] is 20.5", "whole numbers");
    }

    @Test
    void aPairOfWrongIdsIsRefusedNamingTheRow() throws IOException {
        general("train", new double[][] {{0, 1}, {2, 1}});
        assertContains(refusal("train"), "train_pairs.npy row 1 pairs image 2 (id 20) with caption 1 (id 10)",
                "--mismatch");
    }

    @Test
    void aPairOutOfRangeOrOfTheWrongShapeIsRefused() throws IOException {
        general("train", new double[][] {{0, 1}, {4, 1}});
        assertContains(refusal("train"), "train_pairs.npy row 1 is (4, 1)", "[0, 4)", "[0, 5)");
        general("train", null);
        int64(dir.resolve("train_pairs.npy"), new int[] {2, 3}, new double[6]);
        assertContains(refusal("train"), "train_pairs.npy has shape (2, 3)", "(pairs, 2)");
    }

    @Test
    void anImageWithNoCaptionOrACaptionWithNoImageIsRefused() throws IOException {
        general("train", new double[][] {{0, 1}});
        int64(dir.resolve("train_img_ids.npy"), new int[] {4}, new double[] {10, 10, 99, 30});
        int64(dir.resolve("train_pairs.npy"), new int[] {1, 2}, new double[] {0, 1});
        assertContains(refusal("train"), "image 2 has id 99", "every image needs a caption");

        general("dev", null);
        int64(dir.resolve("dev_cap_ids.npy"), new int[] {5}, new double[] {20, 10, 30, 20, 77});
        assertContains(refusal("dev"), "caption 4 has id 77", "every caption needs an image");
    }

    // ---- text captions -----------------------------------------------------------------------------

    @Test
    void textCaptionsBecomeTfIdfVectorsOverTheTrainingVocabulary() throws IOException {
        List<String> train = List.of("a dog runs", "A DOG sleeps", "a cat sits", "the cat runs");
        List<String> dev = List.of("a dog", "zebras everywhere");
        f64(dir.resolve("train_ims.npy"), new int[] {2, 3}, values(2, 3, 0));
        Files.write(dir.resolve("train_caps.txt"), train);
        f64(dir.resolve("dev_ims.npy"), new int[] {1, 3}, values(1, 3, 0));
        Files.write(dir.resolve("dev_caps.txt"), dev);
        DatasetFolder f = open();
        Split t = f.split("train");
        Split d = f.split("dev");
        TfIdf vocabulary = f.vocabulary();
        assertEquals(7, vocabulary.size(), "a, dog, runs, sleeps, cat, sits, the");
        assertEquals(7, t.captions().cols());
        assertEquals(7, d.captions().cols(), "dev is encoded over the train vocabulary");
        assertEquals(2, t.captionsPerImage());
        assertArrayEquals(vocabulary.transform(train).toFloats(), t.captions().toFloats());
        assertArrayEquals(vocabulary.transform(dev).toFloats(), d.captions().toFloats());
        double norm = 0;
        for (int c = 0; c < 7; c++) {
            norm += d.captions().get(0, c) * d.captions().get(0, c);
            assertEquals(0.0, d.captions().get(1, c), "a caption of unknown words is the zero vector");
        }
        assertEquals(1.0, norm, 1e-6);
    }

    @Test
    void aFixedVocabularyReplacesTheTrainingOne() throws IOException {
        f64(dir.resolve("test_ims.npy"), new int[] {1, 3}, values(1, 3, 0));
        Files.write(dir.resolve("test_caps.txt"), List.of("red fish"));
        DatasetFolder f = open();
        assertNull(f.vocabulary(), "no train_caps.txt: no vocabulary");
        assertContains(assertThrows(IllegalArgumentException.class, () -> f.split("test")).getMessage(),
                "test_caps.txt needs a vocabulary");
        TfIdf fixed = TfIdf.fit(List.of("red fish", "blue fish", "one fish"));
        f.useVocabulary(fixed);
        assertEquals(fixed.size(), f.split("test").captions().cols());
    }

    @Test
    void anEmptyCaptionFileIsRefused() throws IOException {
        f64(dir.resolve("train_ims.npy"), new int[] {2, 3}, values(2, 3, 0));
        Files.writeString(dir.resolve("train_caps.txt"), "");
        assertContains(refusal("train"), "train_caps.txt is empty", "one caption per line");
        Files.writeString(dir.resolve("train_caps.txt"), "\n\n");
        assertContains(refusal("train"), "train_caps.txt is empty");

        Files.write(dir.resolve("train_caps.txt"), List.of("a b", "c d"));
        f64(dir.resolve("dev_ims.npy"), new int[] {1, 3}, values(1, 3, 0));
        Files.writeString(dir.resolve("dev_caps.txt"), "");
        assertContains(refusal("dev"), "dev_caps.txt is empty");
    }

    @Test
    void captionVectorsWinOverTextWhenBothArePresent() throws IOException {
        precomp("train", 2, 4);
        Files.write(dir.resolve("train_caps.txt"), List.of("a", "b", "c", "d"));
        DatasetFolder f = open();
        assertEquals(2, f.split("train").captions().cols());
        assertNull(f.vocabulary());
    }

    // ---- fingerprint -------------------------------------------------------------------------------

    @Test
    void theFingerprintFollowsTheContentOfTheDatasetFiles() throws IOException {
        precomp("train", 3, 6);
        precomp("dev", 2, 4);
        String before = open().fingerprint();
        assertEquals(64, before.length());
        assertEquals(before, open().fingerprint(), "stable across opens");
        Files.writeString(dir.resolve("README.md"), "not a dataset file");
        Files.writeString(dir.resolve("train_notes.txt"), "not a dataset file either");
        assertEquals(before, open().fingerprint(), "other files do not count");

        double[] caps = values(4, 2, 1000);
        caps[5] += 1;   // one value, same file size
        f64(dir.resolve("dev_caps.npy"), new int[] {4, 2}, caps);
        String changed = open().fingerprint();
        assertNotEquals(before, changed, "one changed value changes the fingerprint");
        precomp("dev", 2, 4);
        assertEquals(before, open().fingerprint(), "the same bytes again give the same fingerprint");

        Files.write(dir.resolve("test_caps.txt"), List.of("x"));
        assertNotEquals(before, open().fingerprint(), "a new dataset file counts");
    }
}

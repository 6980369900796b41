package io.rematch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.DType;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic dataset: the files and sizes its documentation promises, determinism by seed, the
 * dev/test size ({@code evalImages}) and its refusals, which name the command's options.
 */
class SyntheticDataTest {

    @TempDir
    Path dir;

    static final List<String> FILES = List.of("train_ims.npy", "train_caps.npy", "dev_ims.npy", "dev_caps.npy",
            "test_ims.npy", "test_caps.npy", "synthetic.json");

    @Test
    void writesTheThreeSplitsWithTheDocumentedSizes() throws IOException {
        SyntheticData d = new SyntheticData(300, 4, 12, 10, 6, 3);
        assertArrayEquals(new int[] {240, 30, 30}, d.splitSizes(), "80/10/10 by default");
        d.write(dir);
        int[] n = {240, 30, 30};
        String[] names = {"train", "dev", "test"};
        for (int s = 0; s < 3; s++) {
            Path ims = dir.resolve(names[s] + "_ims.npy");
            Path caps = dir.resolve(names[s] + "_caps.npy");
            assertArrayEquals(new int[] {n[s], 12}, Npy.shape(ims), ims.toString());
            assertArrayEquals(new int[] {4 * n[s], 10}, Npy.shape(caps), caps.toString());
            assertEquals(DType.FLOAT32, Npy.dtype(ims));
            assertEquals(DType.FLOAT32, Npy.dtype(caps));
        }
        JsonFields meta = new JsonFields(Json.parseObject(Files.readString(dir.resolve("synthetic.json")),
                "synthetic.json"), "synthetic.json");
        assertEquals(300, meta.integer("images"));
        assertEquals(4, meta.integer("captions_per_image"));
        assertEquals(240, meta.integer("train"));
        assertEquals(30, meta.integer("dev"));
        assertEquals(30, meta.integer("test"));
        assertEquals(3, meta.integer("seed"));

        // It is a dataset folder in the precomp convention, k = 4, finite, float32 in memory.
        DatasetFolder folder = DatasetFolder.open(dir, "--data");
        Split train = folder.split("train");
        assertEquals(4, train.captionsPerImage());
        assertTrue(train.images().isFloat32());
        assertEquals(-1, train.images().firstNonFiniteRow());
        assertEquals(30, folder.split("test").imageCount());
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary left");
    }

    @Test
    void evalImagesSetsTheDevAndTestSize() throws IOException {
        SyntheticData d = new SyntheticData(100, 20, 2, 6, 5, 4, 9);
        assertArrayEquals(new int[] {60, 20, 20}, d.splitSizes());
        d.write(dir);
        assertArrayEquals(new int[] {60, 6}, Npy.shape(dir.resolve("train_ims.npy")));
        assertArrayEquals(new int[] {40, 5}, Npy.shape(dir.resolve("dev_caps.npy")));
        assertArrayEquals(new int[] {20, 6}, Npy.shape(dir.resolve("test_ims.npy")));

        SyntheticData flickr = new SyntheticData(31000, 1000, 5, 8, 8, 20, 0);
        assertArrayEquals(new int[] {29000, 1000, 1000}, flickr.splitSizes(), "Flickr30K's split");
    }

    @Test
    void theDefaultEvalImagesIsATenthAndTheShortConstructorUsesIt() {
        assertEquals(new SyntheticData(3000, 300, 5, 8, 8, 20, 1), new SyntheticData(3000, 5, 8, 8, 20, 1));
        assertEquals(30, SyntheticData.defaultEvalImages(309));
        assertEquals(3, SyntheticData.defaultEvalImages(30));
        assertArrayEquals(new int[] {24, 3, 3}, new SyntheticData(30, 1, 2, 2, 1, 0).splitSizes());
    }

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws IOException {
        new SyntheticData(60, 3, 7, 5, 4, 21).write(dir.resolve("a"));
        new SyntheticData(60, 3, 7, 5, 4, 21).write(dir.resolve("b"));
        new SyntheticData(60, 3, 7, 5, 4, 22).write(dir.resolve("c"));
        for (String f : FILES) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b")
                    .resolve(f)), f);
            if (f.endsWith(".npy")) {
                assertFalse(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a").resolve(f)),
                        Files.readAllBytes(dir.resolve("c").resolve(f))), "another seed, the same " + f);
            }
        }
    }

    @Test
    void theTrainSplitOfTheDefaultSizesDoesNotDependOnEvalImagesBeingGiven() throws IOException {
        // The splits are drawn train first: giving the default explicitly changes no byte.
        new SyntheticData(80, 3, 4, 4, 2, 5).write(dir.resolve("short"));
        new SyntheticData(80, 8, 3, 4, 4, 2, 5).write(dir.resolve("explicit"));
        for (String f : FILES) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("short").resolve(f)),
                    Files.readAllBytes(dir.resolve("explicit").resolve(f)), f);
        }
        // Another dev/test size leaves the first training images as they were.
        new SyntheticData(80, 10, 3, 4, 4, 2, 5).write(dir.resolve("other"));
        float[] a = Npy.readFloat32(dir.resolve("short").resolve("train_ims.npy"), new int[1][]);
        float[] b = Npy.readFloat32(dir.resolve("other").resolve("train_ims.npy"), new int[1][]);
        assertEquals(64 * 4, a.length);
        assertEquals(60 * 4, b.length);
        assertArrayEquals(java.util.Arrays.copyOf(a, b.length), b);
    }

    @Test
    void badArgumentsAreRefusedWithOptionLikeNames() {
        refused(() -> new SyntheticData(29, 5, 4, 4, 2, 0), "images must be >= 30, got 29");
        refused(() -> new SyntheticData(100, 0, 5, 4, 4, 2, 0), "eval-images must be >= 1, got 0");
        refused(() -> new SyntheticData(100, 39, 5, 4, 4, 2, 0), "eval-images 39", "leave 22 of the 100 images",
                "at least 24", "at most 38");
        refused(() -> new SyntheticData(100, 0, 4, 4, 2, 0), "captions-per-image must be >= 1");
        refused(() -> new SyntheticData(100, 5, 0, 4, 2, 0), "dims (image) must be >= 1");
        refused(() -> new SyntheticData(100, 5, 4, -1, 2, 0), "dims (text) must be >= 1");
        refused(() -> new SyntheticData(100, 5, 4, 4, 0, 0), "clusters must be >= 1");
        refused(() -> new SyntheticData(1_000_000, 50, 100, 100, 2, 0), "too large for one array");
        // The largest evalImages that leaves 24 training images is accepted.
        assertArrayEquals(new int[] {24, 38, 38}, new SyntheticData(100, 38, 5, 4, 4, 2, 0).splitSizes());
    }

    static void refused(Supplier<SyntheticData> make, String... phrases) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), () -> "expected \"" + p + "\" in: " + e.getMessage());
        }
    }
}

package io.rematch.data.emoji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Dataset;
import io.rematch.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The committed emoji set as the trainer sees it, and every way a folder can be broken. */
class EmojiDatasetTest {

    static final Path EMOJI = Path.of("data-small", "emoji");

    static EmojiDataset data;
    static Split train;
    static Split dev;
    static Split test;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        Dataset d = Dataset.open(EMOJI, "--data");
        assertTrue(d instanceof EmojiDataset, "items.tsv makes it an emoji folder");
        data = (EmojiDataset) d;
        train = data.split("train");
        dev = data.split("dev");
        test = data.split("test");
    }

    @Test
    void theCountsAreTheBuildsCounts() throws Exception {
        assertEquals(1906, data.items().size());
        assertEquals(List.of("google", "twitter"), data.vendors());
        assertEquals(9045, data.texts().size());
        assertEquals(2 * 1906, train.imageCount() + dev.imageCount() + test.imageCount());
        assertEquals(9045, train.captionCount() + dev.captionCount() + test.captionCount());
        assertEquals(ImageFeatures.DIMS, train.images().cols());
        assertEquals(data.vocabulary().size(), train.captions().cols());
        assertTrue(train.imageCount() > 0.6 * 2 * 1906 && dev.imageCount() > 0.1 * 2 * 1906
                && test.imageCount() > 0.1 * 2 * 1906, "about 70/15/15");
    }

    @Test
    void noFamilyStraddlesTwoSplits() throws Exception {
        Map<String, String> splitOf = new HashMap<>();
        for (EmojiDataset.Item it : data.items()) {
            String before = splitOf.putIfAbsent(it.family(), it.split());
            assertTrue(before == null || before.equals(it.split()), it.family() + " is in " + before + " and "
                    + it.split());
        }
    }

    @Test
    void trainingPairsAreEveryImageOfAnItemWithEveryTextOfIt() {
        Map<Long, Integer> images = new HashMap<>();
        Map<Long, Integer> texts = new HashMap<>();
        for (long id : train.imageIds()) {
            images.merge(id, 1, Integer::sum);
        }
        for (long id : train.captionIds()) {
            texts.merge(id, 1, Integer::sum);
        }
        long expected = 0;
        for (Map.Entry<Long, Integer> e : texts.entrySet()) {
            expected += (long) e.getValue() * images.get(e.getKey());
        }
        assertEquals(expected, train.pairCount());
        Set<Long> distinct = new HashSet<>();
        for (int p = 0; p < train.pairCount(); p++) {
            assertTrue(train.isCorrect(p));
            distinct.add((long) train.pairImage()[p] << 32 | train.pairCaption()[p]);
        }
        assertEquals(train.pairCount(), distinct.size(), "no pair twice");
    }

    @Test
    void imagesAreStandardisedOnTrainingStatisticsOnly() {
        int d = train.images().cols();
        int constant = 0;
        for (int c = 0; c < d; c++) {
            double[] m = moments(train, c);
            if (m[1] == 0) {
                constant++;
                continue;
            }
            assertEquals(0.0, m[0], 1e-4, "train mean of dim " + c);
            assertEquals(1.0, m[1], 1e-3, "train sd of dim " + c);
        }
        assertTrue(constant < 10, constant + " constant dims");
        double off = 0;
        for (int c = 0; c < d; c++) {
            off += Math.abs(moments(dev, c)[0]);
        }
        assertTrue(off / d > 1e-3, "dev is standardised with train's statistics, so its mean is not exactly 0: "
                + off / d);
    }

    static double[] moments(Split s, int c) {
        int n = s.imageCount();
        float[] v = s.images().toFloats();
        int d = s.images().cols();
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += v[i * d + c];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (v[i * d + c] - mean) * (v[i * d + c] - mean);
        }
        return new double[] {mean, Math.sqrt(var / n)};
    }

    @Test
    void textsAreUnitTfIdfVectorsOrZero() {
        float[] v = test.captions().toFloats();
        int d = test.captions().cols();
        int empty = 0;
        for (int j = 0; j < test.captionCount(); j++) {
            double n = 0;
            for (int c = 0; c < d; c++) {
                n += v[j * d + c] * v[j * d + c];
            }
            if (n == 0) {
                empty++;
            } else {
                assertEquals(1.0, Math.sqrt(n), 1e-5, "text " + j);
            }
        }
        assertTrue(empty < test.captionCount() / 10, empty + " test texts without a training word");
    }

    @Test
    void theFingerprintFollowsTheFiles() throws Exception {
        Path copy = copy();
        String a = EmojiDataset.open(copy, "--data").fingerprint();
        assertEquals(a, data.fingerprint());
        Files.writeString(copy.resolve("texts.tsv"), Files.readString(copy.resolve("texts.tsv")) + "1F600\tanother\n");
        assertTrue(!a.equals(EmojiDataset.open(copy, "--data").fingerprint()));
    }

    Path copy() throws Exception {
        Path c = dir.resolve("emoji");
        Files.createDirectories(c);
        for (String f : List.of("items.tsv", "texts.tsv", "images-google.png", "images-twitter.png")) {
            Files.copy(EMOJI.resolve(f), c.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return c;
    }

    static void refused(Executable e, String... phrases) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String p : phrases) {
            assertTrue(x.getMessage().contains(p), "'" + p + "' in: " + x.getMessage());
        }
    }

    @Test
    void brokenFoldersAreRefusedWithTheFileAndWhatWasExpected() throws Exception {
        Path c = copy();
        Files.delete(c.resolve("texts.tsv"));
        refused(() -> EmojiDataset.open(c, "--data"), "--data", "has no texts.tsv");

        Path d = dir.resolve("two");
        Files.createDirectories(d);
        Files.copy(EMOJI.resolve("items.tsv"), d.resolve("items.tsv"));
        Files.copy(EMOJI.resolve("texts.tsv"), d.resolve("texts.tsv"));
        refused(() -> EmojiDataset.open(d, "--data"), "no images-VENDOR.png");
    }

    @Test
    void aTextOfAnUnknownItemIsRefused() throws Exception {
        Path c = copy();
        Files.writeString(c.resolve("texts.tsv"), Files.readString(c.resolve("texts.tsv")) + "ABCDE\tno such emoji\n");
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "texts.tsv line 9047", "hexcode ABCDE",
                "does not list");
    }

    @Test
    void badTablesAreRefused() throws Exception {
        Path c = copy();
        String items = Files.readString(c.resolve("items.tsv"));
        Files.writeString(c.resolve("items.tsv"), items.replaceFirst("\ttrain\n", "\ttraining\n"));
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "items.tsv line", "split 'training'");
        Files.writeString(c.resolve("items.tsv"), items.replace("hexcode\tlabel", "hex\tlabel"));
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "must start with the header line");
        List<String> lines = Files.readAllLines(EMOJI.resolve("items.tsv"));
        Files.writeString(c.resolve("items.tsv"), items + lines.get(1) + "\n");
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "repeats hexcode");
        Files.writeString(c.resolve("items.tsv"), items + "ZZZZ\tnew\tc\ts\tf\ttrain\n");
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "no text for item ZZZZ");
        Files.writeString(c.resolve("items.tsv"), items);
        Files.writeString(c.resolve("texts.tsv"), "hexcode\ttext\n1F600\ttoo\tmany\n");
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "has 3 fields; expected 2");
    }

    @Test
    void sheetsOfTheWrongSizeOrFormatAreRefused() throws Exception {
        Path c = copy();
        EmojiSheet.write(c.resolve("images-google.png"), new int[10][32 * 32]);
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "images-google.png is 2048 x 32 pixels",
                "1906 items");
        Files.writeString(c.resolve("images-google.png"), "GIF89a");
        refused(() -> EmojiDataset.open(c, "--data").split("train"), "images-google.png is not a PNG image");
    }

    @Test
    void onlyTrainDevAndTestExist() {
        refused(() -> data.split("testall"), "split must be one of train, dev, test");
    }
}

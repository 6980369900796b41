package io.rematch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TF-IDF captions: the tokens, scikit-learn's smoothed idf checked by hand, L2-normalised rows,
 * the vocabulary file's exact round trip and its refusals.
 */
class TfIdfTest {

    @TempDir
    Path dir;

    /** The vocabulary as written: {@code word TAB idf} lines, in column order. */
    static List<String[]> lines(TfIdf v, Path file) throws IOException {
        v.write(file);
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(line.split("\t"));
        }
        return out;
    }

    @Test
    void tokensAreLowerCasedRunsOfLettersAndDigits() {
        assertEquals(List.of("a", "dog", "s", "2nd", "best", "toy"), TfIdf.tokens("A Dog's 2nd-BEST   toy!"));
        assertEquals(List.of("caf", "na", "ve"), TfIdf.tokens("Café naïve"));
        assertEquals(List.of(), TfIdf.tokens(" ,.;!? "));
        assertEquals(List.of("x1", "y2"), TfIdf.tokens("x1_y2"));
    }

    @Test
    void idfIsSmoothedLogPlusOneCheckedByHand() throws IOException {
        // N = 3 captions; df: a 2, dog 2, cat 1, runs 1, the 1.
        TfIdf v = TfIdf.fit(List.of("a dog", "A cat", "the dog runs"));
        List<String[]> lines = lines(v, dir.resolve("vocabulary.tsv"));
        // Columns by falling document frequency, ties alphabetically.
        List<String> words = lines.stream().map(l -> l[0]).toList();
        assertEquals(List.of("a", "dog", "cat", "runs", "the"), words);
        double common = Math.log(4.0 / 3.0) + 1;   // ln((1 + 3) / (1 + 2)) + 1
        double rare = Math.log(4.0 / 2.0) + 1;     // ln((1 + 3) / (1 + 1)) + 1
        double[] expected = {common, common, rare, rare, rare};
        for (int w = 0; w < 5; w++) {
            assertEquals(expected[w], Double.parseDouble(lines.get(w)[1]), 0.0, words.get(w));
        }

        // "a dog dog": counts 1 and 2 times idf, then L2-normalised.
        Features f = v.transform(List.of("a dog dog", "cat cat", "unknown words only"));
        double a = common;
        double dog = 2 * common;
        double norm = Math.sqrt(a * a + dog * dog);
        assertEquals(a / norm, f.get(0, 0), 1e-7);
        assertEquals(dog / norm, f.get(0, 1), 1e-7);
        assertEquals(2 / Math.sqrt(5), f.get(0, 1), 1e-7);
        for (int w = 2; w < 5; w++) {
            assertEquals(0.0, f.get(0, w));
        }
        assertEquals(1.0, f.get(1, 2), 1e-7, "a single known word is a unit vector");
        for (int w = 0; w < 5; w++) {
            assertEquals(0.0, f.get(2, w), "no known word: the zero vector");
        }
        assertTrue(f.isFloat32());
    }

    @Test
    void everyRowWithAKnownWordHasUnitLength() {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random random = new Random(seed);
        List<String> captions = randomCaptions(random, 200, 40);
        TfIdf v = TfIdf.fit(captions.subList(0, 100));
        Features f = v.transform(captions);
        java.util.Set<String> trainWords = new java.util.HashSet<>();
        captions.subList(0, 100).forEach(c -> trainWords.addAll(TfIdf.tokens(c)));
        for (int r = 0; r < f.rows(); r++) {
            double norm = 0;
            for (int c = 0; c < f.cols(); c++) {
                assertTrue(f.get(r, c) >= 0, "seed " + seed + ": negative entry");
                norm += f.get(r, c) * f.get(r, c);
            }
            boolean known = TfIdf.tokens(captions.get(r)).stream().anyMatch(trainWords::contains);
            assertEquals(known ? 1.0 : 0.0, norm, 1e-5, "seed " + seed + ": row " + r + " " + captions.get(r));
        }
    }

    @Test
    void writeAndReadRoundTripBitForBit() throws IOException {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random random = new Random(seed);
        List<String> captions = randomCaptions(random, 300, 500);
        TfIdf v = TfIdf.fit(captions);
        Path file = dir.resolve("vocabulary.tsv");
        v.write(file);
        byte[] written = Files.readAllBytes(file);
        TfIdf back = TfIdf.read(file);
        assertEquals(v.size(), back.size());
        back.write(dir.resolve("again.tsv"));
        assertArrayEquals(written, Files.readAllBytes(dir.resolve("again.tsv")), "seed " + seed);
        assertArrayEquals(v.transform(captions).toFloats(), back.transform(captions).toFloats(), "seed " + seed);
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary left");
    }

    @Test
    void theVocabularyKeepsTheMostFrequentWords() throws IOException {
        List<String> captions = new ArrayList<>();
        for (int k = 0; k < TfIdf.MAX_WORDS + 50; k++) {
            captions.add("common w" + k);
        }
        captions.add("w7 w9");
        TfIdf v = TfIdf.fit(captions);
        assertEquals(TfIdf.MAX_WORDS, v.size());
        List<String> words = lines(v, dir.resolve("v.tsv")).stream().map(l -> l[0]).toList();
        assertEquals(List.of("common", "w7", "w9", "w0", "w1"), words.subList(0, 5));
    }

    @Test
    void captionsWithoutAnyWordCannotMakeAVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfIdf.fit(List.of("...", "!!", "")));
        assertTrue(e.getMessage().contains("no word"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dog", "dog\t", "dog\tabc", "dog\t0.5", "Dog\t1.5", "dog cat\t1.5", "\t1.5",
            "dog\tNaN", "dog\tInfinity", "dog\t1.5\textra", "dog\t1.5\t"})
    void aBadVocabularyLineIsRefusedNamingFileAndLine(String bad) throws IOException {
        Path file = dir.resolve("vocabulary.tsv");
        Files.writeString(file, "a\t1.0\ncat\t1.25\n" + bad + "\n", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TfIdf.read(file));
        assertTrue(e.getMessage().contains(file + " line 3: expected 'word<TAB>idf'"), e.getMessage());
    }

    @Test
    void aRepeatedWordOrAnEmptyFileIsRefused() throws IOException {
        Path file = dir.resolve("vocabulary.tsv");
        Files.writeString(file, "a\t1.0\ncat\t1.25\na\t1.5\n", StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TfIdf.read(file));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("'a' appears twice"), e.getMessage());
        Files.writeString(file, "", StandardCharsets.UTF_8);
        e = assertThrows(IllegalArgumentException.class, () -> TfIdf.read(file));
        assertTrue(e.getMessage().contains("holds no word"), e.getMessage());
    }

    static List<String> randomCaptions(Random random, int count, int vocabulary) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(8);
            for (int t = 0; t < n; t++) {
                b.append(random.nextBoolean() ? "Word" : "w").append(random.nextInt(vocabulary))
                        .append(random.nextInt(4) == 0 ? ", " : " ");
            }
            out.add(b.toString());
        }
        return out;
    }
}

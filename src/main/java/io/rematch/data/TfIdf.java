package io.rematch.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TF-IDF caption vectors over a vocabulary built from the training captions: tokens are the
 * lower-cased runs of {@code [a-z0-9]}; a caption's vector holds, per vocabulary word, its count
 * times \(\mathrm{idf}(w) = \ln\frac{1 + N}{1 + \mathrm{df}(w)} + 1\) (N training captions,
 * df the number holding w: scikit-learn's {@code TfidfVectorizer} default, {@code smooth_idf}),
 * then L2-normalised. A caption with no known word gets the zero vector.
 *
 * <p>The vocabulary keeps the {@link #MAX_WORDS} words of highest document frequency (ties
 * alphabetically), so that the dense vectors stay small; it is saved with a trained model
 * ({@link #write}) and read back to encode new captions exactly as in training.
 */
public final class TfIdf {

    /** At most this many words: dense float32 vectors of 16 KiB per caption. */
    public static final int MAX_WORDS = 4096;

    private static final Pattern TOKEN = Pattern.compile("[a-z0-9]+");

    private final List<String> words;
    private final double[] idf;
    private final Map<String, Integer> index = new HashMap<>();

    private TfIdf(List<String> words, double[] idf) {
        this.words = List.copyOf(words);
        this.idf = idf;
        for (int w = 0; w < words.size(); w++) {
            index.put(words.get(w), w);
        }
    }

    /** The tokens of one caption, in order. */
    public static List<String> tokens(String caption) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(caption.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /**
     * Builds the vocabulary and document frequencies from the training captions.
     *
     * @throws IllegalArgumentException if no caption holds a token
     */
    public static TfIdf fit(List<String> captions) {
        Map<String, Integer> df = new HashMap<>();
        for (String c : captions) {
            for (String t : new java.util.HashSet<>(tokens(c))) {
                df.merge(t, 1, Integer::sum);
            }
        }
        if (df.isEmpty()) {
            throw new IllegalArgumentException("the training captions hold no word ([a-z0-9]+ after lower-casing)");
        }
        List<String> words = new ArrayList<>(df.keySet());
        words.sort((a, b) -> df.get(a).equals(df.get(b)) ? a.compareTo(b) : df.get(b) - df.get(a));
        if (words.size() > MAX_WORDS) {
            words = words.subList(0, MAX_WORDS);
        }
        int n = captions.size();
        double[] idf = new double[words.size()];
        for (int w = 0; w < idf.length; w++) {
            idf[w] = Math.log((1.0 + n) / (1.0 + df.get(words.get(w)))) + 1;
        }
        return new TfIdf(words, idf);
    }

    /** The number of words (the vector length). */
    public int size() {
        return words.size();
    }

    /** The captions' vectors, float32, one row each. */
    public Features transform(List<String> captions) {
        int v = words.size();
        float[] out = new float[captions.size() * v];
        double[] row = new double[v];
        for (int c = 0; c < captions.size(); c++) {
            java.util.Arrays.fill(row, 0);
            for (String t : tokens(captions.get(c))) {
                Integer w = index.get(t);
                if (w != null) {
                    row[w] += idf[w];
                }
            }
            double norm = 0;
            for (double x : row) {
                norm += x * x;
            }
            double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
            for (int w = 0; w < v; w++) {
                out[c * v + w] = (float) (row[w] * scale);
            }
        }
        return Features.ofFloats(captions.size(), v, out);
    }

    /** Writes {@code word TAB idf} lines (idf in Java's round-trip decimal form), atomically. */
    public void write(Path path) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int w = 0; w < words.size(); w++) {
            b.append(words.get(w)).append('\t').append(idf[w]).append('\n');
        }
        Path tmp = path.resolveSibling("." + path.getFileName() + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IllegalArgumentException naming the file and line if a line is not {@code word TAB idf}
     */
    public static TfIdf read(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        List<String> words = new ArrayList<>();
        double[] idf = new double[lines.size()];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int k = 0; k < lines.size(); k++) {
            String[] f = lines.get(k).split("\t", -1);
            double value;
            try {
                value = f.length == 2 ? Double.parseDouble(f[1]) : Double.NaN;
            } catch (NumberFormatException e) {
                value = Double.NaN;
            }
            if (f.length != 2 || !TOKEN.matcher(f[0]).matches() || !(value >= 1 && Double.isFinite(value))) {
                throw new IllegalArgumentException(path + " line " + (k + 1) + ": expected 'word<TAB>idf' with"
                        + " a lower-case word of [a-z0-9] and a finite idf >= 1, got '" + lines.get(k) + "'");
            }
            if (!seen.add(f[0])) {
                throw new IllegalArgumentException(path + " line " + (k + 1) + ": the word '" + f[0]
                        + "' appears twice; each word must have one line");
            }
            words.add(f[0]);
            idf[k] = value;
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException(path + " holds no word");
        }
        return new TfIdf(words, idf);
    }
}

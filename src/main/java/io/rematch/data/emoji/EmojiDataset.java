package io.rematch.data.emoji;

import io.rematch.data.Dataset;
import io.rematch.data.Features;
import io.rematch.data.Split;
import io.rematch.data.TfIdf;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The emoji image-text dataset folder ({@code data-small/emoji}), with its features computed at
 * load time so that the pipeline can be read:
 *
 * <ul>
 *   <li>{@value #ITEMS}: one item per line (hexcode, label, category, subcategory, family, split);</li>
 *   <li>{@value #TEXTS}: descriptions (hexcode, text), several per item;</li>
 *   <li>{@code images-VENDOR.png}: one sprite sheet of 32 x 32 renderings per vendor
 *   ({@link EmojiSheet}), every item rendered by every vendor.</li>
 * </ul>
 *
 * An item is one id: its images (one per vendor) and its texts all match each other. Images
 * become {@link ImageFeatures} standardised with the <em>training</em> images' mean and standard
 * deviation; texts become TF-IDF vectors over the training texts' vocabulary ({@link TfIdf}), so a
 * text with no known word is the zero vector. The training pairs are every image of an item with
 * every text of it. Splits are cached (their arrays are shared: do not write into them), and
 * the dataset may be used from several threads.
 */
public final class EmojiDataset implements Dataset {

    /** The items table. */
    public static final String ITEMS = "items.tsv";
    /** The texts table. */
    public static final String TEXTS = "texts.tsv";
    /** The items table's header. */
    public static final List<String> ITEM_COLUMNS = List.of("hexcode", "label", "category", "subcategory", "family",
            "split");
    /** The texts table's header. */
    public static final List<String> TEXT_COLUMNS = List.of("hexcode", "text");
    /** The splits an item may belong to. */
    public static final List<String> SPLITS = List.of("train", "dev", "test");

    private final Path dir;
    private List<Item> items;
    private List<String> vendors;
    private List<Text> texts;
    private float[] raw;              // items x vendors rows of ImageFeatures.DIMS, unstandardised
    private double[] mean;
    private double[] sd;
    private TfIdf vocabulary;
    private int[][][] tiles;          // vendor, item: the renderings, read on first use
    private final Map<String, Split> splits = new HashMap<>();

    /** One row of {@value #ITEMS}. */
    public record Item(int index, String hexcode, String label, String category, String subcategory, String family,
                       String split) {
    }

    /** One row of {@value #TEXTS}. */
    public record Text(int item, String text) {
    }

    private EmojiDataset(Path dir) {
        this.dir = dir;
    }

    /** The sheet file of one vendor. */
    public static String sheetName(String vendor) {
        return "images-" + vendor + ".png";
    }

    /**
     * Opens an emoji folder (reads nothing yet).
     *
     * @throws IllegalArgumentException naming {@code option} when the folder lacks a table or a sheet
     */
    public static EmojiDataset open(Path dir, String option) {
        for (String f : List.of(ITEMS, TEXTS)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException(option + " " + dir + " has no " + f + "; an emoji dataset folder"
                        + " holds " + ITEMS + ", " + TEXTS + " and images-VENDOR.png sheets (rematch dataset emoji)");
            }
        }
        EmojiDataset d = new EmojiDataset(dir);
        try {
            if (d.vendorNames().isEmpty()) {
                throw new IllegalArgumentException(option + " " + dir + " has no images-VENDOR.png sprite sheet");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return d;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public boolean has(String name) {
        return SPLITS.contains(name);
    }

    /** The items, in the tables' order (an item's index is its id). */
    public List<Item> items() throws IOException {
        load();
        return items;
    }

    /** The vendors, one image per item each, in sheet-name order. */
    public List<String> vendors() throws IOException {
        load();
        return vendors;
    }

    /** All texts, in the table's order. */
    public List<Text> texts() throws IOException {
        load();
        return texts;
    }

    /** The 32 x 32 ARGB rendering of {@code item} by vendor number {@code vendor}. */
    public synchronized int[] rendering(int item, int vendor) throws IOException {
        load();
        if (tiles == null) {
            tiles = new int[vendors.size()][][];
        }
        if (tiles[vendor] == null) {
            tiles[vendor] = EmojiSheet.read(dir.resolve(sheetName(vendors.get(vendor))), items.size());
        }
        return tiles[vendor][item].clone();
    }

    @Override
    public synchronized TfIdf vocabulary() throws IOException {
        if (vocabulary == null) {
            load();
            List<String> train = new ArrayList<>();
            for (Text t : texts) {
                if (items.get(t.item()).split().equals("train")) {
                    train.add(t.text());
                }
            }
            vocabulary = TfIdf.fit(train);
        }
        return vocabulary;
    }

    @Override
    public synchronized void useVocabulary(TfIdf fixed) {
        this.vocabulary = fixed;
        splits.clear();
    }

    /**
     * One split. Image {@code r} of the split is item {@code itemsOfSplit[r / vendors]} drawn by
     * vendor {@code r % vendors}; its id is the item's index in {@value #ITEMS}.
     */
    @Override
    public synchronized Split split(String name) throws IOException {
        Split cached = splits.get(name);
        if (cached == null) {
            cached = load(name);
            splits.put(name, cached);
        }
        return cached;
    }

    private Split load(String name) throws IOException {
        if (!has(name)) {
            throw new IllegalArgumentException("split must be one of " + String.join(", ", SPLITS) + " for an emoji"
                    + " dataset, got '" + name + "'");
        }
        load();
        int v = vendors.size();
        List<Item> in = new ArrayList<>();
        for (Item it : items) {
            if (it.split().equals(name)) {
                in.add(it);
            }
        }
        if (in.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(ITEMS) + " puts no item in the " + name + " split");
        }
        int d = ImageFeatures.DIMS;
        float[] images = new float[in.size() * v * d];
        long[] imageIds = new long[in.size() * v];
        Map<Integer, Integer> firstImage = new HashMap<>();
        for (int t = 0; t < in.size(); t++) {
            int item = in.get(t).index();
            firstImage.put(item, t * v);
            for (int k = 0; k < v; k++) {
                int row = t * v + k;
                imageIds[row] = item;
                int src = (item * v + k) * d;
                for (int c = 0; c < d; c++) {
                    images[row * d + c] = (float) ((raw[src + c] - mean[c]) / sd[c]);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (Text t : texts) {
            if (firstImage.containsKey(t.item())) {
                lines.add(t.text());
                ids.add((long) t.item());
            }
        }
        Features captions = vocabulary().transform(lines);
        long[] captionIds = ids.stream().mapToLong(Long::longValue).toArray();
        int[] pairImage = new int[lines.size() * v];
        int[] pairCaption = new int[lines.size() * v];
        for (int j = 0; j < lines.size(); j++) {
            for (int k = 0; k < v; k++) {
                pairImage[j * v + k] = firstImage.get((int) captionIds[j]) + k;
                pairCaption[j * v + k] = j;
            }
        }
        return new Split(name, Features.ofFloats(imageIds.length, d, images), captions, imageIds, captionIds,
                pairImage, pairCaption, 0);
    }

    /** SHA-256 over the name, size and bytes of the tables and sheets. */
    @Override
    public String fingerprint() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
        List<String> names = new ArrayList<>(List.of(ITEMS, TEXTS));
        for (String vendor : vendorNames()) {
            names.add(sheetName(vendor));
        }
        byte[] buf = new byte[1 << 16];
        for (String n : names) {
            sha.update((n + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(dir.resolve(n))) {
                for (int got; (got = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, got);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private List<String> vendorNames() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "images-*.png")) {
            for (Path p : s) {
                String f = p.getFileName().toString();
                out.add(f.substring("images-".length(), f.length() - ".png".length()));
            }
        }
        out.sort(null);
        return out;
    }

    private synchronized void load() throws IOException {
        if (items != null) {
            return;
        }
        List<Item> its = readItems();
        Map<String, Integer> byHex = new HashMap<>();
        for (Item it : its) {
            byHex.put(it.hexcode(), it.index());
        }
        List<Text> txt = readTexts(byHex);
        List<String> vs = vendorNames();
        int d = ImageFeatures.DIMS;
        float[] features = new float[its.size() * vs.size() * d];
        for (int k = 0; k < vs.size(); k++) {
            int[][] tiles = EmojiSheet.read(dir.resolve(sheetName(vs.get(k))), its.size());
            for (int t = 0; t < tiles.length; t++) {
                ImageFeatures.compute(tiles[t], features, (t * vs.size() + k) * d);
            }
        }
        double[] mu = new double[d];
        double[] sigma = new double[d];
        int n = 0;
        for (Item it : its) {
            if (it.split().equals("train")) {
                for (int k = 0; k < vs.size(); k++) {
                    n++;
                    int src = (it.index() * vs.size() + k) * d;
                    for (int c = 0; c < d; c++) {        // Welford: one pass, no cancellation
                        double x = features[src + c];
                        double delta = x - mu[c];
                        mu[c] += delta / n;
                        sigma[c] += delta * (x - mu[c]);
                    }
                }
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException(dir.resolve(ITEMS) + " puts no item in the train split");
        }
        for (int c = 0; c < d; c++) {
            double s = Math.sqrt(sigma[c] / n);
            sigma[c] = s > 1e-6 ? s : 1;          // a constant dimension stays centred at 0
        }
        this.vendors = vs;
        this.texts = txt;
        this.raw = features;
        this.mean = mu;
        this.sd = sigma;
        this.items = its;
    }

    private List<Item> readItems() throws IOException {
        Path f = dir.resolve(ITEMS);
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        header(f, lines, ITEM_COLUMNS);
        List<Item> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int l = 1; l < lines.size(); l++) {
            if (lines.get(l).isEmpty()) {
                continue;
            }
            String[] c = lines.get(l).split("\t", -1);
            if (c.length != ITEM_COLUMNS.size()) {
                throw new IllegalArgumentException(f + " line " + (l + 1) + " has " + c.length + " fields; expected "
                        + ITEM_COLUMNS.size() + " (" + String.join(", ", ITEM_COLUMNS) + ")");
            }
            if (!SPLITS.contains(c[5])) {
                throw new IllegalArgumentException(f + " line " + (l + 1) + ": split '" + c[5] + "' is not one of "
                        + String.join(", ", SPLITS));
            }
            Integer before = seen.put(c[0], l + 1);
            if (before != null) {
                throw new IllegalArgumentException(f + " line " + (l + 1) + " repeats hexcode " + c[0] + " of line "
                        + before);
            }
            out.add(new Item(out.size(), c[0], c[1], c[2], c[3], c[4], c[5]));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(f + " holds no item");
        }
        return out;
    }

    private List<Text> readTexts(Map<String, Integer> byHex) throws IOException {
        Path f = dir.resolve(TEXTS);
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        header(f, lines, TEXT_COLUMNS);
        List<Text> out = new ArrayList<>();
        boolean[] described = new boolean[byHex.size()];
        for (int l = 1; l < lines.size(); l++) {
            if (lines.get(l).isEmpty()) {
                continue;
            }
            String[] c = lines.get(l).split("\t", -1);
            if (c.length != 2) {
                throw new IllegalArgumentException(f + " line " + (l + 1) + " has " + c.length + " fields; expected 2"
                        + " (hexcode, text)");
            }
            Integer item = byHex.get(c[0]);
            if (item == null) {
                throw new IllegalArgumentException(f + " line " + (l + 1) + " describes hexcode " + c[0] + ", which "
                        + ITEMS + " does not list");
            }
            described[item] = true;
            out.add(new Text(item, c[1]));
        }
        for (Map.Entry<String, Integer> e : byHex.entrySet()) {
            if (!described[e.getValue()]) {
                throw new IllegalArgumentException(f + " has no text for item " + e.getKey() + " of " + ITEMS
                        + "; every item needs at least one");
            }
        }
        return out;
    }

    private static void header(Path f, List<String> lines, List<String> columns) {
        if (lines.isEmpty() || !lines.get(0).equals(String.join("\t", columns))) {
            throw new IllegalArgumentException(f + " must start with the header line '" + String.join("<TAB>", columns)
                    + "'" + (lines.isEmpty() ? "; the file is empty" : ", got '" + lines.get(0) + "'"));
        }
    }
}

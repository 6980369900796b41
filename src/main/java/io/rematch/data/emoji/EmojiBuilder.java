package io.rematch.data.emoji;

import io.rematch.data.TfIdf;
import io.rematch.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Builds the emoji dataset folder from unpacked npm packages: one or more
 * {@code emoji-datasource-VENDOR} packages (64 px renderings in {@code img/VENDOR/64/}, metadata in
 * {@code emoji.json}) and {@code emojibase-data} ({@code en/data.json}: label and tags).
 *
 * <ul>
 *   <li><b>Items</b>: the datasource's emoji without skin-tone variants and without the five
 *   colour components, joined to emojibase by hexcode with every {@code FE0F} removed, in the
 *   datasource's sort order.</li>
 *   <li><b>Images</b>: each vendor's 64 px rendering, halved once (2 x 2 blocks averaged) in premultiplied alpha to 32 x 32,
 *   one sprite sheet per vendor ({@link EmojiSheet}).</li>
 *   <li><b>Texts</b>: up to {@value #TEXTS_PER_ITEM} distinct descriptions per item ({@link #texts}).</li>
 *   <li><b>Split by family</b> ({@link #family}), 70/15/15 with seed {@value #SPLIT_SEED}: the
 *   man / woman / person variants of one emoji are near-duplicates and must not straddle splits.</li>
 * </ul>
 */
public final class EmojiBuilder {

    /** At most this many descriptions per item. */
    public static final int TEXTS_PER_ITEM = 6;
    /** The seed of the family split. */
    public static final long SPLIT_SEED = 20240617L;
    /** Shares of the families in train and dev; test takes the rest. */
    public static final double TRAIN_SHARE = 0.70;
    public static final double DEV_SHARE = 0.15;

    /** Words that only say who is shown: dropped from a label to find its family. */
    private static final Set<String> PEOPLE = Set.of("man", "woman", "person", "men", "women", "people", "boy",
            "girl", "adult", "child", "older", "old", "s");

    /** Noto Emoji's licence (Apache-2.0), written beside the Google renderings. */
    static final String NOTO_LICENCE = "LICENSE-noto-emoji-Apache-2.0.txt";

    /** What a build found and wrote. */
    public record Summary(int items, List<String> vendors, int texts, int[] itemsPerSplit, int families) {
    }

    /** One datasource package. */
    private record Vendor(String name, Path root, Map<String, Map<String, Object>> byUnified) {
    }

    private EmojiBuilder() {
    }

    /**
     * Builds the dataset.
     *
     * @param from unpacked package folders (each holding {@code package.json}, or its {@code package/}
     *             subfolder, or folders of such packages)
     * @param out  the dataset folder to write (created if needed; the dataset's files are replaced)
     * @throws IllegalArgumentException naming {@code --from} when a package is missing or broken
     */
    public static Summary build(List<Path> from, Path out) throws IOException {
        List<Path> packages = new ArrayList<>();
        for (Path p : from) {
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("--from " + p + (Files.exists(p) ? " is not a folder" : " does not exist")
                        + "; give unpacked npm packages (npm pack NAME@VERSION, then tar xzf NAME-VERSION.tgz)");
            }
            collect(p, packages, 2);
        }
        Path base = null;
        List<Vendor> vendors = new ArrayList<>();
        for (Path p : packages) {
            String name = packageName(p);
            if (name.equals("emojibase-data")) {
                base = p;
            } else if (name.startsWith("emoji-datasource-")) {
                vendors.add(readVendor(p, name.substring("emoji-datasource-".length())));
            }
        }
        if (base == null || vendors.isEmpty()) {
            throw new IllegalArgumentException("--from: found " + (base == null ? "no emojibase-data package" : "")
                    + (base == null && vendors.isEmpty() ? " and " : "")
                    + (vendors.isEmpty() ? "no emoji-datasource-VENDOR package" : "") + " in " + from
                    + "; need emojibase-data and at least one emoji-datasource-VENDOR (unpacked)");
        }
        vendors.sort((a, b) -> a.name().compareTo(b.name()));
        Map<String, Map<String, Object>> emojibase = readEmojibase(base);

        List<Map<String, Object>> entries = new ArrayList<>(vendors.get(0).byUnified().values());
        entries.removeIf(e -> "Component".equals(e.get("category")));
        entries.sort((a, b) -> Double.compare(num(a.get("sort_order")), num(b.get("sort_order"))));
        List<String[]> items = new ArrayList<>();        // hexcode, label, category, subcategory, family
        List<List<String>> texts = new ArrayList<>();
        for (Map<String, Object> e : entries) {
            String unified = (String) e.get("unified");
            boolean everywhere = true;
            for (Vendor v : vendors) {
                Map<String, Object> ve = v.byUnified().get(unified);
                everywhere &= ve != null && Boolean.TRUE.equals(ve.get("has_img_" + v.name()))
                        && Files.isRegularFile(imageFile(v, ve));
            }
            if (!everywhere) {
                continue;                               // an emoji one vendor lacks: no pair of renderings
            }
            Map<String, Object> eb = emojibase.get(strip(unified));
            String label = eb != null ? (String) eb.get("label") : ((String) e.get("name")).toLowerCase(Locale.ROOT);
            List<String> tags = eb != null && eb.get("tags") instanceof List<?> t ? strings(t) : List.of();
            String subcategory = String.valueOf(e.get("subcategory"));
            items.add(new String[] {unified, clean(label), String.valueOf(e.get("category")), subcategory,
                    family(label)});
            texts.add(texts(label, tags, (String) e.get("name"), strings((List<?>) e.get("short_names")), subcategory));
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("--from: no emoji has a rendering in every vendor "
                    + vendors.stream().map(Vendor::name).toList());
        }
        String[] split = splitByFamily(items);

        Files.createDirectories(out);
        List<String> itemLines = new ArrayList<>();
        itemLines.add(String.join("\t", EmojiDataset.ITEM_COLUMNS));
        List<String> textLines = new ArrayList<>();
        textLines.add(String.join("\t", EmojiDataset.TEXT_COLUMNS));
        int[] perSplit = new int[3];
        int textCount = 0;
        for (int t = 0; t < items.size(); t++) {
            String[] it = items.get(t);
            itemLines.add(String.join("\t", it[0], it[1], it[2], it[3], it[4], split[t]));
            perSplit[EmojiDataset.SPLITS.indexOf(split[t])]++;
            for (String text : texts.get(t)) {
                textLines.add(it[0] + "\t" + text);
                textCount++;
            }
        }
        writeLines(out.resolve(EmojiDataset.ITEMS), itemLines);
        writeLines(out.resolve(EmojiDataset.TEXTS), textLines);
        List<String> names = new ArrayList<>();
        for (Vendor v : vendors) {
            int[][] tiles = new int[items.size()][];
            for (int t = 0; t < items.size(); t++) {
                Path f = imageFile(v, v.byUnified().get(items.get(t)[0]));
                BufferedImage img = ImageIO.read(f.toFile());
                if (img == null) {
                    throw new IllegalArgumentException("--from: " + f + " is not a PNG image");
                }
                tiles[t] = EmojiSheet.downscale(img, f.toString());
            }
            EmojiSheet.write(out.resolve(EmojiDataset.sheetName(v.name())), tiles);
            copyLicence(v.root(), out.resolve("LICENSE-emoji-datasource.txt"));
            names.add(v.name());
            if (v.name().equals("google")) {
                // Google's renderings are Noto Emoji's (Apache-2.0); the datasource package ships only
                // its own MIT licence, so the Apache text travels with this class.
                try (java.io.InputStream in = EmojiBuilder.class.getResourceAsStream(NOTO_LICENCE)) {
                    Files.write(out.resolve(NOTO_LICENCE), in.readAllBytes());
                }
            }
        }
        copyLicence(base, out.resolve("LICENSE-emojibase-data.txt"));
        return new Summary(items.size(), names, textCount, perSplit,
                (int) items.stream().map(i -> i[4]).distinct().count());
    }

    /**
     * The descriptions of one item, distinct as token sequences, at most {@value #TEXTS_PER_ITEM},
     * in this order: the label; the label with its tags; the tags; the datasource's name; the short
     * names with {@code _} and {@code -} as spaces; the label with its subcategory's words.
     */
    public static List<String> texts(String label, List<String> tags, String name, List<String> shortNames,
                                     String subcategory) {
        List<String> candidates = new ArrayList<>();
        candidates.add(label);
        if (!tags.isEmpty()) {
            candidates.add(label + ": " + String.join(", ", tags));
            candidates.add(String.join(", ", tags));
        }
        if (name != null) {
            candidates.add(name.toLowerCase(Locale.ROOT));
        }
        List<String> shorts = new ArrayList<>();
        for (String s : shortNames) {
            shorts.add(s.replace('_', ' ').replace('-', ' '));
        }
        if (!shorts.isEmpty()) {
            candidates.add(String.join(", ", shorts));
        }
        candidates.add(label + " (" + subcategory.replace('-', ' ') + ")");
        Map<String, String> distinct = new LinkedHashMap<>();
        for (String c : candidates) {
            String key = String.join(" ", TfIdf.tokens(c));
            if (!key.isEmpty() && distinct.size() < TEXTS_PER_ITEM) {
                distinct.putIfAbsent(key, clean(c));
            }
        }
        return new ArrayList<>(distinct.values());
    }

    /**
     * The family of a label: for {@code "prefix: details"} labels other than flags the prefix
     * ({@code family: man, woman, boy} -> {@code family}; {@code keycap: 1} -> {@code keycap}),
     * otherwise the label's words without those that only say who is shown ({@code man health
     * worker}, {@code woman health worker} and {@code health worker} -> {@code health worker}).
     */
    public static String family(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        int colon = l.indexOf(':');
        if (colon > 0 && !l.startsWith("flag")) {
            l = l.substring(0, colon);
        }
        List<String> kept = new ArrayList<>();
        for (String t : TfIdf.tokens(l)) {
            if (!PEOPLE.contains(t)) {
                kept.add(t);
            }
        }
        return kept.isEmpty() ? "person" : String.join(" ", kept);
    }

    /** The split of every item: families shuffled with {@link #SPLIT_SEED}, 70/15/15 of the families. */
    static String[] splitByFamily(List<String[]> items) {
        List<String> families = new ArrayList<>(new LinkedHashSet<>(items.stream().map(i -> i[4]).toList()));
        SplittableRandom random = new SplittableRandom(SPLIT_SEED);
        for (int t = families.size() - 1; t > 0; t--) {
            int pick = random.nextInt(t + 1);
            String tmp = families.get(t);
            families.set(t, families.get(pick));
            families.set(pick, tmp);
        }
        int train = (int) Math.round(TRAIN_SHARE * families.size());
        int dev = (int) Math.round(DEV_SHARE * families.size());
        Map<String, String> of = new HashMap<>();
        for (int f = 0; f < families.size(); f++) {
            of.put(families.get(f), f < train ? "train" : f < train + dev ? "dev" : "test");
        }
        String[] split = new String[items.size()];
        for (int t = 0; t < split.length; t++) {
            split[t] = of.get(items.get(t)[4]);
        }
        return split;
    }

    private static void collect(Path p, List<Path> out, int depth) throws IOException {
        if (Files.isRegularFile(p.resolve("package.json"))) {
            out.add(p);
            return;
        }
        if (Files.isRegularFile(p.resolve("package").resolve("package.json"))) {
            out.add(p.resolve("package"));
            return;
        }
        if (depth == 0) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(p, Files::isDirectory)) {
            s.forEach(children::add);
        }
        children.sort(null);
        for (Path c : children) {
            collect(c, out, depth - 1);
        }
    }

    private static String packageName(Path p) throws IOException {
        Path f = p.resolve("package.json");
        Object name = Json.parseObject(Files.readString(f, StandardCharsets.UTF_8), f.toString()).get("name");
        return name instanceof String s ? s : "";
    }

    private static Vendor readVendor(Path root, String vendor) throws IOException {
        Path f = root.resolve("emoji.json");
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("--from: " + root + " has no emoji.json; is it an emoji-datasource package?");
        }
        if (!Files.isDirectory(root.resolve("img").resolve(vendor).resolve("64"))) {
            throw new IllegalArgumentException("--from: " + root + " has no img/" + vendor + "/64/ renderings");
        }
        Object parsed = Json.parse(Files.readString(f, StandardCharsets.UTF_8), f.toString());
        if (!(parsed instanceof List<?> list)) {
            throw new IllegalArgumentException("--from: " + f + " is not a JSON array of emoji");
        }
        Map<String, Map<String, Object>> byUnified = new TreeMap<>();
        for (Object o : list) {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = (Map<String, Object>) o;
            byUnified.put((String) e.get("unified"), e);
        }
        return new Vendor(vendor, root, byUnified);
    }

    private static Map<String, Map<String, Object>> readEmojibase(Path root) throws IOException {
        Path f = root.resolve("en").resolve("data.json");
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("--from: " + root + " has no en/data.json; is it emojibase-data?");
        }
        Object parsed = Json.parse(Files.readString(f, StandardCharsets.UTF_8), f.toString());
        Map<String, Map<String, Object>> out = new HashMap<>();
        for (Object o : (List<?>) parsed) {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = (Map<String, Object>) o;
            out.put(strip((String) e.get("hexcode")), e);
        }
        return out;
    }

    private static Path imageFile(Vendor v, Map<String, Object> e) {
        return v.root().resolve("img").resolve(v.name()).resolve("64").resolve((String) e.get("image"));
    }

    /** A hexcode without its variation selectors, upper case: the join key. */
    static String strip(String hexcode) {
        List<String> parts = new ArrayList<>();
        for (String p : hexcode.toUpperCase(Locale.ROOT).split("-")) {
            if (!p.equals("FE0F")) {
                parts.add(p);
            }
        }
        return String.join("-", parts);
    }

    /** One line of a table: no tabs or line breaks inside a field. */
    private static String clean(String s) {
        return s.replaceAll("[\\t\\r\\n]+", " ").trim();
    }

    private static List<String> strings(List<?> list) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.MAX_VALUE;
    }

    private static void writeLines(Path f, List<String> lines) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void copyLicence(Path pkg, Path to) throws IOException {
        Path l = pkg.resolve("LICENSE");
        if (Files.isRegularFile(l)) {
            writeLines(to, Files.readAllLines(l, StandardCharsets.UTF_8));
        }
    }
}

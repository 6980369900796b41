package io.rematch.data.emoji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rematch dataset emoji}'s builder: the family rule, the descriptions, a build from a
 * miniature package tree, its errors, and (where the real npm packages are unpacked, see
 * {@link #PACKAGES}) that a rebuild reproduces the committed {@code data-small/emoji} exactly.
 */
public class EmojiBuilderTest {

    /** Where the unpacked npm packages may be: {@code REMATCH_EMOJI_PACKAGES}, else {@code /tmp/npm}. */
    static final Path PACKAGES = Path.of(System.getenv().getOrDefault("REMATCH_EMOJI_PACKAGES", "/tmp/npm"));

    @TempDir
    Path dir;

    @Test
    void familiesJoinWhoIsShownAndKeepFlagsApart() {
        assertEquals("health worker", EmojiBuilder.family("man health worker"));
        assertEquals("health worker", EmojiBuilder.family("woman health worker"));
        assertEquals("health worker", EmojiBuilder.family("health worker"));
        assertEquals("running", EmojiBuilder.family("person running"));
        assertEquals("family", EmojiBuilder.family("family: man, woman, boy"));
        assertEquals("keycap", EmojiBuilder.family("keycap: 1"));
        assertNotEquals(EmojiBuilder.family("flag: Egypt"), EmojiBuilder.family("flag: France"));
        assertEquals("person", EmojiBuilder.family("woman"));
        assertEquals("grinning face", EmojiBuilder.family("grinning face"));
    }

    @Test
    void descriptionsAreDistinctAsWordsAndAtMostSix() {
        List<String> t = EmojiBuilder.texts("nerd face", List.of("geek", "smart"), "NERD FACE", List.of("nerd_face"),
                "face-glasses");
        assertEquals(List.of("nerd face", "nerd face: geek, smart", "geek, smart", "nerd face (face glasses)"), t,
                "the name and short name say 'nerd face' again: dropped");
        List<String> many = EmojiBuilder.texts("a", List.of("b"), "c", List.of("d-e", "f"), "g-h");
        assertEquals(6, many.size());
        assertEquals("d e, f", many.get(4));
        assertTrue(EmojiBuilder.texts("x", List.of(), null, List.of(), "y").size() == 2);
    }

    @Test
    void stripDropsVariationSelectorsOnly() {
        assertEquals("0023-20E3", EmojiBuilder.strip("0023-FE0F-20E3"));
        assertEquals("1F3C3-200D-2642", EmojiBuilder.strip("1f3c3-200d-2642-fe0f"));
    }

    /** A miniature emoji-datasource-VENDOR and emojibase-data under {@code root}. */
    public static void miniature(Path root, String... vendors) throws Exception {
        String[][] emoji = {   // unified, name, short names, category, subcategory, sort order
                {"1F600", "GRINNING FACE", "grinning", "Smileys & Emotion", "face-smiling", "1"},
                {"1F468-200D-2695-FE0F", "MALE HEALTH WORKER", "male-doctor", "People & Body", "person-role", "2"},
                {"1F469-200D-2695-FE0F", "FEMALE HEALTH WORKER", "female-doctor", "People & Body", "person-role", "3"},
                {"1F3FB", "EMOJI MODIFIER FITZPATRICK TYPE-1-2", "skin-tone-2", "Component", "skin-tone", "4"},
                {"2764-FE0F", "HEAVY BLACK HEART", "heart", "Smileys & Emotion", "heart", "0"}};
        for (String v : vendors) {
            Path p = root.resolve("emoji-datasource-" + v).resolve("package");
            Files.createDirectories(p.resolve("img").resolve(v).resolve("64"));
            Files.writeString(p.resolve("package.json"), "{\"name\": \"emoji-datasource-" + v + "\"}");
            Files.writeString(p.resolve("LICENSE"), "MIT licence of the datasource\n");
            StringBuilder json = new StringBuilder("[");
            for (int e = 0; e < emoji.length; e++) {
                String image = emoji[e][0].toLowerCase() + ".png";
                json.append(e > 0 ? "," : "").append("{\"unified\": \"").append(emoji[e][0]).append("\", \"name\": \"")
                        .append(emoji[e][1]).append("\", \"image\": \"").append(image)
                        .append("\", \"short_names\": [\"").append(emoji[e][2]).append("\"], \"category\": \"")
                        .append(emoji[e][3]).append("\", \"subcategory\": \"").append(emoji[e][4])
                        .append("\", \"sort_order\": ").append(emoji[e][5]).append(", \"has_img_").append(v)
                        .append("\": true}");
                BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        img.setRGB(x, y, (x + y) % (e + 2) == 0 ? 0xFF000000 | (e * 50) << 16 | v.length() * 30 : 0);
                    }
                }
                ImageIO.write(img, "png", p.resolve("img").resolve(v).resolve("64").resolve(image).toFile());
            }
            Files.writeString(p.resolve("emoji.json"), json.append("]").toString());
        }
        Path b = root.resolve("emojibase-data").resolve("package");
        Files.createDirectories(b.resolve("en"));
        Files.writeString(b.resolve("package.json"), "{\"name\": \"emojibase-data\"}");
        Files.writeString(b.resolve("LICENSE"), "MIT licence of emojibase\n");
        Files.writeString(b.resolve("en").resolve("data.json"), "["
                + "{\"hexcode\": \"1F600\", \"label\": \"grinning face\", \"tags\": [\"face\", \"grin\"]},"
                + "{\"hexcode\": \"1F468-200D-2695-FE0F\", \"label\": \"man health worker\", \"tags\": [\"doctor\"]},"
                + "{\"hexcode\": \"1F469-200D-2695-FE0F\", \"label\": \"woman health worker\", \"tags\": [\"nurse\"]},"
                + "{\"hexcode\": \"2764\", \"label\": \"red heart\", \"tags\": [\"heart\"]}]");
    }

    @Test
    void aMiniatureBuildHasEveryPartAndKeepsFamiliesTogether() throws Exception {
        miniature(dir.resolve("npm"), "twitter", "google");
        Path out = dir.resolve("emoji");
        EmojiBuilder.Summary s = EmojiBuilder.build(List.of(dir.resolve("npm")), out);
        assertEquals(4, s.items(), "the colour component is not an item");
        assertEquals(List.of("google", "twitter"), s.vendors());
        assertEquals(3, s.families());
        List<String> items = Files.readAllLines(out.resolve("items.tsv"), StandardCharsets.UTF_8);
        assertEquals("hexcode\tlabel\tcategory\tsubcategory\tfamily\tsplit", items.get(0));
        assertTrue(items.get(1).startsWith("2764-FE0F\tred heart\t"), "sort order; joined without FE0F: " + items);
        String[] man = items.get(3).split("\t");
        String[] woman = items.get(4).split("\t");
        assertEquals("health worker", man[4]);
        assertEquals(man[5], woman[5], "one family, one split");
        EmojiDataset d = EmojiDataset.open(out, "--data");
        assertEquals(4, d.items().size());
        assertEquals(List.of("google", "twitter"), d.vendors());
        assertTrue(Files.readString(out.resolve("LICENSE-emojibase-data.txt")).contains("emojibase"));
        int[] twice = EmojiSheet.read(out.resolve("images-google.png"), 4)[0];
        assertEquals(32 * 32, twice.length);
    }

    @Test
    void missingPackagesAreNamed() throws Exception {
        miniature(dir.resolve("npm"), "google");
        Path out = dir.resolve("emoji");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmojiBuilder.build(List.of(dir.resolve("npm").resolve("emoji-datasource-google")), out));
        assertTrue(e.getMessage().startsWith("--from") && e.getMessage().contains("no emojibase-data"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> EmojiBuilder.build(List.of(dir.resolve("npm").resolve("emojibase-data")), out));
        assertTrue(e.getMessage().contains("no emoji-datasource-VENDOR"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EmojiBuilder.build(List.of(dir.resolve("nowhere")), out));
        assertTrue(e.getMessage().contains("--from") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void rebuildingFromTheNpmPackagesReproducesTheCommittedDataset() throws Exception {
        Path committed = Path.of("data-small", "emoji");
        assumeTrue(Files.isDirectory(PACKAGES.resolve("emojibase-data-17.0.0")),
                "the npm packages are not unpacked in " + PACKAGES + " (set REMATCH_EMOJI_PACKAGES; see"
                        + " data-small/emoji/README.md): the rebuild check needs them");
        Path out = dir.resolve("rebuilt");
        EmojiBuilder.build(List.of(PACKAGES), out);
        for (String f : List.of("items.tsv", "texts.tsv", "LICENSE-emoji-datasource.txt", "LICENSE-emojibase-data.txt",
                EmojiBuilder.NOTO_LICENCE)) {
            assertEquals(Files.readString(committed.resolve(f)), Files.readString(out.resolve(f)), f);
        }
        int n = Files.readAllLines(committed.resolve("items.tsv")).size() - 1;
        List<String> vendors = new ArrayList<>(List.of("google", "twitter"));
        for (String v : vendors) {
            int[][] a = EmojiSheet.read(committed.resolve(EmojiDataset.sheetName(v)), n);
            int[][] b = EmojiSheet.read(out.resolve(EmojiDataset.sheetName(v)), n);
            for (int t = 0; t < n; t++) {
                assertArrayEquals(a[t], b[t], v + " tile " + t);   // pixels, not PNG bytes: encoders differ
            }
        }
    }
}

package io.rematch.data.emoji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sprite sheets: a lossless round trip, the size check, and downscaling in premultiplied alpha. */
class EmojiSheetTest {

    @TempDir
    Path dir;

    @Test
    void tilesComeBackBitForBit() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        int[][] tiles = new int[70][32 * 32];                  // two rows of the 64-column sheet
        for (int[] t : tiles) {
            for (int p = 0; p < t.length; p++) {
                int a = r.nextInt(256);
                t[p] = a == 0 ? 0 : a << 24 | r.nextInt(1 << 24);
            }
        }
        Path png = dir.resolve("images-test.png");
        EmojiSheet.write(png, tiles);
        assertArrayEquals(new int[] {2048, 64}, EmojiSheet.dimensions(70));
        int[][] back = EmojiSheet.read(png, 70);
        for (int t = 0; t < tiles.length; t++) {
            assertArrayEquals(tiles[t], back[t], "tile " + t);
        }
    }

    @Test
    void aSheetOfAnotherSizeOrNotAPngIsRefused() throws Exception {
        Path png = dir.resolve("images-x.png");
        EmojiSheet.write(png, new int[3][32 * 32]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmojiSheet.read(png, 65));
        assertTrue(e.getMessage().contains("2048 x 32") && e.getMessage().contains("2048 x 64"), e.getMessage());
        Path text = dir.resolve("images-y.png");
        Files.writeString(text, "not an image");
        e = assertThrows(IllegalArgumentException.class, () -> EmojiSheet.read(text, 3));
        assertTrue(e.getMessage().contains("is not a PNG image"), e.getMessage());
    }

    @Test
    void transparentPixelsLendNoColourWhenHalving() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0xFFFF0000);          // one opaque red pixel; its three neighbours transparent white
        img.setRGB(1, 0, 0x00FFFFFF);
        img.setRGB(0, 1, 0x00FFFFFF);
        img.setRGB(1, 1, 0x00FFFFFF);
        img.setRGB(2, 0, 0xFF000000);          // the next block: two black, two white, all opaque
        img.setRGB(3, 0, 0xFFFFFFFF);
        img.setRGB(2, 1, 0xFF000000);
        img.setRGB(3, 1, 0xFFFFFFFF);
        int[] small = EmojiSheet.downscale(img, "test");
        assertEquals(32 * 32, small.length);
        assertEquals(0x40FF0000, small[0], Integer.toHexString(small[0]));   // alpha 255/4 rounded, pure red
        assertEquals(0xFF808080, small[1], Integer.toHexString(small[1]));   // (0 + 255) / 2 rounded half up
        assertEquals(0, small[2], "fully transparent stays 0");
        assertThrows(IllegalArgumentException.class,
                () -> EmojiSheet.downscale(new BufferedImage(48, 48, BufferedImage.TYPE_INT_ARGB), "48 px"));
    }
}

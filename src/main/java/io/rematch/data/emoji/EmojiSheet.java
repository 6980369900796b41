package io.rematch.data.emoji;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A sprite sheet of {@value ImageFeatures#SIZE} x {@value ImageFeatures#SIZE} renderings: item
 * {@code t} sits in column {@code t % COLUMNS} and row {@code t / COLUMNS}, without borders, as
 * non-premultiplied ARGB (a PNG with alpha). One sheet per vendor keeps the dataset to a few files.
 */
public final class EmojiSheet {

    /** Tiles per row. */
    public static final int COLUMNS = 64;

    private static final int S = ImageFeatures.SIZE;

    private EmojiSheet() {
    }

    /** The sheet's width and height in pixels for {@code count} items. */
    public static int[] dimensions(int count) {
        return new int[] {COLUMNS * S, ((count + COLUMNS - 1) / COLUMNS) * S};
    }

    /**
     * Reads the {@code count} tiles of a sheet.
     *
     * @return {@code count} arrays of {@code S * S} ARGB pixels
     * @throws IllegalArgumentException naming the file when it is not a PNG of the expected size
     */
    public static int[][] read(Path png, int count) throws IOException {
        BufferedImage sheet;
        try {
            sheet = ImageIO.read(png.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(png + " is not a PNG image (" + e.getMessage() + ")", e);
        }
        if (sheet == null) {
            throw new IllegalArgumentException(png + " is not a PNG image; expected a sprite sheet of " + S + " x "
                    + S + " tiles");
        }
        int[] want = dimensions(count);
        if (sheet.getWidth() != want[0] || sheet.getHeight() != want[1]) {
            throw new IllegalArgumentException(png + " is " + sheet.getWidth() + " x " + sheet.getHeight()
                    + " pixels; " + count + " items in " + COLUMNS + " columns of " + S + " x " + S + " tiles need "
                    + want[0] + " x " + want[1]);
        }
        int[][] tiles = new int[count][];
        for (int t = 0; t < count; t++) {
            tiles[t] = sheet.getRGB((t % COLUMNS) * S, (t / COLUMNS) * S, S, S, null, 0, S);
        }
        return tiles;
    }

    /** Writes {@code tiles} as a sheet, atomically (a temporary file, then a rename). */
    public static void write(Path png, int[][] tiles) throws IOException {
        int[] d = dimensions(tiles.length);
        BufferedImage sheet = new BufferedImage(d[0], d[1], BufferedImage.TYPE_INT_ARGB);
        for (int t = 0; t < tiles.length; t++) {
            sheet.setRGB((t % COLUMNS) * S, (t / COLUMNS) * S, S, S, tiles[t], 0, S);
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        if (!ImageIO.write(sheet, "png", tmp.toFile())) {
            throw new IOException("this Java has no PNG writer");
        }
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Halves an image by 2 x 2 area averaging in premultiplied alpha (so that transparent pixels
     * lend no colour), repeatedly, down to {@code S x S}.
     *
     * @throws IllegalArgumentException when the image is not square with a side of S times a power of two
     */
    public static int[] downscale(BufferedImage image, String what) {
        int side = image.getWidth();
        if (side != image.getHeight() || side < S || Integer.bitCount(side / S) != 1 || side % S != 0) {
            throw new IllegalArgumentException(what + " is " + image.getWidth() + " x " + image.getHeight()
                    + " pixels; expected a square of " + S + " times a power of two (the packages' 64 x 64)");
        }
        int[] px = image.getRGB(0, 0, side, side, null, 0, side);
        while (side > S) {
            int half = side / 2;
            int[] out = new int[half * half];
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) {
                    long a = 0;
                    long r = 0;
                    long g = 0;
                    long b = 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int c = px[(2 * y + dy) * side + 2 * x + dx];
                            int ca = (c >>> 24) & 255;
                            a += ca;
                            r += (long) ((c >>> 16) & 255) * ca;
                            g += (long) ((c >>> 8) & 255) * ca;
                            b += (long) (c & 255) * ca;
                        }
                    }
                    out[y * half + x] = a == 0 ? 0 : (int) ((a + 2) / 4) << 24 | channel(r, a) << 16
                            | channel(g, a) << 8 | channel(b, a);
                }
            }
            px = out;
            side = half;
        }
        return px;
    }

    /** The un-premultiplied channel: sum(c * a) / sum(a), rounded. */
    private static int channel(long premultiplied, long alpha) {
        return (int) ((premultiplied + alpha / 2) / alpha);
    }
}

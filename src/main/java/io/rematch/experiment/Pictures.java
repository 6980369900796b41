package io.rematch.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Pictures drawn with Java2D: retrieved examples and a transport plan as a heatmap. */
public final class Pictures {

    /** Correct retrievals. */
    public static final Color GREEN = new Color(0, 140, 60);
    /** Wrong retrievals. */
    public static final Color RED = new Color(200, 30, 30);

    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font HEAD = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final int ICON = 64;

    private Pictures() {
    }

    /** An image given with ranked texts. */
    public record ImageToTexts(int[] argb, List<String> texts, List<Boolean> correct) {
    }

    /** A text given with ranked images. */
    public record TextToImages(String text, List<int[]> images, List<Boolean> correct) {
    }

    /** A mismatched training pair: its image, the text it was given, and what the model retrieves instead. */
    public record Mismatched(int[] argb, String given, String retrieved, boolean retrievedCorrect) {
    }

    /** The three sections of RCL's Figures 6 and 8, stacked. */
    public static BufferedImage examples(String title, List<ImageToTexts> i2t, List<TextToImages> t2i,
                                         List<Mismatched> mismatched) {
        int width = 1100;
        int rowH = ICON + 16;
        int height = 60 + 3 * 40 + (i2t.size() + t2i.size() + mismatched.size()) * rowH + 20;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int y = 30;
        g.setFont(HEAD);
        g.setColor(Color.BLACK);
        g.drawString(title, 16, y);
        y += 30;
        y = heading(g, "Image to text: each test image and its top-3 texts (green = a text of the same emoji)", y);
        for (ImageToTexts e : i2t) {
            drawIcon(g, e.argb(), 16, y, null);
            g.setFont(TEXT);
            for (int k = 0; k < e.texts().size(); k++) {
                g.setColor(e.correct().get(k) ? GREEN : RED);
                g.drawString((k + 1) + ". " + fit(g, e.texts().get(k), width - 130), 100, y + 18 + 20 * k);
            }
            y += rowH;
        }
        y = heading(g, "Text to image: each test text and its top-3 images (green frame = the same emoji)", y);
        for (TextToImages e : t2i) {
            g.setFont(TEXT);
            g.setColor(Color.BLACK);
            g.drawString(fit(g, "\u201c" + e.text() + "\u201d", 560), 16, y + ICON / 2 + 5);
            for (int k = 0; k < e.images().size(); k++) {
                drawIcon(g, e.images().get(k), 600 + k * (ICON + 24), y, e.correct().get(k) ? GREEN : RED);
            }
            y += rowH;
        }
        y = heading(g, "Mismatched training pairs: the wrong text it was given, and the model's top text for its image (green = right)", y);
        for (Mismatched m : mismatched) {
            drawIcon(g, m.argb(), 16, y, null);
            g.setFont(TEXT);
            g.setColor(RED);
            g.drawString("given:      " + fit(g, m.given(), width - 200), 100, y + 22);
            g.setColor(m.retrievedCorrect() ? GREEN : RED);
            g.drawString("retrieved: " + fit(g, m.retrieved(), width - 200), 100, y + 46);
            y += rowH;
        }
        g.dispose();
        return img;
    }

    /**
     * A plan as a heatmap, rows x columns, white (0) to dark blue (the largest entry), with
     * {@code marked} cells outlined in orange and the masked diagonal in grey.
     */
    public static BufferedImage heatmap(String title, double[] plan, int rows, int cols, boolean[] marked,
                                        String caption) {
        int cell = Math.max(3, Math.min(12, 640 / Math.max(rows, cols)));
        int left = 60;
        int top = 50;
        int width = left + cols * cell + 40;
        int height = top + rows * cell + 70 + 20 * (caption.split("(?<=\\.) ").length - 1);
        BufferedImage img = new BufferedImage(Math.max(width, 700), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        double max = 0;
        for (double v : plan) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double t = max > 0 ? Math.sqrt(plan[i * cols + j] / max) : 0;   // sqrt: small masses stay visible
                Color c = i == j ? new Color(200, 200, 200)
                        : new Color((int) (255 - t * 247), (int) (255 - t * 207), (int) (255 - t * 148));
                g.setColor(c);
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
            }
        }
        g.setStroke(new BasicStroke(Math.max(1f, cell / 4f)));
        g.setColor(new Color(230, 120, 0));
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (marked[i * cols + j]) {
                    g.drawRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
                }
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(left, top, cols * cell, rows * cell);
        g.setFont(HEAD);
        g.drawString(title, 16, 28);
        g.setFont(TEXT);
        g.drawString("texts (columns) ->", left, top + rows * cell + 20);
        String[] lines = caption.split("(?<=\\.) ");     // one sentence per line
        for (int k = 0; k < lines.length; k++) {
            g.drawString(lines[k], left, top + rows * cell + 44 + 20 * k);
        }
        g.rotate(-Math.PI / 2);
        g.drawString("images (rows) ->", -(top + 130), 40);
        g.dispose();
        return img;
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static int heading(Graphics2D g, String text, int y) {
        g.setFont(HEAD);
        g.setColor(Color.BLACK);
        g.drawString(text, 16, y + 20);
        return y + 34;
    }

    /** A 32 x 32 rendering drawn at 64 x 64 on white, with an optional frame. */
    private static void drawIcon(Graphics2D g, int[] argb, int x, int y, Color frame) {
        BufferedImage tile = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        tile.setRGB(0, 0, 32, 32, argb, 0, 32);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(tile, x, y, ICON, ICON, null);
        if (frame != null) {
            g.setColor(frame);
            g.setStroke(new BasicStroke(4));
            g.drawRect(x - 3, y - 3, ICON + 5, ICON + 5);
            g.setStroke(new BasicStroke(1));
        }
    }

    /** {@code s}, cut with an ellipsis to fit {@code width} pixels. */
    static String fit(Graphics2D g, String s, int width) {
        FontMetrics m = g.getFontMetrics();
        if (m.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && m.stringWidth(t + "\u2026") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "\u2026";
    }
}

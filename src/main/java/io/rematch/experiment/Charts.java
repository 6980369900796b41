package io.rematch.experiment;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts with XChart (headless), panels side by side, and atomic PNG files. */
public final class Charts {

    /** One panel's width and height in pixels. */
    public static final int WIDTH = 560;
    public static final int HEIGHT = 400;

    /** A palette that stays apart in print and for colour-blind readers (Okabe and Ito, 2008). */
    static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0),
            new Color(240, 228, 66)};

    private Charts() {
    }

    /**
     * A line series: x, y and optional error bars (one standard deviation).
     *
     * @param errors {@code null} for none
     */
    public record Series(double[] x, double[] y, double[] errors) {
    }

    /** A line chart of {@code series} (in insertion order). */
    public static BufferedImage lines(String title, String xTitle, String yTitle, Map<String, Series> series,
                                      boolean logX, boolean markers) {
        return BitmapEncoder.getBufferedImage(chart(title, xTitle, yTitle, series, logX, markers));
    }

    private static XYChart chart(String title, String xTitle, String yTitle, Map<String, Series> series,
                                 boolean logX, boolean markers) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        org.knowm.xchart.style.XYStyler st = chart.getStyler();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setXAxisDecimalPattern("#0.##");
        chart.getStyler().setMarkerSize(markers ? 6 : 0);
        chart.getStyler().setSeriesColors(PALETTE);
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Series s = e.getValue();
            XYSeries x = s.errors() == null ? chart.addSeries(e.getKey(), s.x(), s.y())
                    : chart.addSeries(e.getKey(), s.x(), s.y(), s.errors());
            x.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Panels in a grid of {@code columns}, on white. */
    /**
     * As {@link #lines(String, String, String, Map, boolean, boolean)} without markers, the x axis
     * fixed to {@code [xMin, xMax]} with ticks at round values (histograms: every panel of a row on
     * the same axis).
     */
    public static BufferedImage lines(String title, String xTitle, String yTitle, Map<String, Series> series,
                                      double xMin, double xMax) {
        XYChart chart = chart(title, xTitle, yTitle, series, false, false);
        chart.getStyler().setXAxisMin(xMin);
        chart.getStyler().setXAxisMax(xMax);
        chart.getStyler().setXAxisDecimalPattern("#0.0");
        chart.getStyler().setXAxisTickMarkSpacingHint(60);
        return BitmapEncoder.getBufferedImage(chart);
    }

    public static BufferedImage grid(List<BufferedImage> panels, int columns) {
        int w = 0;
        int h = 0;
        for (BufferedImage p : panels) {
            w = Math.max(w, p.getWidth());
            h = Math.max(h, p.getHeight());
        }
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage out = new BufferedImage(w * Math.min(columns, panels.size()), h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int k = 0; k < panels.size(); k++) {
            g.drawImage(panels.get(k), (k % columns) * w, (k / columns) * h, null);
        }
        g.dispose();
        return out;
    }

    /**
     * Checks that Java can draw text here: a headless JDK without fontconfig or any font fails
     * deep inside Java2D. Call it before hours of training whose results end in a picture.
     *
     * @throws IllegalArgumentException saying what to install
     */
    public static void checkFonts() {
        String why;
        try {
            BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
            g.drawString("rSum", 2, 15);
            int w = g.getFontMetrics().stringWidth("rSum");
            g.dispose();
            if (w > 0) {
                return;
            }
            why = "text has no width";
        } catch (Throwable t) {   // java.lang.Error "no fonts found", NullPointerException in sun.font
            why = t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
        }
        throw new IllegalArgumentException("this Java cannot draw text (" + why + "), which the PNGs need: install"
                + " fontconfig and a font (Debian: apt-get install fontconfig fonts-dejavu-core)");
    }

    /** Writes a PNG atomically: a temporary file in the same folder, then a rename. */
    public static void save(BufferedImage image, Path png) throws IOException {
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = temporary(parent, png);
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("this Java has no PNG writer");
            }
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes text atomically. */
    public static void save(String text, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = temporary(parent, file);
        try {
            Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A density histogram of {@code values} over {@code [lo, hi]} in {@code bins} bins: bin centres and densities. */
    /**
     * A fresh name beside {@code target} for its atomic replacement. Not {@code createTempFile},
     * whose files are readable by their owner only (0600): the results should be as readable as
     * any file the user writes.
     */
    private static Path temporary(Path parent, Path target) {
        return parent.resolve("." + target.getFileName() + "." + Long.toHexString(
                java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    public static Series histogram(double[] values, double lo, double hi, int bins) {
        double[] x = new double[bins];
        double[] y = new double[bins];
        double width = (hi - lo) / bins;
        for (int b = 0; b < bins; b++) {
            x[b] = lo + (b + 0.5) * width;
        }
        for (double v : values) {
            int b = (int) Math.floor((v - lo) / width);
            y[Math.max(0, Math.min(bins - 1, b))] += 1;
        }
        for (int b = 0; b < bins; b++) {
            y[b] /= Math.max(1, values.length) * width;
        }
        return new Series(x, y, null);
    }
}

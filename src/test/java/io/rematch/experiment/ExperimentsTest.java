package io.rematch.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Dataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every experiment on a tiny configuration of the emoji set (two epochs, one seed, mrate at one
 * rate): it produces its Markdown table and its PNGs, never NaN or Infinity, and a second
 * experiment reuses the runs of the first instead of training them again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentsTest {

    @TempDir
    static Path out;

    static Dataset data;
    static final Map<String, Integer> epochsTrained = new ConcurrentHashMap<>();

    static Experiments.Settings settings(String name) {
        return new Experiments.Settings(data, out, 1, Recipe.FULL.withEpochs(2), name.equals("mrate") ? List.of(0.6)
                : null, 2, new Runner.Progress() {
                    @Override
                    public void epochDone(Arm arm, io.rematch.train.EpochRecord record) {
                        epochsTrained.merge(arm.folder(), 1, Integer::sum);
                    }
                }, "rematch experiment " + name + " (test)");
    }

    @BeforeAll
    static void open() {
        data = Dataset.open(Path.of("data-small", "emoji"), "--data");
    }

    static Experiments.Report run(String name) throws Exception {
        Experiments.Report r = Experiments.run(name, settings(name));
        assertTrue(Files.isRegularFile(out.resolve(name + ".md")), name);
        assertEquals(r.markdown(), Files.readString(out.resolve(name + ".md")));
        assertFalse(r.markdown().contains("NaN") || r.markdown().contains("Infinity"), r.markdown());
        assertTrue(r.markdown().contains("Command: `rematch experiment " + name), r.markdown());
        for (Path f : r.files()) {
            if (f.toString().endsWith(".png")) {
                BufferedImage img = ImageIO.read(f.toFile());
                assertTrue(img.getWidth() >= 500 && img.getHeight() >= 300, f + " " + img.getWidth() + "x"
                        + img.getHeight());
                assertTrue(r.markdown().contains("](" + f.getFileName() + ")"), "the report links " + f);
            }
        }
        return r;
    }

    static int rows(String markdown, String method) {
        return (int) markdown.lines().filter(l -> l.startsWith("| " + method + " |")).count();
    }

    @Test
    @Order(1)
    void mrateTrainsEveryMethodAndTablesBestAndLast() throws Exception {
        Experiments.Report r = run("mrate");
        for (String m : Experiments.MRATE) {
            assertEquals(3, rows(r.markdown(), m), m + ": best, last and the compact table\n" + r.markdown());
        }
        assertTrue(r.markdown().contains("## At the last epoch"));
        assertTrue(Files.isRegularFile(out.resolve("mrate.png")));
        assertEquals(7, epochsTrained.size());
        epochsTrained.values().forEach(e -> assertEquals(2, e));
    }

    @Test
    @Order(2)
    void ablationAndCurvesReuseTheRunsOfMrate() throws Exception {
        int before = epochsTrained.values().stream().mapToInt(Integer::intValue).sum();
        Experiments.Report a = run("ablation");
        for (String m : Experiments.ABLATION) {
            assertEquals(3, rows(a.markdown(), m), m);
        }
        Experiments.Report c = run("curves");
        assertTrue(Files.isRegularFile(out.resolve("curves.png")));
        assertEquals(5, c.markdown().lines().filter(l -> l.matches("\\| [A-Za-z-]+ \\| 0\\.6 .*")).count());
        assertEquals(before, epochsTrained.values().stream().mapToInt(Integer::intValue).sum(),
                "nothing trained again");
    }

    @Test
    @Order(3)
    void boundsTrainMaeAndTheFourBounds() throws Exception {
        Experiments.Report r = run("bounds");
        for (String m : Experiments.BOUNDS) {
            assertEquals(3, rows(r.markdown(), m), m);
        }
    }

    @Test
    @Order(4)
    void similaritiesHistogramEveryKindOfPair() throws Exception {
        Experiments.Report r = run("similarities");
        assertTrue(r.markdown().contains("| CL | "), r.markdown());
        assertTrue(Files.isRegularFile(out.resolve("similarities.png")));
    }

    @Test
    @Order(5)
    void tauSweepsFourTemperatures() throws Exception {
        Experiments.Report r = run("tau");
        for (double t : Experiments.TAUS) {
            assertTrue(r.markdown().contains(String.format(java.util.Locale.ROOT, "CCL-log tau=%.2f", t)), r.markdown());
        }
        assertTrue(Files.isDirectory(out.resolve("runs").resolve("e2-d1").resolve("ccl-log-t0.01-r0.60-s0")));
        assertFalse(Files.exists(out.resolve("runs").resolve("e2-d1").resolve("ccl-log-t0.05-r0.60-s0")),
                "tau 0.05 is the default run");
    }

    @Test
    @Order(6)
    void rematchReportsTheSplitAndDrawsOnePlan() throws Exception {
        Experiments.Report r = run("rematch");
        assertTrue(r.markdown().contains("split precision"), r.markdown());
        assertTrue(r.markdown().contains("of the plan's mass lands on true partners"), r.markdown());
        assertTrue(Files.isRegularFile(out.resolve("rematch-plan.png")));
    }

    @Test
    @Order(7)
    void examplesDrawRetrievals() throws Exception {
        run("examples");
        BufferedImage img = ImageIO.read(out.resolve("examples.png").toFile());
        assertEquals(1100, img.getWidth());
    }

    @Test
    void unknownNamesAndSeedsBelowOneAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiments.check("mrates"));
        assertTrue(e.getMessage().contains("mrate, bounds, ablation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Experiments.Settings(data, out, 0, Recipe.FULL,
                null, 1, Runner.Progress.NONE, ""));
        assertTrue(e.getMessage().contains("--seeds must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Experiments.Settings(data, out, 1, Recipe.FULL,
                List.of(1.0), 1, Runner.Progress.NONE, ""));
        assertTrue(e.getMessage().contains("--rates must be in [0, 1)"), e.getMessage());
    }

    @Test
    void recipesScaleTheirScheduleWithTheEpochs() {
        assertEquals(new Recipe(30, 15, 5), Recipe.FULL);
        assertEquals(new Recipe(2, 1, 1), Recipe.FULL.withEpochs(2));
        // each schedule has its folder under runs/: the demo's 20 epochs, --full's 30, an --epochs
        assertEquals("e20-d12", Runner.schedule(Recipe.DEMO.config("CL", 0.6, 0)));
        assertEquals("e20-d12-w2", Runner.schedule(Recipe.DEMO.config("hybrid", 0.6, 0)));
        assertEquals("e30-d15", Runner.schedule(Recipe.FULL.config("CL", 0.6, 0)));
        assertEquals("e30-d18", Runner.schedule(Recipe.DEMO.withEpochs(30).config("CL", 0.6, 0)));
        assertEquals(new Recipe(1, 1, 0), Recipe.FULL.withEpochs(1));
        assertEquals(2, Recipe.FULL.withEpochs(2).config("L2RM", 0.6, 0).totalEpochs());
        assertEquals(1, Recipe.FULL.withEpochs(2).config("L2RM", 0.6, 0).warmup());
        assertEquals("infonce", Recipe.FULL.config("CL", 0, 0).loss());
        assertThrows(IllegalArgumentException.class, () -> Recipe.FULL.withEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> Recipe.FULL.config("SGR", 0, 0));
    }
}

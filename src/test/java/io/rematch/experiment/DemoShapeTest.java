package io.rematch.experiment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job as README's first command runs it (the demo recipe, seed 0, about three minutes on
 * two cores) and the shape of its result: what RCL and L2RM claim, with margins far wider than
 * what the last bits of a BLAS can move. Chance is an rSum of about 11 on this test split.
 */
class DemoShapeTest {

    @TempDir
    static Path out;

    static Experiments.Report report;
    static final Map<String, Outcome> byArm = new HashMap<>();

    @BeforeAll
    static void runTheDemo() throws Exception {
        Dataset data = Dataset.open(Path.of("data-small", "emoji"), "--data");
        Experiments.Settings s = Demo.settings(data, out, false, null, null,
                Runtime.getRuntime().availableProcessors(), Runner.Progress.NONE, "rematch demo (test)");
        report = Demo.run(s);
        for (Outcome o : new Runner(data, out, 1, Runner.Progress.NONE).run(Demo.arms(s))) {   // all resumed: read back
            byArm.put(o.arm().label() + "@" + o.arm().rate(), o);
        }
        System.out.println(report.markdown());
    }

    static double best(String label, double rate) {
        return byArm.get(label + "@" + rate).testBest().rsum();
    }

    static double last(String label, double rate) {
        return byArm.get(label + "@" + rate).testLast().rsum();
    }

    @Test
    void itWritesItsReportAndPictures() {
        for (String f : List.of("demo.md", "curves.png", "similarities.png", "examples.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(report.markdown().contains("NaN") || report.markdown().contains("Infinity"));
        assertTrue(byArm.size() == 10, byArm.keySet().toString());
    }

    @Test
    void withoutMismatchesEveryMethodRetrievesFarAboveChance() {
        for (String m : Demo.LABELS) {
            assertTrue(best(m, 0.0) > 110, m + " at 0: " + best(m, 0.0));
        }
    }

    @Test
    void mismatchesHurtEveryMethod() {
        for (String m : Demo.LABELS) {
            assertTrue(best(m, 0.6) < best(m, 0.0) - 30, m + ": " + best(m, 0.6) + " at 0.6 vs " + best(m, 0.0));
            assertTrue(best(m, 0.6) > 3 * 11, m + " still learns at 0.6: " + best(m, 0.6));
        }
    }

    @Test
    void atMismatchPointSixTheRobustMethodsBeatContrastiveLearning() {
        assertTrue(best("hybrid", 0.6) > best("CL", 0.6) + 5, "hybrid " + best("hybrid", 0.6) + " vs CL "
                + best("CL", 0.6));
        assertTrue(last("hybrid", 0.6) > last("CL", 0.6) + 5, "last epoch: hybrid " + last("hybrid", 0.6) + " vs CL "
                + last("CL", 0.6));
        assertTrue(last("CCL-log", 0.6) > last("CL", 0.6), "last epoch: CCL " + last("CCL-log", 0.6) + " vs CL "
                + last("CL", 0.6));
        assertTrue(best("L2RM", 0.6) > best("CL", 0.6), "L2RM " + best("L2RM", 0.6) + " vs CL " + best("CL", 0.6));
    }

    @Test
    void cclKeepsMismatchedTrainingPairsApartWhereClMemorisesThem() throws Exception {
        Dataset data = Dataset.open(Path.of("data-small", "emoji"), "--data");
        Experiments.Similarities s = Experiments.similarities(data, List.of(byArm.get("CL@0.6"),
                byArm.get("CCL-log@0.6")));
        double clGap = mean(s.values().get(0)[0]) - mean(s.values().get(0)[1]);
        double cclGap = mean(s.values().get(1)[0]) - mean(s.values().get(1)[1]);
        assertTrue(cclGap > clGap + 0.05, "true minus false positive similarity: CCL " + cclGap + ", CL " + clGap);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}

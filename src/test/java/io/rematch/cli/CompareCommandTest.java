package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.DType;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rematch compare} on the bundled batch (the README's main job): the robustness claim of
 * RCL holds on it, InfoNCE and the triplet losses pull mismatched pairs harder than clean ones,
 * every CCL bound pulls them far less, L2RM's warm-up loss RCE in between; and bad input is
 * reported as such.
 */
class CompareCommandTest {

    private static final String SCORES = "data-small/batch128-pmp20/scores.npy";
    private static final String MISMATCHED = "data-small/batch128-pmp20/mismatched.npy";

    @Test
    @SuppressWarnings("unchecked")
    void bundledBatchShowsComplementaryLossesAreRobust() {
        Cli.Result r = Cli.run("compare", "--scores", SCORES, "--mismatched", MISMATCHED, "--json");
        assertEquals(0, r.code(), r::toString);
        Map<String, Object> json = Cli.jsonLine(r);
        assertEquals(128.0, ((Number) json.get("n")).doubleValue());
        assertEquals(26.0, ((Number) json.get("mismatched")).doubleValue());
        List<Object> rows = (List<Object>) json.get("losses");
        assertEquals(io.rematch.loss.Losses.SCORE_ONLY_NAMES.size(), rows.size());
        for (Object o : rows) {
            Map<String, Object> row = (Map<String, Object>) o;
            String loss = (String) row.get("loss");
            double ratio = ((Number) row.get("ratio")).doubleValue();
            if (loss.startsWith("ccl-") || loss.equals("nl")) {
                assertTrue(ratio < 0.1, loss + " pulls mismatched pairs with ratio " + ratio);
            } else if (loss.equals("rce")) { // half InfoNCE, half complementary: in between
                assertTrue(ratio > 0.1 && ratio < 1, loss + " ratio " + ratio);
            } else {
                assertTrue(ratio > 1, loss + " should pull mismatched pairs harder, ratio " + ratio);
            }
        }
    }

    @Test
    void tableOutputNamesEveryLoss() {
        Cli.Result r = Cli.run("compare", "--scores", SCORES, "--mismatched", MISMATCHED);
        assertEquals(0, r.code(), r::toString);
        for (String name : io.rematch.loss.Losses.SCORE_ONLY_NAMES) {
            assertTrue(r.out().contains(name), name + " missing:\n" + r);
        }
    }

    @Test
    void badInputNamesTheOption(@TempDir Path dir) throws Exception {
        Path flags = dir.resolve("flags.npy");
        Npy.write(flags, NpyArray.of(new int[] {3}, new double[] {0, 1, 2}, DType.INT64));
        Cli.assertBadInput(new String[] {"compare", "--scores", SCORES, "--mismatched", flags.toString()},
                "--mismatched", "128");
        Path allClean = dir.resolve("clean.npy");
        Npy.write(allClean, NpyArray.of(new int[] {128}, new double[128], DType.INT64));
        Cli.assertBadInput(new String[] {"compare", "--scores", SCORES, "--mismatched", allClean.toString()},
                "--mismatched", "some pairs");
        Cli.assertBadInput(new String[] {"compare", "--scores", dir.resolve("none.npy").toString(),
                "--mismatched", MISMATCHED}, "--scores", "no such file");
        Cli.assertBadInput(new String[] {"compare", "--scores", SCORES, "--mismatched", MISMATCHED, "--tau", "-1"},
                "--tau");
    }
}

package io.rematch.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.eval.RecallSummary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Means and sample standard deviations over seeds, one row per method and rate. */
class TablesTest {

    static Outcome outcome(String label, double rate, long seed, double rsumBest, double rsumLast, int bestEpoch) {
        Arm a = Arm.of(Recipe.FULL, label, rate, seed);
        RecallSummary best = new RecallSummary(rsumBest / 6, rsumBest / 6, rsumBest / 6, rsumBest / 6, rsumBest / 6,
                rsumBest / 6, rsumBest);
        RecallSummary last = new RecallSummary(0, 0, 0, 0, 0, rsumLast, rsumLast);
        return new Outcome(a, Path.of(a.folder()), bestEpoch, best, last, List.of());
    }

    @Test
    void cellsAreMeanAndSampleSd() {
        List<Outcome> os = List.of(outcome("CL", 0.6, 0, 90, 60, 3), outcome("CL", 0.6, 1, 100, 70, 5),
                outcome("CL", 0.6, 2, 110, 80, 7), outcome("CCL-log", 0.6, 0, 120, 118, 20));
        String t = Tables.bestAndLast(os);
        assertTrue(t.contains("| CL | 0.6 | 3 | 100.0 ± 10.0 | 70.0 ± 10.0 | 5.0 ± 2.0 |"), t);
        assertTrue(t.contains("| CCL-log | 0.6 | 1 | 120.0 | 118.0 | 20 |"), t);
        String b = Tables.best(os);
        assertTrue(b.contains("| CL | 0.6 | 3 | 16.7 ± 1.7 |"), b);
        assertEquals(2 + 2, b.lines().count());
        String l = Tables.last(os);
        assertTrue(l.contains("| 70.0 ± 10.0 | 70.0 ± 10.0 |"), l);
    }
}

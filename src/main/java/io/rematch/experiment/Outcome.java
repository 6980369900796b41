package io.rematch.experiment;

import io.rematch.eval.RecallSummary;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one arm produced, read back from its run folder: the test recalls at the best-validation
 * and the last epoch, and the per-epoch validation curve with the diagnostics.
 *
 * @param arm       the arm
 * @param folder    its run folder
 * @param bestEpoch the 1-based epoch the dev split chose
 * @param testBest  test recalls of that epoch
 * @param testLast  test recalls of the last epoch
 * @param curve     one point per epoch, in order
 */
public record Outcome(Arm arm, Path folder, int bestEpoch, RecallSummary testBest, RecallSummary testLast,
                      List<Point> curve) {

    /**
     * One epoch of the log.
     *
     * @param epoch       1-based
     * @param validation  the dev recalls after it
     * @param diagnostics L2RM's split and rematch diagnostics (empty for RCL)
     */
    public record Point(int epoch, RecallSummary validation, Map<String, Double> diagnostics) {
    }

    /** Reads {@code results.json} and {@code log.jsonl} of a finished run. */
    public static Outcome read(Arm arm, Path folder) throws IOException {
        Path results = folder.resolve("results.json");
        JsonFields r = new JsonFields(Json.parseObject(Files.readString(results), results.toString()), results.toString());
        List<Point> curve = new ArrayList<>();
        Path log = folder.resolve("log.jsonl");
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> m = Json.parseObject(line, log.toString());
            JsonFields f = new JsonFields(m, log.toString());
            Map<String, Double> diagnostics = new LinkedHashMap<>();
            for (String k : List.of("split_precision", "split_recall", "split_clean_share", "rematch_precision",
                    "rematch_ceiling")) {
                if (m.get(k) instanceof Number n) {
                    diagnostics.put(k, n.doubleValue());
                }
            }
            curve.add(new Point(f.integer("epoch"), summary(f.object("validation"), log), diagnostics));
        }
        return new Outcome(arm, folder, r.integer("best_epoch"), summary(r.object("test_best"), results),
                summary(r.object("test_last"), results), curve);
    }

    private static RecallSummary summary(Map<String, Object> m, Path source) {
        JsonFields f = new JsonFields(m, source.toString());
        return new RecallSummary(f.number("i2t_r1"), f.number("i2t_r5"), f.number("i2t_r10"), f.number("t2i_r1"),
                f.number("t2i_r5"), f.number("t2i_r10"), f.number("rsum"));
    }
}

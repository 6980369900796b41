package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer's review of {@code rematch train} and {@code evaluate} found: a folder with a
 * run's files but no run is not overwritten, "(best)" after a resume means best of the whole run,
 * options that do not apply are refused, and {@code evaluate --folds} prints the same JSON shape
 * as a whole-split evaluation.
 */
class TrainReviewFixesTest {

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void data() {
        data = dir.resolve("data");
        Cli.Result r = Cli.run("dataset", "synthetic", "--out", data.toString(), "--images", "300", "--dims", "12,10",
                "--clusters", "6");
        assertEquals(0, r.code(), r::toString);
    }

    @Test
    void aFolderWithARunsFilesButNoRunIsNotOverwritten() throws IOException {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine.resolve("epoch-0001"));
        Files.writeString(mine.resolve("epoch-0001").resolve("my.txt"), "mine");
        Files.writeString(mine.resolve("log.jsonl"), "my log");
        Cli.assertBadInput(TrainCommandTest.train(data, mine), "--out " + mine, "log.jsonl", "epoch-0001",
                "no run.json", "--force");
        assertEquals("my log", Files.readString(mine.resolve("log.jsonl")));
        // --force replaces the run's files (its names and every epoch-NNNN folder), nothing else
        Files.writeString(mine.resolve("notes.txt"), "keep");
        Cli.Result r = Cli.run(TrainCommandTest.train(data, mine, "--force"));
        assertEquals(0, r.code(), r::toString);
        assertFalse(Files.exists(mine.resolve("epoch-0001").resolve("my.txt")));
        assertEquals("keep", Files.readString(mine.resolve("notes.txt")));
    }

    @Test
    void bestAfterAResumeIsTheBestOfTheWholeRun() throws IOException {
        Path run = dir.resolve("resumed");
        assertEquals(0, Cli.run(TrainCommandTest.train(data, run, "--epochs", "2", "--mismatch", "0.6")).code());
        Cli.Result r = Cli.run(TrainCommandTest.train(data, run, "--resume", "--epochs", "4", "--mismatch", "0.6"));
        assertEquals(0, r.code(), r::toString);
        List<String> log = Files.readAllLines(run.resolve("log.jsonl"));
        assertEquals(4, log.size());
        double best = Double.NEGATIVE_INFINITY;
        for (String line : log) {
            Map<String, Object> m = Json.parseObject(line, "log");
            @SuppressWarnings("unchecked")
            double rsum = (Double) ((Map<String, Object>) m.get("validation")).get("rsum");
            assertEquals(rsum > best, m.get("best"), line);
            String printed = r.out().lines().filter(l -> l.startsWith(String.format("epoch %3d/", ((Double) m.get("epoch")).intValue())))
                    .findFirst().orElse("");
            if (((Double) m.get("epoch")) > 2) {
                assertEquals(rsum > best, printed.contains("(best)"), printed);
            }
            best = Math.max(best, rsum);
        }
    }

    @Test
    void optionsThatDoNotApplyAreRefused() {
        Cli.assertBadInput(TrainCommandTest.train(data, dir.resolve("m"), "--margin", "0.3"), "--margin applies to",
                "not to ccl-log");
        Cli.assertBadInput(TrainCommandTest.train(data, dir.resolve("t"), "--loss", "tr", "--tau", "0.1"),
                "--tau applies to", "not to tr");
        Cli.assertBadInput(TrainCommandTest.train(data, dir.resolve("p"), "--protocol", "caption"),
                "--protocol applies to --mismatch");
        Cli.assertBadInput(TrainCommandTest.train(data, dir.resolve("f"), "--mismatch", "60"),
                "--mismatch must be in [0, 1)", "0.6 for 60%");
    }

    @Test
    void evaluateWithFoldsPrintsTheShapeOfAWholeSplitEvaluation() {
        Path run = dir.resolve("folds");
        assertEquals(0, Cli.run(TrainCommandTest.train(data, run)).code());
        Cli.Result whole = Cli.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--json");
        Cli.Result folds = Cli.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--folds", "5",
                "--json", "--split", "TEST");
        assertEquals(0, folds.code(), folds::toString);
        Map<String, Object> a = Json.parseObject(whole.out().trim(), "whole");
        Map<String, Object> b = Json.parseObject(folds.out().trim(), "folds");
        assertEquals(((Map<?, ?>) a.get("i2t")).keySet(), ((Map<?, ?>) b.get("i2t")).keySet());
        assertEquals(5.0, b.get("folds"));
        assertFalse(folds.out().contains("NaN"));
        @SuppressWarnings("unchecked")
        Map<String, Object> i2t = (Map<String, Object>) b.get("i2t");
        assertTrue((Double) i2t.get("r10") >= (Double) i2t.get("r1"));
    }

    @Test
    void aMistypedCommandIsNamedEvenWhenOptionsFollowIt() {
        Cli.Result nested = Cli.run("dataset", "syntetic", "--out", dir.resolve("x").toString());
        assertEquals(2, nested.code(), nested::toString);
        assertTrue(nested.err().contains("unknown command 'syntetic' (did you mean synthetic?)"), nested::toString);
        Cli.Result top = Cli.run("trian", "--data", data.toString());
        assertEquals(2, top.code(), top::toString);
        assertTrue(top.err().contains("unknown command 'trian' (did you mean train?)"), top::toString);
    }
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rematch experiment}, {@code rematch demo} and {@code rematch dataset emoji} through the
 * command line: a tiny real run, and the bad-input contract for each way to get them wrong.
 */
class ExperimentCommandTest {

    static final String EMOJI = Path.of("data-small", "emoji").toString();

    @TempDir
    Path dir;

    @Test
    void aTinyExperimentPrintsItsReportAndSaysWhereItWroteIt() throws Exception {
        Path out = dir.resolve("exp");
        Cli.Result r = Cli.run("experiment", "examples", "--data", EMOJI, "--out", out.toString(), "--epochs", "1",
                "--seeds", "1", "--jobs", "1");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("# examples: retrieved examples"), r::toString);
        assertTrue(r.out().contains("wrote " + out.resolve("examples.md")), r::toString);
        assertTrue(Files.isRegularFile(out.resolve("examples.png")));
        assertTrue(r.err().contains("ccl-log-r0.60-s0"), "one progress line per epoch off a terminal:\n" + r);
        assertFalse((r.out() + r.err()).contains("NaN") || (r.out() + r.err()).contains("Infinity"), r::toString);
        assertFalse(r.err().contains("\u001b["), "no escape codes off a terminal");
        Cli.Result again = Cli.run("experiment", "examples", "--data", EMOJI, "--out", out.toString(), "--epochs", "1",
                "--seeds", "1");
        assertEquals(0, again.code(), again::toString);
        assertTrue(again.err().contains("1 epoch found committed: complete, reused"), again::toString);
    }

    @Test
    void unknownExperimentsAreNamedWithTheChoices() {
        Cli.assertBadInput(new String[] {"experiment", "mrat", "--data", EMOJI, "--out", dir.toString()},
                "unknown experiment 'mrat'", "mrate, bounds, ablation, curves, similarities, tau, rematch, examples");
    }

    @Test
    void seedsBelowOneAreRefused() {
        Cli.assertBadInput(new String[] {"experiment", "mrate", "--data", EMOJI, "--out", dir.toString(), "--seeds",
                "0"}, "--seeds must be >= 1");
        Cli.assertBadInput(new String[] {"demo", "--out", dir.toString(), "--seeds", "-1"}, "--seeds must be >= 1");
    }

    @Test
    void ratesOutOfRangeOrForAnotherExperimentAreRefused() {
        Cli.assertBadInput(new String[] {"experiment", "mrate", "--data", EMOJI, "--out", dir.toString(), "--rates",
                "0,1.2"}, "--rates must be in [0, 1), got 1.2");
        Cli.assertBadInput(new String[] {"experiment", "bounds", "--data", EMOJI, "--out", dir.toString(), "--rates",
                "0.2"}, "--rates applies to mrate only");
        Cli.assertBadInput(new String[] {"experiment", "bounds", "--data", EMOJI, "--out", dir.toString(), "--epochs",
                "0"}, "--epochs must be >= 1");
    }

    @Test
    void anOutputFolderThatCannotBeWrittenIsRefused() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Cli.assertBadInput(new String[] {"experiment", "curves", "--data", EMOJI, "--out", file.toString()},
                "--out " + file + " is a file");
        Cli.assertBadInput(new String[] {"demo", "--out", file.resolve("below").toString()}, "--out",
                "cannot be written");
    }

    @Test
    void aMissingOrBrokenDatasetIsRefused() throws Exception {
        Cli.assertBadInput(new String[] {"demo", "--data", dir.resolve("none").toString(), "--out", dir.toString()},
                "--data", "does not exist");
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("items.tsv"), "hexcode\tlabel\tcategory\tsubcategory\tfamily\tsplit\n");
        Cli.assertBadInput(new String[] {"experiment", "curves", "--data", broken.toString(), "--out",
                dir.resolve("o").toString()}, "--data", "has no texts.tsv");
    }

    @Test
    void aBrokenEmojiFolderIsReportedAsTheDatasFaultBeforeAnyRun() throws Exception {
        Path noItems = dir.resolve("no-items");
        Files.createDirectories(noItems);
        Files.copy(Path.of(EMOJI, "texts.tsv"), noItems.resolve("texts.tsv"));
        Cli.assertBadInput(new String[] {"experiment", "curves", "--data", noItems.toString(), "--out",
                dir.resolve("o1").toString()}, "--data", "holds texts.tsv but no items.tsv");
        Path truncated = dir.resolve("truncated");
        Files.createDirectories(truncated);
        for (String f : new String[] {"texts.tsv", "images-google.png", "images-twitter.png"}) {
            Files.copy(Path.of(EMOJI, f), truncated.resolve(f));
        }
        java.util.List<String> items = Files.readAllLines(Path.of(EMOJI, "items.tsv"));
        items.set(5, items.get(5).substring(0, items.get(5).lastIndexOf('\t')));    // a row without its split
        Files.write(truncated.resolve("items.tsv"), items);
        Path out = dir.resolve("o2");
        Cli.Result r = Cli.run("experiment", "curves", "--data", truncated.toString(), "--out", out.toString());
        assertEquals(Rematch.BAD_INPUT, r.code(), r::toString);
        assertTrue(r.err().startsWith("rematch experiment: error: --data: "), "the data's fault, not a run's:\n" + r);
        assertTrue(r.err().contains("items.tsv line 6"), r::toString);
        assertFalse(Files.exists(out.resolve("runs")), "nothing trained, nothing written");
    }

    @Test
    void jobsBelowOneAreRefusedBeforeAnythingIsPrinted() {
        Cli.assertBadInput(new String[] {"demo", "--out", dir.toString(), "--jobs", "0"}, "--jobs must be >= 1, got 0");
        Cli.assertBadInput(new String[] {"experiment", "curves", "--data", EMOJI, "--out", dir.toString(), "--jobs",
                "-2"}, "--jobs must be >= 1, got -2");
    }

    @Test
    void anotherScheduleInTheSameOutTrainsItsOwnRuns() throws Exception {
        Path out = dir.resolve("exp");
        String[] once = {"experiment", "examples", "--data", EMOJI, "--out", out.toString(), "--seeds", "1", "--epochs"};
        Cli.Result one = Cli.run(concat(once, "1"));
        assertEquals(0, one.code(), one::toString);
        Cli.Result two = Cli.run(concat(once, "2"));
        assertEquals(0, two.code(), "a longer run beside the first, not a clash of configurations:\n" + two);
        assertTrue(Files.isDirectory(out.resolve("runs").resolve("e1-d1").resolve("ccl-log-r0.60-s0")));
        assertTrue(Files.isDirectory(out.resolve("runs").resolve("e2-d1").resolve("ccl-log-r0.60-s0")));
    }

    private static String[] concat(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }

    @Test
    void examplesNeedEmojiData() throws Exception {
        Path syn = dir.resolve("syn");
        assertEquals(0, Cli.run("dataset", "synthetic", "--out", syn.toString(), "--images", "300", "--dims", "12,10")
                .code());
        Cli.assertBadInput(new String[] {"experiment", "examples", "--data", syn.toString(), "--out",
                dir.resolve("o").toString()}, "--data", "emoji dataset folder");
    }

    @Test
    void datasetEmojiBuildsFromPackagesAndNamesWhatIsMissing() throws Exception {
        io.rematch.data.emoji.EmojiBuilderTest.miniature(dir.resolve("npm"), "google", "twitter");
        Path out = dir.resolve("emoji");
        Cli.Result r = Cli.run("dataset", "emoji", "--from", dir.resolve("npm").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("4 emoji in 3 families"), r::toString);
        assertTrue(r.out().contains("8 images (google, twitter)"), r::toString);
        Cli.assertBadInput(new String[] {"dataset", "emoji", "--from", dir.resolve("nowhere").toString(), "--out",
                out.toString()}, "--from", "does not exist");
        Cli.assertBadInput(new String[] {"dataset", "emoji", "--from", dir.resolve("npm").resolve("emojibase-data")
                .toString(), "--out", out.toString()}, "--from", "no emoji-datasource-VENDOR");
        Path file = dir.resolve("f");
        Files.writeString(file, "x");
        Cli.assertBadInput(new String[] {"dataset", "emoji", "--from", dir.resolve("npm").toString(), "--out",
                file.toString()}, "--out", "is a file");
    }
}

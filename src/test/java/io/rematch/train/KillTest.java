package io.rematch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.DatasetFolder;
import io.rematch.data.Mismatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGKILL: {@code rematch train} runs in its own JVM, is killed with SIGKILL while it
 * trains (after its first committed epoch, at a moment the test does not control), and
 * {@code --resume} then ends with the weights and metrics of a run that was never killed.
 */
class KillTest {

    @TempDir
    Path tmp;

    @Test
    void sigkillLosesAtMostTheEpochInProgress() throws Exception {
        DatasetFolder data = TrainingFixtures.synthetic(1500, 64, 48, 10, 5);
        TrainingConfig config = TrainingFixtures.tiny("rcl", 0, 6).withMismatch(0.4, Mismatch.Protocol.IMAGE)
                .withOptimiser(32, 1e-3, 3);
        Path whole = tmp.resolve("whole");
        TrainingRun.train(config, data, whole, TrainingRun.Start.NEW, TrainingListener.NONE);

        Path killed = tmp.resolve("killed");
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", cp,
                "io.rematch.cli.Rematch", "train", "--data", data.dir().toString(), "--out", killed.toString(),
                "--epochs", "6", "--mismatch", "0.4", "--batch", "32", "--lr", "1e-3", "--lr-decay-every", "3",
                "--encoder", "mlp", "--hidden", "16", "--embed", "8", "--seed", "11"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path log = killed.resolve(TrainingRun.LOG);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && (!Files.exists(log) || Files.readAllLines(log).size() < 1)
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(40);   // into the next epoch, somewhere
        boolean wasAlive = p.isAlive();
        p.destroyForcibly();   // SIGKILL on Unix
        p.waitFor(30, TimeUnit.SECONDS);
        int committed = Files.exists(log) ? Files.readAllLines(log).size() : 0;
        System.out.println("killed while alive: " + wasAlive + ", epochs in the log at the kill: " + committed
);
        assertTrue(Files.exists(killed.resolve(TrainingRun.RUN)), "the child must have started: "
                + Files.readString(tmp.resolve("child.log")));

        TrainingRun.train(config, data, killed, TrainingRun.Start.RESUME, TrainingListener.NONE);
        assertArrayEquals(ResumeTest.lastWeights(whole), ResumeTest.lastWeights(killed));
        assertEquals(ResumeTest.validation(whole), ResumeTest.validation(killed));
    }
}

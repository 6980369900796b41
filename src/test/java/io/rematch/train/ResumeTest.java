package io.rematch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.DatasetFolder;
import io.rematch.data.Mismatch;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped in the middle of an epoch and resumed ends with the same bits as a run that was
 * never stopped: weights, optimiser, every random stream (shuffling, negatives, key points, the
 * L2RM queue) and the metrics of every epoch. Leftovers of a killed process (a half-written
 * checkpoint folder, a log line of an uncommitted epoch) do not change that; a corrupt
 * checkpoint or another configuration is refused.
 */
class ResumeTest {

    @TempDir
    Path tmp;

    static final class Stop extends RuntimeException {
        Stop() {
            super("stopped by the test");
        }
    }

    /** Throws at {@code batch} of {@code epoch}: a kill in the middle of an epoch. */
    static TrainingListener stopAt(int epoch, int batch) {
        return new TrainingListener() {
            @Override
            public void batchEnded(int e, int b, double loss) {
                if (e == epoch && b == batch) {
                    throw new Stop();
                }
            }
        };
    }

    static DatasetFolder data() {
        return TrainingFixtures.synthetic(300, 12, 10, 6, 3);
    }

    private void resumesBitForBit(TrainingConfig config, int stopEpoch) throws IOException {
        resumesBitForBit(config, stopEpoch, () -> io.rematch.backend.Backend.open(io.rematch.backend.BackendChoice.CPU,
                null), tmp);
    }

    private void resumesBitForBit(TrainingConfig config, int stopEpoch,
                                  java.util.function.Supplier<io.rematch.backend.Backend> backends, Path root)
            throws IOException {
        DatasetFolder data = data();
        Path whole = root.resolve("whole");
        Path stopped = root.resolve("stopped");
        TrainingRun.Result a;
        try (io.rematch.backend.Backend backend = backends.get()) {
            a = TrainingRun.train(config, data, whole, TrainingRun.Start.NEW, TrainingListener.NONE, backend);
        }
        try (io.rematch.backend.Backend backend = backends.get()) {
            assertThrows(Stop.class, () -> TrainingRun.train(config, data, stopped, TrainingRun.Start.NEW,
                    stopAt(stopEpoch, 3), backend));
        }
        // What a kill during the next commit leaves: a half-written folder, a log line of no checkpoint.
        Path leftover = stopped.resolve(TrainingRun.folder(stopEpoch) + ".tmp");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("weights.npy"), "partial");
        Files.createDirectories(stopped.resolve(TrainingRun.folder(stopEpoch)));
        Files.writeString(stopped.resolve(TrainingRun.LOG), "{\"epoch\": " + (stopEpoch + 1) + ", \"phase\": \"x\"}\n",
                StandardOpenOption.APPEND);
        TrainingRun.Result b;
        try (io.rematch.backend.Backend backend = backends.get()) {
            b = TrainingRun.train(config, data, stopped, TrainingRun.Start.RESUME, TrainingListener.NONE, backend);
        }

        assertArrayEquals(lastWeights(whole), lastWeights(stopped), "final weights differ after resuming");
        assertEquals(validation(whole), validation(stopped), "per-epoch validation differs after resuming");
        assertEquals(a.testBest(), b.testBest());
        assertEquals(a.testLast(), b.testLast());
        assertEquals(a.bestEpoch(), b.bestEpoch());
        assertEquals(config.totalEpochs(), validation(stopped).size());
        assertTrue(Files.notExists(leftover), "the half-written checkpoint must be gone");
    }

    @Test
    void rclWithRandomNegativesResumesBitForBit() throws IOException {
        resumesBitForBit(TrainingFixtures.tiny("rcl", 0, 4).withNegatives("ratio:0.5")
                .withMismatch(0.4, Mismatch.Protocol.IMAGE), 2);
    }

    @Test
    void float32ResumesBitForBit() throws IOException {
        resumesBitForBit(TrainingFixtures.tiny("rcl", 0, 3).withPrecision(io.rematch.model.Precision.FLOAT32)
                .withMismatch(0.4, Mismatch.Protocol.IMAGE), 1);
    }

    @Test
    void nlResumesBitForBit() throws IOException {
        resumesBitForBit(TrainingFixtures.tiny("rcl", 0, 3).withLoss("nl")
                .withMismatch(0.4, Mismatch.Protocol.CAPTION), 1);
    }

    @Test
    void l2rmResumesBitForBitInsideItsRematchingPhase() throws IOException {
        resumesBitForBit(TrainingFixtures.tiny("l2rm", 1, 3).withMismatch(0.5, Mismatch.Protocol.IMAGE), 2);
    }

    @Test
    void hybridWithTheEquivariantCostResumesBitForBit() throws IOException {
        resumesBitForBit(TrainingFixtures.tiny("hybrid", 1, 2).withCost("elementwise")
                .withMismatch(0.5, Mismatch.Protocol.IMAGE), 2);
    }

    /**
     * On an OpenCL device the weights and Adam's moments live on the device between steps; the
     * checkpoints hold what the host reads back, so a resumed device run ends with the same bits.
     */
    @Test
    void onTheDeviceRclAndL2rmResumeBitForBit() throws IOException {
        io.rematch.opencl.OpenClTesting.device();
        List<String> warnings = new ArrayList<>();
        java.util.function.Supplier<io.rematch.backend.Backend> opencl = () -> io.rematch.backend.Backend.open(
                io.rematch.backend.BackendChoice.OPENCL, warnings::add);
        resumesBitForBit(TrainingFixtures.tiny("rcl", 0, 3).withMismatch(0.4, Mismatch.Protocol.IMAGE), 1, opencl,
                tmp.resolve("rcl"));
        resumesBitForBit(TrainingFixtures.tiny("l2rm", 1, 3).withMismatch(0.5, Mismatch.Protocol.IMAGE), 2, opencl,
                tmp.resolve("l2rm"));
        assertTrue(warnings.isEmpty(), "no device failure: " + warnings);
        String log = Files.readString(tmp.resolve("l2rm").resolve("stopped").resolve(TrainingRun.LOG));
        assertTrue(log.contains("\"training_backend\": \"opencl\""), log);
    }

    @Test
    void aSecondRunOfTheSameSeedIsIdentical() throws IOException {
        TrainingConfig c = TrainingFixtures.tiny("rcl", 0, 2).withMismatch(0.3, Mismatch.Protocol.IMAGE);
        TrainingRun.train(c, data(), tmp.resolve("a"), TrainingRun.Start.NEW, TrainingListener.NONE);
        TrainingRun.train(c, data(), tmp.resolve("b"), TrainingRun.Start.NEW, TrainingListener.NONE);
        assertArrayEquals(lastWeights(tmp.resolve("a")), lastWeights(tmp.resolve("b")));
        TrainingRun.train(c.withSeed(12), data(), tmp.resolve("c"), TrainingRun.Start.NEW, TrainingListener.NONE);
        assertTrue(!java.util.Arrays.equals(lastWeights(tmp.resolve("a")), lastWeights(tmp.resolve("c"))),
                "another seed must give other weights");
    }

    @Test
    void aFolderHoldingARunIsRefusedUnlessResumedOrForced() throws IOException {
        TrainingConfig c = TrainingFixtures.tiny("rcl", 0, 1);
        Path out = tmp.resolve("run");
        TrainingRun.train(c, data(), out, TrainingRun.Start.NEW, TrainingListener.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.train(c, data(), out, TrainingRun.Start.NEW, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("already holds a run") && e.getMessage().contains("--resume")
                && e.getMessage().contains("--force"), e.getMessage());
        TrainingRun.train(c, data(), out, TrainingRun.Start.FORCE, TrainingListener.NONE);
        assertEquals(1, validation(out).size());
    }

    @Test
    void resumingWithAnotherConfigurationIsRefusedNamingTheDifference() throws IOException {
        TrainingConfig c = TrainingFixtures.tiny("rcl", 0, 2);
        Path out = tmp.resolve("run");
        assertThrows(Stop.class, () -> TrainingRun.train(c, data(), out, TrainingRun.Start.NEW, stopAt(1, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.train(
                c.withLoss("infonce"), data(), out, TrainingRun.Start.RESUME, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("loss ccl-log -> infonce"), e.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> TrainingRun.train(c,
                TrainingFixtures.synthetic(300, 12, 10, 6, 4), out, TrainingRun.Start.RESUME, TrainingListener.NONE));
        assertTrue(other.getMessage().contains("differs from the data"), other.getMessage());
        // More epochs are allowed: a run may be extended.
        TrainingRun.train(c.withEpochs(3, 0), data(), out, TrainingRun.Start.RESUME, TrainingListener.NONE);
        assertEquals(3, validation(out).size());
    }

    @Test
    void aCorruptOrPartialCheckpointIsRefusedNeverHalfLoaded() throws IOException {
        TrainingConfig c = TrainingFixtures.tiny("rcl", 0, 3);
        Path out = tmp.resolve("run");
        assertThrows(Stop.class, () -> TrainingRun.train(c, data(), out, TrainingRun.Start.NEW, stopAt(2, 0)));
        Path weights = out.resolve(TrainingRun.folder(1)).resolve("weights.npy");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.train(c, data(), out, TrainingRun.Start.RESUME, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("weights.npy"), e.getMessage());
        Files.delete(weights);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.train(c, data(), out, TrainingRun.Start.RESUME, TrainingListener.NONE));
        assertTrue(missing.getMessage().contains("incomplete") && missing.getMessage().contains("weights.npy"),
                missing.getMessage());
    }

    static double[] lastWeights(Path run) throws IOException {
        JsonFields p = new JsonFields(Json.parseObject(Files.readString(run.resolve(TrainingRun.POINTER)), "pointer"),
                "pointer");
        return Checkpoint.read(run.resolve(p.string("last"))).array("weights",
                io.rematch.io.Npy.shape(run.resolve(p.string("last")).resolve("weights.npy"))[0]);
    }

    /** The validation object of every log line, in order. */
    static List<Object> validation(Path run) throws IOException {
        List<Object> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(TrainingRun.LOG))) {
            Map<String, Object> m = Json.parseObject(line, "log");
            out.add(List.of(m.get("epoch"), m.get("validation"), m.get("lr"),
                    m.entrySet().stream().filter(x -> x.getKey().startsWith("loss_") || x.getKey().startsWith("split")
                            || x.getKey().startsWith("rematch")).map(Object::toString).toList()));
        }
        return out;
    }
}

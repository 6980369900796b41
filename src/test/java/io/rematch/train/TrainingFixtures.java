package io.rematch.train;

import io.rematch.data.DatasetFolder;
import io.rematch.data.SyntheticData;
import io.rematch.model.EncoderSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small synthetic datasets and configurations the training tests share. */
final class TrainingFixtures {

    private TrainingFixtures() {
    }

    /** A synthetic dataset under {@code target/test-data}, written once per JVM and shape. */
    static synchronized DatasetFolder synthetic(int images, int dv, int dt, int clusters, long seed) {
        Path dir = Path.of("target", "test-data", "synthetic-" + images + "-" + dv + "x" + dt + "-" + clusters + "-" + seed);
        try {
            if (!Files.isRegularFile(dir.resolve("synthetic.json"))) {
                new SyntheticData(images, 5, dv, dt, clusters, seed).write(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DatasetFolder.open(dir, "--data");
    }

    /** A tiny, fast configuration: MLP 16 -> 8 towers, batch 32, lr 1e-3 decayed every 2 epochs. */
    static TrainingConfig tiny(String method, int warmup, int epochs) {
        return TrainingConfig.defaults(method).withEpochs(epochs, warmup).withOptimiser(32, 1e-3, 2)
                .withEncoder(new EncoderSpec("mlp", new int[] {16}, 8)).withSeed(11);
    }
}

package io.rematch.train;

import io.rematch.data.TfIdf;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.model.TwoTower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model read back from a run folder: its configuration, its weights (the
 * best-validation checkpoint, or a given {@code epoch-NNNN} folder) and, when it was trained on
 * text captions, its vocabulary.
 *
 * @param model      the two towers with the checkpoint's weights
 * @param config     the run's configuration
 * @param vocabulary the TF-IDF vocabulary, or {@code null} for caption vectors
 * @param checkpoint the folder the weights came from
 * @param dims       the image and text feature widths the towers take
 */
public record TrainedModel(TwoTower model, TrainingConfig config, TfIdf vocabulary, Path checkpoint, int[] dims) {

    /**
     * Loads {@code dir}: a run folder (its best checkpoint) or one of its {@code epoch-NNNN} folders.
     *
     * @param option how messages name the folder, e.g. {@code --model}
     * @throws IllegalArgumentException naming {@code option} when the folder holds no trained model
     *                                  or a corrupt one
     */
    public static TrainedModel load(Path dir, String option) throws IOException {
        Path run = dir;
        Path checkpoint;
        if (Files.isRegularFile(dir.resolve(Checkpoint.STATE)) && dir.getParent() != null
                && Files.isRegularFile(dir.getParent().resolve(TrainingRun.RUN))) {
            run = dir.getParent();
            checkpoint = dir;
        } else {
            Path pointer = dir.resolve(TrainingRun.POINTER);
            if (!Files.isRegularFile(dir.resolve(TrainingRun.RUN)) || !Files.isRegularFile(pointer)) {
                throw new IllegalArgumentException(option + " " + dir + " holds no trained model: expected a run folder"
                        + " of 'rematch train' (run.json, checkpoint.json) or one of its epoch-NNNN folders");
            }
            JsonFields p = new JsonFields(Json.parseObject(Files.readString(pointer), pointer.toString()),
                    pointer.toString());
            checkpoint = dir.resolve(p.string("best"));
        }
        Path runFile = run.resolve(TrainingRun.RUN);
        JsonFields r = new JsonFields(Json.parseObject(Files.readString(runFile), runFile.toString()),
                runFile.toString());
        TrainingConfig config = TrainingConfig.fromJson(r.object("config"), runFile.toString());
        JsonFields shape = new JsonFields(r.object("model"), runFile.toString());
        int[] dims = {shape.integer("image_dims"), shape.integer("text_dims")};
        TwoTower model = new TwoTower(dims[0], dims[1], config.encoder(), config.precision(),
                new Streams(config.seed()).get("init"));
        double[] w = Checkpoint.read(checkpoint).array("weights", model.parameters().size());
        System.arraycopy(w, 0, model.parameters().values(), 0, w.length);
        model.parameters().valuesChanged();
        Path vocabulary = run.resolve(TrainingRun.VOCABULARY);
        TfIdf v = Files.isRegularFile(vocabulary) ? TfIdf.read(vocabulary) : null;
        return new TrainedModel(model, config, v, checkpoint, dims);
    }
}

package io.rematch.train;

import io.rematch.backend.Backend;
import io.rematch.backend.CpuBackend;
import io.rematch.data.Dataset;
import io.rematch.data.Mismatch;
import io.rematch.data.NoiseIndex;
import io.rematch.data.Split;
import io.rematch.data.TfIdf;
import io.rematch.eval.RecallSummary;
import io.rematch.eval.TieRule;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.model.TwoTower;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run in a folder: the epoch loop around a {@link Trainer}, validation on the dev
 * split after every epoch, the log, checkpoints that resume bit for bit, and the final test of
 * the best-validation and the last epoch.
 *
 * <p>The folder ({@code docs/training.md} documents it):
 * <pre>
 * run.json          the configuration, the data folder and its fingerprint (written first)
 * log.jsonl         one JSON object per completed epoch
 * epoch-0007/       a checkpoint: weights.npy, adam_m.npy, adam_v.npy, state.json
 * checkpoint.json   which checkpoint is the last and which the best (written last: the commit)
 * noise_index_l2rm.npy, noise_index_rcl.npy   the injected pairing, in both official formats
 * vocabulary.tsv    the TF-IDF vocabulary, when the captions are text
 * results.json      test recalls of the best-validation and the last epoch
 * </pre>
 * An epoch's checkpoint folder is written under a temporary name and renamed, then the log, then
 * {@code checkpoint.json}; a kill at any moment leaves the previous epoch's state intact, and
 * {@link Start#RESUME} continues from it. Older checkpoints than the last and the best are deleted.
 */
public final class TrainingRun {

    /** How to treat an existing run in the output folder. */
    public enum Start {
        /** Refuse a folder that holds a run. */
        NEW,
        /** Replace the run's files (only those). */
        FORCE,
        /** Continue from its last committed epoch (a new run if none was committed). */
        RESUME
    }

    /**
     * What the run achieved.
     *
     * @param bestEpoch      0-based epoch of the best validation rsum
     * @param bestValidation its dev recalls
     * @param lastValidation the last epoch's dev recalls
     * @param testBest       test recalls of the best-validation checkpoint
     * @param testLast       test recalls after the last epoch
     * @param injection      the training pairs' mismatches
     * @param records        every epoch's record of this process (resumed epochs are in the log only)
     * @param testBackend    where the test similarities were computed ({@link Backend#ranOn})
     * @param validationBackends where the run's validations were, each once (resumed epochs included)
     * @param trainingBackends   where the run's training steps were, likewise
     */
    public record Result(int bestEpoch, RecallSummary bestValidation, RecallSummary lastValidation,
                         RecallSummary testBest, RecallSummary testLast, Mismatch.Injection injection,
                         List<EpochRecord> records, String testBackend, List<String> validationBackends,
                         List<String> trainingBackends) {

        /** The final table: test recalls at the best-validation and the last epoch. */
        public String table() {
            return RecallSummary.header() + "\n" + testBest.row("best (epoch " + (bestEpoch + 1) + ")") + "\n"
                    + testLast.row("last epoch") + "\n";
        }
    }

    public static final String RUN = "run.json";
    public static final String POINTER = "checkpoint.json";
    public static final String LOG = "log.jsonl";
    public static final String RESULTS = "results.json";
    public static final String VOCABULARY = "vocabulary.tsv";
    public static final String NOISE_L2RM = "noise_index_l2rm.npy";
    public static final String NOISE_RCL = "noise_index_rcl.npy";
    /** The pessimistic tie rule everywhere: a degenerate model cannot score well. */
    static final TieRule TIES = TieRule.PESSIMISTIC;

    private TrainingRun() {
    }

    /**
     * Trains {@code config} on {@code data} into {@code out}.
     *
     * @throws IllegalArgumentException naming the option at fault: an output folder holding another
     *                                  run ({@code --out}), a resume with another configuration or
     *                                  dataset, bad data, a corrupt checkpoint
     */
    public static Result train(TrainingConfig config, Dataset data, Path out, Start start,
                               TrainingListener listener) throws IOException {
        try (Backend cpu = new CpuBackend()) {
            return train(config, data, out, start, listener, cpu);
        }
    }

    /**
     * As {@link #train(TrainingConfig, Dataset, Path, Start, TrainingListener)}, with the
     * validation and test similarity matrices computed by {@code backend}, and the training steps'
     * tower products, clipping and Adam too ({@link Backend#trainOn}: on an OpenCL device in float32,
     * the loss on the host; a device run's numbers differ from a CPU run's by float32's rounding). On an
     * OpenCL device the matrices are float32, so two captions whose scores float32
     * cannot tell apart tie, and the tie rule ranks them; the recalls, and with them the choice of
     * the best epoch, can then differ from a CPU run's. Each log line names where its validation
     * ran ({@code validation_backend}), {@code results.json} where the tests ran
     * ({@code test_backend}) and every backend the run's validations used ({@code validation_backends});
     * likewise {@code training_backend} and {@code training_backends} for the steps.
     */
    public static Result train(TrainingConfig config, Dataset data, Path out, Start start,
                               TrainingListener listener, Backend backend) throws IOException {
        io.rematch.check.Checks.present("backend", backend);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the run");
        }
        Path runFile = out.resolve(RUN);
        boolean exists = Files.isRegularFile(runFile);
        if (!exists && start != Start.FORCE && holdsRunFiles(out)) {
            throw new IllegalArgumentException("--out " + out + " holds files a run writes (" + String.join(", ",
                    runFilesIn(out)) + ") but no " + RUN + "; give an empty or new folder, or --force to replace them");
        }
        if (exists && start == Start.NEW) {
            throw new IllegalArgumentException("--out " + out + " already holds a run (" + RUN + "); add --resume to"
                    + " continue it or --force to replace it");
        }
        if (start == Start.RESUME && !exists) {
            throw new IllegalArgumentException("--resume: " + out + " holds no run (" + RUN + " is missing)");
        }
        String fingerprint = data.fingerprint();
        if (start == Start.RESUME) {
            checkSameRun(out, config, data, fingerprint);
        } else if ((exists || start == Start.FORCE) && Files.isDirectory(out)) {
            deleteRunFiles(out);
        }
        Split train = data.split("train");
        Split dev = sameWidths(train, data.split("dev"));
        Split test = sameWidths(train, data.split("test"));   // read now: a missing test split fails before training
        TfIdf vocabulary = data.vocabulary();
        Streams streams = new Streams(config.seed());
        Mismatch.Injection injection = config.noiseIndex() != null
                ? NoiseIndex.read(Path.of(config.noiseIndex()), train, "--noise-index")
                : Mismatch.inject(train, config.mismatch(), config.protocol(), streams.get("injection"));
        TwoTower model = new TwoTower(train.images().cols(), train.captions().cols(), config.encoder(),
                config.precision(), streams.get("init"));
        Trainer trainer = Trainers.create(config, model, train, injection, streams);

        int first = 0;
        int bestEpoch = -1;
        double bestRsum = Double.NEGATIVE_INFINITY;
        RecallSummary bestValidation = null;
        RecallSummary lastValidation = null;
        List<String> log = new ArrayList<>();
        Path pointer = out.resolve(POINTER);
        if (start == Start.RESUME && Files.isRegularFile(pointer)) {
            JsonFields p = new JsonFields(Json.parseObject(Files.readString(pointer), pointer.toString()),
                    pointer.toString());
            Checkpoint last;
            try {
                last = Checkpoint.read(out.resolve(p.string("last")));
                trainer.restore(last);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--resume: " + e.getMessage(), e);
            }
            Map<String, Long> states = new LinkedHashMap<>();
            for (String name : Streams.NAMES) {
                states.put(name, last.getLong("stream_" + name));
            }
            streams.restore(states);
            first = p.integer("epoch");          // the 1-based last epoch = the 0-based next one
            bestEpoch = p.integer("best_epoch") - 1;
            bestRsum = p.number("best_rsum");
            bestValidation = summary(p.object("best_validation"), pointer);
            lastValidation = summary(p.object("last_validation"), pointer);
            log = committedLog(out.resolve(LOG), first);
            if (first > config.totalEpochs()) {
                throw new IllegalArgumentException("--epochs " + config.epochs() + ": the run in " + out
                        + " has already trained " + first + " epochs (warm-up included); resume with --epochs "
                        + (first - config.warmup()) + " or more");
            }
        }

        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + ": cannot create the folder (" + e.getClass()
                    .getSimpleName().replace("Exception", "") + ": " + e.getMessage() + ")", e);
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("config", config.toMap());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("path", data.dir().toAbsolutePath().normalize().toString());
        d.put("fingerprint", fingerprint);
        run.put("data", d);
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("image_dims", model.imageDims());
        shape.put("text_dims", model.textDims());
        shape.put("parameters", model.parameters().size());
        run.put("model", shape);
        Checkpoint.writeText(runFile, Json.write(run) + "\n");
        if (vocabulary != null) {
            vocabulary.write(out.resolve(VOCABULARY));
        }
        NoiseIndex.write(out.resolve(NOISE_L2RM), injection, NoiseIndex.Format.L2RM);
        if (injection.imageMap() != null) {
            NoiseIndex.write(out.resolve(NOISE_RCL), injection, NoiseIndex.Format.RCL);
        }
        listener.note("data: " + train + "; " + dev);
        if (start == Start.RESUME && first == 0) {
            listener.note("no epoch of the run in " + out + " was committed yet: starting from the first");
        }
        if (first > 0 && first == config.totalEpochs()) {
            listener.note("the run is complete (" + first + (first == 1 ? " epoch" : " epochs")
                    + "); testing its best and last epochs again");
        } else if (first > 0) {
            listener.note("resumed after epoch " + first + " of " + config.totalEpochs() + " (best so far: epoch "
                    + (bestEpoch + 1) + ", rsum " + String.format(Locale.ROOT, "%.2f", bestRsum) + ")");
        }
        listener.note(String.format(Locale.ROOT, "mismatched training pairs: %d of %d (%.2f%%%s)",
                injection.mismatched(), train.pairCount(), 100 * injection.realisedRate(),
                config.noiseIndex() != null ? ", from " + config.noiseIndex()
                        : ", " + config.protocol().spelling() + " protocol, requested " + config.mismatch()));

        List<EpochRecord> records = new ArrayList<>();
        try (Backend.Training steps = backend.trainOn(model)) {
            if (model.stepsOnDevice() && first < config.totalEpochs()) {
                listener.note("training steps on " + backend.describe() + ": the towers' products and Adam in float32,"
                        + " the loss on the host");
            }
            for (int epoch = first; epoch < config.totalEpochs(); epoch++) {
                boolean warm = epoch < config.warmup();
                double lr = warm ? config.learningRate() : config.learningRateAt(epoch - config.warmup());
                listener.epochStarted(epoch, config.totalEpochs(), train.pairCount() / config.batch());
                long t0 = System.nanoTime();
                boolean stepsOnDevice = model.stepsOnDevice();
                Trainer.EpochResult r = trainer.trainEpoch(epoch, lr, listener);
                double seconds = (System.nanoTime() - t0) * 1e-9;
                String trainedOn = !stepsOnDevice ? "cpu" : model.stepsOnDevice() ? backend.name()
                        : backend.name() + ", then cpu";
                boolean failedBefore = backend.failed();
                RecallSummary validation = RecallSummary.of(Evaluation.evaluate(model, dev, TIES, backend));
                String validatedOn = backend.ranOn(failedBefore);
                boolean improved = validation.rsum() > bestRsum;
                if (improved) {
                    bestRsum = validation.rsum();
                    bestEpoch = epoch;
                    bestValidation = validation;
                }
                lastValidation = validation;
                EpochRecord record = new EpochRecord(epoch, warm ? "warmup" : "train", lr, r.losses(), seconds,
                        r.pairs() / Math.max(seconds, 1e-9), validation, r.diagnostics(), improved, validatedOn,
                        trainedOn);
                records.add(record);
                log.add(Json.write(record.toMap()));
                commit(out, trainer, streams, epoch, bestEpoch, bestRsum, bestValidation, lastValidation, log);
                listener.epochEnded(record);
            }
        }

        JsonFields p = new JsonFields(Json.parseObject(Files.readString(pointer), pointer.toString()),
                pointer.toString());
        boolean failedBefore = backend.failed();
        RecallSummary testLast = RecallSummary.of(Evaluation.evaluate(model, test, TIES, backend));
        TwoTower best = new TwoTower(model.imageDims(), model.textDims(), config.encoder(), config.precision(),
                new Streams(0).get("init"));
        double[] w = Checkpoint.read(out.resolve(p.string("best"))).array("weights", best.parameters().size());
        System.arraycopy(w, 0, best.parameters().values(), 0, w.length);
        best.parameters().valuesChanged();
        RecallSummary testBest = RecallSummary.of(Evaluation.evaluate(best, test, TIES, backend));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("best_epoch", bestEpoch + 1);
        results.put("best_validation", bestValidation.toMap());
        results.put("last_validation", lastValidation.toMap());
        results.put("test_best", testBest.toMap());
        results.put("test_last", testLast.toMap());
        results.put("mismatched_pairs", injection.mismatched());
        results.put("mismatch_realised", injection.realisedRate());
        String testBackend = backend.ranOn(failedBefore);
        List<String> validationBackends = validationBackends(log);
        results.put("test_backend", testBackend);
        results.put("validation_backends", validationBackends);
        List<String> trainingBackends = backends(log, "training_backend");
        results.put("training_backends", trainingBackends);
        Checkpoint.writeText(out.resolve(RESULTS), Json.write(results) + "\n");
        return new Result(bestEpoch, bestValidation, lastValidation, testBest, testLast, injection, records,
                testBackend, validationBackends, trainingBackends);
    }

    /**
     * Where the log's validations ran, each once, in the order first met (a run resumed on another
     * backend lists both; a log written before the backend was recorded counts as {@code cpu}).
     */
    static List<String> validationBackends(List<String> log) {
        return backends(log, "validation_backend");
    }

    /** The values of {@code key} in the log, each once, in order; a line without it counts as {@code cpu}. */
    static List<String> backends(List<String> log, String key) {
        java.util.LinkedHashSet<String> where = new java.util.LinkedHashSet<>();
        for (String line : log) {
            Object v = Json.parseObject(line, LOG).get(key);
            where.add(v instanceof String w ? w : "cpu");
        }
        return new ArrayList<>(where);
    }

    /** {@code split}, if its feature widths are the training split's. */
    static Split sameWidths(Split train, Split split) {
        if (split.images().cols() != train.images().cols()) {
            throw new IllegalArgumentException(split.name() + "_ims.npy has " + split.images().cols()
                    + "-d features but train_ims.npy has " + train.images().cols() + "-d; every split needs the same width");
        }
        if (split.captions().cols() != train.captions().cols()) {
            throw new IllegalArgumentException("the " + split.name() + " captions have " + split.captions().cols()
                    + "-d features but the train captions have " + train.captions().cols()
                    + "-d; every split needs the same width");
        }
        return split;
    }

    /** Checkpoint folder, then log, then pointer; then the checkpoints nobody points to go. */
    private static void commit(Path out, Trainer trainer, Streams streams, int epoch, int bestEpoch, double bestRsum,
                               RecallSummary bestValidation, RecallSummary lastValidation, List<String> log)
            throws IOException {
        Checkpoint c = new Checkpoint();
        trainer.save(c);
        streams.states().forEach((k, v) -> c.putLong("stream_" + k, v));
        c.putLong("epoch", epoch + 1);
        String name = folder(epoch);
        Path dir = out.resolve(name);
        Checkpoint.deleteTree(dir);   // a folder of this name can only be a leftover of a killed run
        c.write(dir);
        Checkpoint.writeText(out.resolve(LOG), log.isEmpty() ? "" : String.join("\n", log) + "\n");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("epoch", epoch + 1);          // 1-based, as the folder names and the log
        p.put("last", name);
        p.put("best_epoch", bestEpoch + 1);
        p.put("best", folder(bestEpoch));
        p.put("best_rsum", bestRsum);
        p.put("best_validation", bestValidation.toMap());
        p.put("last_validation", lastValidation.toMap());
        Checkpoint.writeText(out.resolve(POINTER), Json.write(p) + "\n");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out, "epoch-*")) {
            for (Path f : s) {
                String n = f.getFileName().toString();
                if (!n.equals(name) && !n.equals(folder(bestEpoch))) {
                    Checkpoint.deleteTree(f);
                }
            }
        }
    }

    static String folder(int epoch) {
        return String.format(Locale.ROOT, "epoch-%04d", epoch + 1);
    }

    private static RecallSummary summary(Map<String, Object> m, Path source) {
        JsonFields f = new JsonFields(m, source.toString());
        return new RecallSummary(f.number("i2t_r1"), f.number("i2t_r5"), f.number("i2t_r10"), f.number("t2i_r1"),
                f.number("t2i_r5"), f.number("t2i_r10"), f.number("rsum"));
    }

    /** The log lines of epochs {@code < first} (1-based epochs {@code <= first}): a killed epoch's line goes. */
    private static List<String> committedLog(Path log, int first) throws IOException {
        List<String> kept = new ArrayList<>();
        if (!Files.isRegularFile(log)) {
            return kept;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            int e = new JsonFields(Json.parseObject(line, log.toString()), log.toString()).integer("epoch");
            if (e <= first) {
                kept.add(line);
            }
        }
        return kept;
    }

    private static void checkSameRun(Path out, TrainingConfig config, Dataset data, String fingerprint)
            throws IOException {
        Path runFile = out.resolve(RUN);
        JsonFields run = new JsonFields(Json.parseObject(Files.readString(runFile), runFile.toString()),
                runFile.toString());
        TrainingConfig before = TrainingConfig.fromJson(run.object("config"), runFile.toString());
        List<String> differ = new ArrayList<>(before.differences(config));
        differ.remove("epochs");   // a run may be extended
        if (!differ.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (String k : differ) {   // run.json's keys are the options' names: lr_decay_every, --lr-decay-every
                parts.add("--" + k.replace('_', '-') + " " + spelled(before.toMap().get(k)) + " -> "
                        + spelled(config.toMap().get(k)));
            }
            throw new IllegalArgumentException("--resume: " + out + " holds a run with another configuration ("
                    + String.join(", ", parts) + "); resume with the same options, or use --force to start over");
        }
        String was = new JsonFields(run.object("data"), runFile.toString()).string("fingerprint");
        if (!was.equals(fingerprint)) {
            throw new IllegalArgumentException("--resume: the data in " + data.dir() + " differs from the data the run"
                    + " in " + out + " was trained on (fingerprint " + was.substring(0, 12) + "... -> "
                    + fingerprint.substring(0, 12) + "...)");
        }
    }

    private static String spelled(Object v) {
        return v instanceof Map || v instanceof List ? Json.write(v) : String.valueOf(v);
    }

    private static boolean holdsRunFiles(Path out) throws IOException {
        return !runFilesIn(out).isEmpty();
    }

    /** The names in {@code out} that a run writes (its files and epoch folders). */
    private static List<String> runFilesIn(Path out) throws IOException {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(out)) {
            return found;
        }
        for (String f : List.of(POINTER, LOG, RESULTS, VOCABULARY, NOISE_L2RM, NOISE_RCL)) {
            if (Files.exists(out.resolve(f))) {
                found.add(f);
            }
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out, "epoch-[0-9][0-9][0-9][0-9]*")) {
            for (Path f : s) {
                found.add(f.getFileName().toString());
            }
        }
        return found;
    }

    private static void deleteRunFiles(Path out) throws IOException {
        for (String f : List.of(RUN, POINTER, LOG, RESULTS, VOCABULARY, NOISE_L2RM, NOISE_RCL)) {
            Files.deleteIfExists(out.resolve(f));
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out, "epoch-[0-9][0-9][0-9][0-9]*")) {
            for (Path f : s) {   // every epoch-NNNN folder: a run commits into these names
                Checkpoint.deleteTree(f);
            }
        }
    }
}

package io.rematch.cli;

import io.rematch.data.Dataset;
import io.rematch.data.Mismatch;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.model.EncoderSpec;
import io.rematch.model.Precision;
import io.rematch.numeric.Mode;
import io.rematch.train.EpochRecord;
import io.rematch.train.TrainingConfig;
import io.rematch.train.TrainingListener;
import io.rematch.train.TrainingRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch train}: trains a two-tower retrieval model on a dataset folder with mismatched pairs. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch train --data=DIR --out=DIR [--method=rcl|l2rm|hybrid] [OPTIONS]"},
        description = {"Train image and text encoders on image-text data whose training pairs are partly "
                + "mismatched (precomputed features, or the emoji set), select the best epoch on the dev split and test it.",
                "",
                "Mismatches are injected with --mismatch R (or read from an official --noise-index file); the true "
                        + "pairing is kept for analysis only. Each epoch is validated, logged to DIR/log.jsonl and "
                        + "checkpointed; --resume continues a stopped run bit for bit. See docs/training.md."})
final class TrainCommand extends Subcommand {

    @Option(names = "--data", paramLabel = "DIR", order = 1,
            description = "The dataset folder (docs/data.md): precomputed features, or an emoji folder such as "
                    + "data-small/emoji. Optional with --resume: the run's own.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", order = 2,
            description = "The run folder: checkpoints, log.jsonl, results.json.")
    Path out;

    @Option(names = "--method", paramLabel = "M", order = 3,
            description = "rcl (RCL's losses), l2rm (rematching by partial OT) or hybrid (default: rcl).")
    String method;

    @Option(names = "--loss", paramLabel = "NAME", order = 4,
            description = "The loss of rcl, and of the hybrid's warm-up and clean pairs: ccl-log, ccl-exp, "
                    + "ccl-gce, ccl-tan, ccl-mae, infonce, tr, tr-hn, nl (default: ccl-log). l2rm's is fixed: tr-hn.")
    String loss;

    @Option(names = "--negatives", paramLabel = "SPEC", order = 5,
            description = "Negatives of the ccl losses: all, ratio:R or single (default: all).")
    String negatives;

    @Option(names = "--mismatch", paramLabel = "R", order = 6,
            description = "Fraction of training pairs to mismatch, in [0, 1) (default: 0).")
    Double mismatch;

    @Option(names = "--noise-index", paramLabel = "FILE", order = 7,
            description = "An official noise-index file instead of --mismatch: RCL's noise_inx (one image per image) "
                    + "or L2RM's (one image per caption).")
    Path noiseIndex;

    @Option(names = "--protocol", paramLabel = "P", order = 8,
            description = "image (whole images with their captions, RCL's) or caption (NCR's) (default: image).")
    String protocol;

    @Option(names = "--epochs", paramLabel = "N", order = 9,
            description = "Epochs after the warm-up (default: 30; l2rm 35, hybrid 25).")
    Integer epochs;

    @Option(names = "--warmup", paramLabel = "N", order = 10,
            description = "Warm-up epochs on all pairs before the split: RCE for l2rm, --loss for hybrid "
                    + "(default: 0; l2rm and hybrid 5).")
    Integer warmup;

    @Option(names = "--batch", paramLabel = "B", order = 11, description = "Pairs per batch (default: 128).")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", order = 12, description = "Adam's learning rate (default: 2e-4).")
    Double lr;

    @Option(names = "--lr-decay-every", paramLabel = "E", order = 13,
            description = "Multiply the learning rate by 0.1 every E epochs (default: 15).")
    Integer lrDecayEvery;

    @Option(names = "--tau", paramLabel = "T", order = 14, description = "Softmax temperature (default: 0.05).")
    Double tau;

    @Option(names = "--margin", paramLabel = "M", order = 15, description = "Triplet margin (default: 0.2).")
    Double margin;

    @Option(names = "--q", paramLabel = "Q", order = 16, description = "ccl-gce's exponent (default: 0.5).")
    Double q;

    @Option(names = "--encoder", paramLabel = "KIND", order = 17, description = "linear or mlp (default: linear).")
    String encoder;

    @Option(names = "--hidden", paramLabel = "W[,W...]", order = 18,
            description = "Hidden widths of an mlp encoder (default: 1024).")
    String hidden;

    @Option(names = "--embed", paramLabel = "D", order = 19, description = "Embedding dimension (default: 256).")
    Integer embed;

    @Option(names = "--precision", paramLabel = "P", order = 20,
            description = "float64 or float32: the towers' arithmetic (default: float64; float32 is about 1.6 times "
                    + "as fast).")
    String precision;

    @Option(names = "--clip", paramLabel = "C", order = 21, description = "Gradient-norm clipping (default: 2).")
    Double clip;

    @Option(names = "--seed", paramLabel = "S", order = 22, description = "Random seed (default: 0).")
    Long seed;

    @Option(names = "--mode", paramLabel = "MODE", order = 23,
            description = "Arithmetic of losses and solvers: stable or faithful (default: stable).")
    String mode;

    @Option(names = "--rematch-loss", paramLabel = "NAME", order = 24,
            description = "L2RM's loss on the plan: sym-kl, kl, js or soft-infonce (default: sym-kl).")
    String rematchLoss;

    @Option(names = "--rematch-weight", paramLabel = "W", order = 25,
            description = "Weight of the rematch loss in the total (default: 1, as L2RM; hybrid 0.01, see "
                    + "docs/training.md).")
    Double rematchWeight;

    @Option(names = "--reg", paramLabel = "EPS", order = 26,
            description = "Entropic regularisation of L2RM's partial OT (default: 0.07).")
    Double reg;

    @Option(names = "--mass", paramLabel = "S", order = 27,
            description = "Mass L2RM's partial OT moves (default: 0.1).")
    Double mass;

    @Option(names = "--cost", paramLabel = "KIND", order = 28,
            description = "L2RM's learnable cost: row-linear (the release's; needs queue = batch) or elementwise "
                    + "(permutation-equivariant) (default: row-linear).")
    String cost;

    @Option(names = "--cost-lr", paramLabel = "LR", order = 29,
            description = "Learning rate of the cost function (default: 2e-6).")
    Double costLr;

    @Option(names = "--split", paramLabel = "KIND", order = 30,
            description = "Clean/noisy split: beta (L2RM) or gaussian (NCR) (default: beta).")
    String split;

    static final class Restart {
        @Option(names = "--resume", description = "Continue the run in --out from its last complete epoch.")
        boolean resume;

        @Option(names = "--force", description = "Replace the run in --out.")
        boolean force;
    }

    @ArgGroup(exclusive = true, order = 31)
    Restart restart;

    @Option(names = "--json", order = 32,
            description = "Print the results as one JSON object on standard output (progress goes to standard error).")
    boolean json;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    Map<String, String> optionNames() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tau", "--tau");
        m.put("q", "--q");
        m.put("margin", "--margin");
        return m;
    }

    @Override
    int run() {
        try {
            return train();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("no such file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private int train() throws IOException {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        boolean resume = restart != null && restart.resume;
        TrainingRun.Start start = resume ? TrainingRun.Start.RESUME
                : restart != null && restart.force ? TrainingRun.Start.FORCE : TrainingRun.Start.NEW;
        TrainingConfig base;
        Path dataDir = data;
        Path runFile = out.resolve("run.json");
        if (resume && !Files.isRegularFile(runFile)) {
            throw new IllegalArgumentException("--resume: " + out + " holds no run to resume (" + (Files.isDirectory(out)
                    ? "run.json is missing" : "the folder does not exist") + ")");
        }
        if (resume) {
            JsonFields run = new JsonFields(Json.parseObject(Files.readString(runFile), runFile.toString()),
                    runFile.toString());
            base = TrainingConfig.fromJson(run.object("config"), runFile.toString());
            if (dataDir == null) {
                dataDir = Path.of(new JsonFields(run.object("data"), runFile.toString()).string("path"));
            }
        } else {
            base = TrainingConfig.defaults(method == null ? "rcl" : method);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data is missing; give the dataset folder (docs/data.md)");
        }
        TrainingConfig config = configure(base);
        Dataset folder = Dataset.open(dataDir, "--data");
        PrintWriter progress = json ? spec.commandLine().getErr() : out();
        Progress listener = new Progress(progress, System.console() != null);
        TrainingRun.Result r;
        try (io.rematch.backend.Backend backend = backendOption.open(this)) {
            try {
                r = TrainingRun.train(config, folder, out, start, listener, backend);
            } finally {
                listener.close();
            }
            BackendOption.report(this, backend, BackendOption.training(backend));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("out", out.toString());
            m.put("best_epoch", r.bestEpoch() + 1);
            m.put("mismatch_realised", r.injection().realisedRate());
            m.put("best_validation", r.bestValidation().toMap());
            m.put("test_best", r.testBest().toMap());
            m.put("test_last", r.testLast().toMap());
            m.put("test_backend", r.testBackend());
            m.put("validation_backends", r.validationBackends());
            m.put("training_backends", r.trainingBackends());
            out().println(Json.write(m));
        } else {
            out().println();
            out().println("test split, recall in %:");
            out().print(r.table());
            out().println("wrote " + out.resolve("results.json") + ", " + out.resolve("log.jsonl"));
        }
        return 0;
    }

    /** The given options over {@code base} (the method's defaults, or the run being resumed). */
    private TrainingConfig configure(TrainingConfig b) {
        String m = method != null ? method : b.method();
        if (method != null && !method.equalsIgnoreCase(b.method())) {
            b = TrainingConfig.defaults(method);
        }
        if (m.equalsIgnoreCase("rcl")) {
            for (String option : new String[] {"--warmup", "--rematch-loss", "--rematch-weight", "--reg", "--mass",
                    "--cost", "--cost-lr", "--split"}) {
                refuseIfGiven(option, "--method l2rm and hybrid", "rcl");
            }
        }
        if (m.equalsIgnoreCase("l2rm")) {
            refuseIfGiven("--loss", "--method rcl and hybrid (l2rm trains its clean pairs with tr-hn)", "l2rm");
        }
        String chosenLoss = io.rematch.loss.Losses.canonical("--loss", loss != null ? loss : b.loss());
        boolean triplet = chosenLoss.equals("tr") || chosenLoss.equals("tr-hn") || chosenLoss.equals("tr-mean");
        if (m.equalsIgnoreCase("rcl") && !triplet) {
            refuseIfGiven("--margin", "the triplet losses (tr, tr-hn) and --method l2rm and hybrid", chosenLoss);
        }
        if (m.equalsIgnoreCase("rcl") && triplet) {
            refuseIfGiven("--tau", "the softmax losses and --method l2rm and hybrid", chosenLoss);
        }
        if (noiseIndex != null || (mismatch == null && !given("--mismatch"))) {
            refuseIfGiven("--protocol", "--mismatch (a noise index fixes its own pairing)",
                    noiseIndex != null ? "--noise-index" : "a run without --mismatch");
        }
        if (!chosenLoss.equals("ccl-gce")) {
            refuseIfGiven("--q", "--loss ccl-gce", chosenLoss);
        }
        if (!chosenLoss.startsWith("ccl-")) {
            refuseIfGiven("--negatives", "the ccl-* losses", chosenLoss);
        }
        EncoderSpec e = b.encoder();
        String kind = encoder != null ? encoder : e.kind();
        int[] widths = e.hidden().length > 0 ? e.hidden() : new int[] {1024};
        if (hidden != null) {
            widths = parseWidths(hidden);
        } else if (kind.equalsIgnoreCase("linear")) {
            widths = null;
        }
        if (hidden != null && kind.equalsIgnoreCase("linear")) {
            throw new IllegalArgumentException("--hidden applies to --encoder mlp, not to linear");
        }
        EncoderSpec spec = new EncoderSpec(kind, widths, embed != null ? embed : e.embed());
        if (noiseIndex != null && mismatch != null) {
            throw new IllegalArgumentException("give --mismatch or --noise-index, not both");
        }
        return new TrainingConfig(m, loss != null ? loss : b.loss(), negatives != null ? negatives : b.negatives(),
                tau != null ? tau : b.tau(), q != null ? q : b.q(), margin != null ? margin : b.margin(),
                mismatch != null ? mismatch : noiseIndex != null ? 0.0 : b.mismatch(),
                protocol != null ? Mismatch.Protocol.parse("--protocol", protocol) : b.protocol(),
                noiseIndex != null ? noiseIndex.toAbsolutePath().normalize().toString()
                        : mismatch != null ? null : b.noiseIndex(),
                epochs != null ? epochs : b.epochs(), warmup != null ? warmup : b.warmup(),
                batch != null ? batch : b.batch(), lr != null ? lr : b.learningRate(),
                lrDecayEvery != null ? lrDecayEvery : b.lrDecayEvery(), clip != null ? clip : b.clip(), spec,
                precision != null ? Precision.parse("--precision", precision) : b.precision(),
                seed != null ? seed : b.seed(), mode != null ? Mode.parse("--mode", mode) : b.mode(),
                rematchLoss != null ? rematchLoss : b.rematchLoss(),
                rematchWeight != null ? rematchWeight : b.rematchWeight(), reg != null ? reg : b.reg(),
                mass != null ? mass : b.mass(), cost != null ? cost : b.cost(),
                costLr != null ? costLr : b.costLearningRate(),
                split != null ? TrainingConfig.splitMethod("--split", split) : b.split());
    }

    private static int[] parseWidths(String text) {
        String[] parts = text.split(",");
        int[] w = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                w[k] = Integer.parseInt(parts[k].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--hidden must be widths such as 1024 or 1024,512, got '" + text + "'");
            }
        }
        return w;
    }

    /**
     * Progress for people: a bar per epoch on a terminal, plain lines otherwise (no escape codes in
     * CI logs), and one summary line per epoch either way.
     */
    static final class Progress implements TrainingListener {
        private final PrintWriter out;
        private final boolean terminal;
        private ProgressBar bar;
        private int total;

        Progress(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void note(String message) {
            out.println(message);
            out.flush();
        }

        @Override
        public void epochStarted(int epoch, int total, int batches) {
            this.total = total;
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, total))
                        .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" batches", 1)
                        .showSpeed(new java.text.DecimalFormat("0")).build();
            }
        }

        @Override
        public void batchEnded(int epoch, int batch, double loss) {
            if (bar != null) {
                bar.stepTo(batch + 1);
                bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
            }
        }

        @Override
        public void epochEnded(EpochRecord r) {
            close();
            boolean improved = r.best();
            StringBuilder losses = new StringBuilder();
            new java.util.TreeMap<>(r.losses()).forEach((k, v) ->
                    losses.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
            StringBuilder diag = new StringBuilder();
            new java.util.TreeMap<>(r.diagnostics()).forEach((k, v) -> diag.append(v == Math.rint(v) && Math.abs(v) < 1e9
                    ? String.format(Locale.ROOT, "  %s %d", k, (long) (double) v)
                    : String.format(Locale.ROOT, "  %s %.3f", k, v)));
            out.println(String.format(Locale.ROOT, "epoch %3d/%d %-6s lr %.1e%s  %,.0f pairs/s  %.1f s  dev rsum %.2f%s%s",
                    r.epoch() + 1, total, r.phase(), r.learningRate(), losses, r.pairsPerSecond(), r.trainSeconds(),
                    r.validation().rsum(), improved ? " (best)" : "", diag));
            out.flush();
        }

        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}

package io.rematch.cli;

import io.rematch.data.Dataset;
import io.rematch.experiment.Experiments;
import io.rematch.experiment.Recipe;
import io.rematch.experiment.Runner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rematch experiment NAME}: one of the papers' experiments at small scale. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch experiment NAME --data=DIR --out=DIR [--seeds=N] [OPTIONS]"},
        description = {"Run one of the papers' experiments: train its runs (one folder each under DIR/runs/, "
                + "resumed if present, shared between experiments with the same --out), then write DIR/NAME.md "
                + "(tables: mean and sd over seeds, best-validation and last epoch) and its PNGs. See docs/results.md.",
                "",
                "  mrate         RCL Table 2: 7 methods at mismatch 0, 0.2, 0.6, 0.8",
                "  bounds        RCL Table 6: MAE and the bounds log, exp, gce, tan at 0.6",
                "  ablation      RCL Table 7: TR, TR-HN, NL, CL, CCL at 0.6",
                "  curves        RCL Figure 5: validation R@1 per epoch per loss",
                "  similarities  RCL Figure 4: similarities of true and false pairs",
                "  tau           RCL Figure 7: test rSum against tau in [0.01, 0.1]",
                "  rematch       L2RM: split and rematch precision, one plan as a heatmap",
                "  examples      RCL Figures 6 and 8: retrieved texts and images (emoji)",
                "", "mrate's 7: CL, CCL-log, TR-HN, TR, NL, L2RM, hybrid. similarities and",
                "examples use seed 0; the others average over --seeds.", ""})
final class ExperimentCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The experiment (see above).")
    String name;

    @Option(names = "--data", required = true, paramLabel = "DIR", order = 1,
            description = "The dataset: data-small/emoji, or any dataset folder (docs/data.md).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", order = 2,
            description = "The experiment folder: runs/, NAME.md and the PNGs.")
    Path out;

    @Option(names = "--seeds", defaultValue = "3", paramLabel = "N", order = 3,
            description = "Seeds 0 to N-1 per configuration (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--epochs", paramLabel = "E", order = 4,
            description = "Epochs per run, warm-up included (default: " + 30 + ").")
    Integer epochs;

    @Option(names = "--rates", split = ",", paramLabel = "R,R...", hideParamSyntax = true, order = 5,
            description = "mrate's mismatch rates (default: 0,0.2,0.6,0.8).")
    List<Double> rates;

    @Option(names = "--jobs", paramLabel = "J", order = 6,
            description = "Runs trained at once, each on its share of the cores (default: the number of cores).")
    Integer jobs;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    int run() {
        String n = Experiments.check(name);
        backendOption.choice();     // a mistyped --backend is named before any file is read
        if (rates != null && !n.equals("mrate")) {
            throw new IllegalArgumentException("--rates applies to mrate only; the other experiments use mismatch "
                    + Experiments.RATE);
        }
        Recipe recipe = epochs != null ? Recipe.FULL.withEpochs(epochs) : Recipe.FULL;
        Dataset d = open(data);
        checkOut(out);
        io.rematch.experiment.Charts.checkFonts();
        int j = jobs(jobs);
        String command = "rematch experiment " + n + " --data " + data + " --out " + out + " --seeds " + seeds
                + (epochs != null ? " --epochs " + epochs : "") + (rates != null ? " --rates " + join(rates) : "")
                + (given("--backend") ? " --backend " + backendOption.backend : "");
        Experiments.Settings probe = new Experiments.Settings(d, out, seeds, recipe, rates, j, Runner.Progress.NONE,
                command);
        long total = Runner.epochs(Experiments.arms(n, probe));
        try (io.rematch.backend.Backend backend = backendOption.open(this);
             ExperimentProgress progress = new ExperimentProgress(err(), System.console() != null, n, total)) {
            Experiments.Report r = Experiments.run(n, new Experiments.Settings(d, out, seeds, recipe, rates, j,
                    progress, command, backend));
            progress.close();
            BackendOption.report(this, backend, BackendOption.training(backend));
            out().println(r.markdown());
            out().println("wrote " + String.join(", ", r.files().stream().map(Path::toString).toList()));
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** {@code --jobs}, checked, or the number of cores. */
    static int jobs(Integer jobs) {
        if (jobs != null && jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1, got " + jobs);
        }
        return jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
    }

    static Dataset open(Path data) {
        return Dataset.open(data, "--data");
    }

    /** {@code --out} must be a folder we can write. */
    static void checkOut(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder for the results");
        }
        try {
            Files.createDirectories(out);
            Path probe = Files.createTempFile(out, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + " cannot be written (" + e.getClass().getSimpleName()
                    .replace("Exception", "") + ": " + e.getMessage() + ")", e);
        }
    }

    private static String join(List<Double> rates) {
        List<String> s = new ArrayList<>();
        for (double r : rates) {
            s.add(Double.toString(r));
        }
        return String.join(",", s);
    }
}

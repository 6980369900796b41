package io.rematch.cli;

import io.rematch.data.Dataset;
import io.rematch.experiment.Demo;
import io.rematch.experiment.Experiments;
import io.rematch.experiment.Runner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch demo}: the main job. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch demo [--data=DIR] [--out=DIR] [--full] [OPTIONS]"},
        description = {"The main job: train CL, TR-HN, CCL-log, L2RM and the hybrid on the bundled emoji image-text "
                + "set at mismatch 0 and 0.6 (about three minutes on two cores), print RCL's Table 7 shape (test rSum "
                + "at the best-validation and at the last epoch) and write the validation curves, the similarity "
                + "histograms and retrieved examples as PNGs. --full: mismatch 0, 0.2, 0.6 and 0.8, three seeds, "
                + "30 epochs. Run again to resume or reuse the runs in --out."})
final class DemoCommand extends Subcommand {

    @Option(names = "--data", defaultValue = "data-small/emoji", paramLabel = "DIR", order = 1,
            description = "The dataset (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--out", defaultValue = "demo-results", paramLabel = "DIR", order = 2,
            description = "Where the runs, demo.md and the PNGs go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--full", order = 3, description = "Every rate, three seeds, 30 epochs (about half an hour on two cores).")
    boolean full;

    @Option(names = "--seeds", paramLabel = "N", order = 4, description = "Seeds per configuration (default: 1; --full 3).")
    Integer seeds;

    @Option(names = "--epochs", paramLabel = "E", order = 5,
            description = "Epochs per run, warm-up included (default: 20; --full 30).")
    Integer epochs;

    @Option(names = "--jobs", paramLabel = "J", order = 6,
            description = "Runs trained at once, each on its share of the cores (default: the number of cores).")
    Integer jobs;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    int run() {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        if (!java.nio.file.Files.exists(data)) {
            throw new IllegalArgumentException("--data " + data + " does not exist; run the demo from the repository's"
                    + " root (data-small/emoji is there) or give --data DIR");
        }
        Dataset d = Dataset.open(data, "--data");
        ExperimentCommand.checkOut(out);
        io.rematch.experiment.Charts.checkFonts();
        int j = ExperimentCommand.jobs(jobs);
        String command = "rematch demo" + (given("--data") ? " --data " + data : "") + (given("--out") ? " --out " + out : "")
                + (full ? " --full" : "") + (seeds != null ? " --seeds " + seeds : "")
                + (epochs != null ? " --epochs " + epochs : "") + (jobs != null ? " --jobs " + jobs : "")
                + (given("--backend") ? " --backend " + backendOption.backend : "");
        Experiments.Settings probe = Demo.settings(d, out, full, epochs, seeds, j, Runner.Progress.NONE, command);
        long total = Runner.epochs(Demo.arms(probe));
        // progress goes to standard error, the table to standard output: 'rematch demo > table.md' works
        err().printf("training %d runs (%s at mismatch %s, %d seed%s, %d epoch%s each) on %s, %d at a time%n",
                Demo.arms(probe).size(), String.join(", ", Demo.LABELS), probe.rates(), probe.seeds(),
                probe.seeds() == 1 ? "" : "s", probe.recipe().epochs(), probe.recipe().epochs() == 1 ? "" : "s", data, j);
        err().flush();
        try (io.rematch.backend.Backend backend = backendOption.open(this);
             ExperimentProgress progress = new ExperimentProgress(err(), System.console() != null, "demo", total)) {
            Experiments.Report r = Demo.run(Demo.settings(d, out, full, epochs, seeds, j, progress, command, backend));
            progress.close();
            BackendOption.report(this, backend, BackendOption.training(backend));
            out().println(r.markdown());
            out().println("wrote " + String.join(", ", r.files().stream().map(Path::toString).toList()));
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}

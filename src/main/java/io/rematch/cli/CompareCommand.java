package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Losses;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rematch compare}: every loss on one batch, and how hard each one pulls the given pairs
 * together, split into clean and mismatched pairs.
 *
 * <p>The pull on pair \(i\) is \(-\partial L / \partial S_{ii}\): how much a gradient step raises
 * the similarity of image \(i\) and caption \(i\). A robust loss pulls mismatched pairs much less
 * than clean ones (RCL, Section 3.3: CCL never uses the given pair's own probability); InfoNCE
 * pulls hardest exactly where the pair is wrong, since \(1 - p_{ii}\) is largest there. The
 * ratio is scale-free, so losses with different magnitudes (sums, means) compare.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch compare --scores=S.npy --mismatched=M.npy [OPTIONS]"},
        description = {"Evaluate every loss on one batch and compare its pull on clean and mismatched pairs.",
                "",
                "The pull on pair i is -dL/dS_ii, how much a gradient step raises the similarity of image i and "
                        + "caption i; the table gives its mean over the clean and over the mismatched pairs, and "
                        + "their ratio (n/a where no clean pair is pulled at all). A robust loss pulls mismatched "
                        + "pairs much less than clean ones: RCL's robustness argument, in numbers."})
final class CompareCommand extends Subcommand {

    @Option(names = "--scores", required = true, paramLabel = "S.npy", order = 1, description = "The N x N batch score matrix.")
    Path scores;

    @Option(names = "--mismatched", required = true, paramLabel = "M.npy", order = 2,
            description = "A length-N 0/1 vector: 1 where pair i is mismatched, 0 where it is clean.")
    Path mismatched;

    @Mixin
    LossParameters parameters;

    @Option(names = "--json", order = 30, description = "Print one JSON object on one line.")
    boolean json;

    @Mixin
    BackendOption backendOption;

    /** One row of the comparison. */
    record Row(String loss, double value, double cleanPull, double mismatchedPull) {
        /** mismatched / clean, or NaN where no clean pair is pulled (every hinge inactive, say). */
        double ratio() {
            return cleanPull == 0 ? Double.NaN : mismatchedPull / cleanPull;
        }
    }

    @Override
    Map<String, String> optionNames() {
        return Map.of("scores", "--scores", "tau", "--tau", "q", "--q", "margin", "--margin");
    }

    @Override
    String memoryNeeds() {
        return matrixNeeds("--scores", scores, 5);
    }

    @Override
    int run() {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        parameters.validate();
        double tau = parameters.tau, q = parameters.q, margin = parameters.margin;
        long seed = parameters.seed;
        DMatrixRMaj s = Checks.square("--scores", NpyFiles.readMatrix("--scores", scores));
        int n = s.numRows;
        double[] flags = NpyFiles.readPairFlags("--mismatched", mismatched, n);
        int noisy = (int) java.util.Arrays.stream(flags).sum();
        if (noisy == 0 || noisy == n) {
            throw new IllegalArgumentException("--mismatched must mark some pairs 1 and some 0, got " + noisy + " of " + n);
        }
        List<Row> rows = new ArrayList<>();
        Losses.Settings settings = Losses.Settings.defaults().withTau(tau).withQ(q).withMargin(margin).withSeed(seed);
        LossWorkspace workspace = new LossWorkspace();
        try (io.rematch.backend.Backend backend = backendOption.open(this)) {
            for (String name : Losses.SCORE_ONLY_NAMES) { // the rematch losses need a plan, which compare does not take
                LossValue v = backend.loss(Losses.create(name, settings)).evaluate(s, workspace);
                double clean = 0, bad = 0;
                for (int i = 0; i < n; i++) {
                    double pull = -v.gradient().get(i, i);
                    if (flags[i] == 1) {
                        bad += pull;
                    } else {
                        clean += pull;
                    }
                }
                rows.add(new Row(name, v.value(), clean / (n - noisy), bad / noisy));
            }
            print(rows, n, noisy);
            BackendOption.report(this, backend);
        }
        return 0;
    }

    private void print(List<Row> rows, int n, int noisy) {
        PrintWriter out = out();
        if (json) {
            StringBuilder b = new StringBuilder("{\"n\": " + n + ", \"mismatched\": " + noisy + ", \"losses\": [");
            for (int k = 0; k < rows.size(); k++) {
                Row r = rows.get(k);
                b.append(k == 0 ? "" : ", ").append("{\"loss\": ").append(Json.string(r.loss()))
                        .append(", \"value\": ").append(Json.number(r.value()))
                        .append(", \"pull_clean\": ").append(Json.number(r.cleanPull()))
                        .append(", \"pull_mismatched\": ").append(Json.number(r.mismatchedPull()))
                        .append(", \"ratio\": ").append(Json.number(r.ratio())).append('}');
            }
            out.println(b.append("]}"));
            return;
        }
        out.printf(Locale.ROOT, "%d pairs, %d mismatched; tau = %s, q = %s, margin = %s%n", n, noisy, parameters.tau, parameters.q, parameters.margin);
        out.println("pull = -dL/dS_ii, the push a gradient step gives the given pair i (mean over pairs)");
        out.printf(Locale.ROOT, "%-8s %14s %14s %16s %18s%n", "loss", "value", "pull clean", "pull mismatched", "mismatched/clean");
        for (Row r : rows) {
            String ratio = Double.isNaN(r.ratio()) ? "n/a"
                    : r.ratio() >= 1e-3 && r.ratio() < 1e6 ? String.format(Locale.ROOT, "%.4f", r.ratio())
                    : String.format(Locale.ROOT, "%.4g", r.ratio());
            out.printf(Locale.ROOT, "%-8s %14.6g %14.6g %16.6g %18s%n", r.loss(), r.value(), r.cleanPull(), r.mismatchedPull(), ratio);
        }
    }
}

package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.loss.LossValue;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.loss.ScoreLoss;
import io.rematch.prob.Mode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Evaluate every loss on one N x N batch and report its pull -dL/dS_ii on the given pairs,",
                "separately for clean and mismatched pairs (RCL's robustness argument, in numbers)."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scores", required = true, paramLabel = "S.npy", description = "N x N batch score matrix.")
    Path scores;

    @Option(names = "--mismatched", required = true, paramLabel = "M.npy",
            description = "Length-N vector: 1 where pair i is mismatched, 0 where it is clean.")
    Path mismatched;

    @Mixin
    LossParameters parameters;

    @Option(names = "--json", description = "Print one JSON object on one line.")
    boolean json;

    /** One row of the comparison. */
    record Row(String loss, double value, double cleanPull, double mismatchedPull) {
        double ratio() {
            return mismatchedPull / cleanPull;
        }
    }

    @Override
    public Integer call() {
        parameters.validate();
        double tau = parameters.tau, q = parameters.q, margin = parameters.margin;
        long seed = parameters.seed;
        DMatrixRMaj s = Checks.squareFinite("--scores", NpyFiles.readMatrix("--scores", scores));
        int n = s.numRows;
        double[] flags = NpyFiles.readPairFlags("--mismatched", mismatched, n);
        int noisy = (int) java.util.Arrays.stream(flags).sum();
        if (noisy == 0 || noisy == n) {
            throw new IllegalArgumentException("--mismatched must mark some pairs 1 and some 0, got " + noisy + " of " + n);
        }
        List<Row> rows = new ArrayList<>();
        for (String name : Losses.SCORE_ONLY_NAMES) { // the rematch losses need a plan, which compare does not take
            ScoreLoss loss = Losses.create(name, new Losses.Settings(tau, q, margin, Negatives.all(), Mode.STABLE, seed));
            LossValue v = loss.evaluate(s);
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
        return 0;
    }

    private void print(List<Row> rows, int n, int noisy) {
        PrintWriter out = spec.commandLine().getOut();
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
            out.printf(Locale.ROOT, "%-8s %14.6g %14.6g %16.6g %18.4f%n", r.loss(), r.value(), r.cleanPull(), r.mismatchedPull(), r.ratio());
        }
    }
}

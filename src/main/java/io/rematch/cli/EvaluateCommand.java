package io.rematch.cli;

import io.rematch.data.Dataset;
import io.rematch.data.Split;
import io.rematch.eval.RecallSummary;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import io.rematch.io.Json;
import io.rematch.train.Evaluation;
import io.rematch.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch evaluate}: the retrieval metrics of a trained model on a split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch evaluate --model=DIR --data=DIR [--split=NAME] [OPTIONS]"},
        description = {"Evaluate a model trained by 'rematch train' on a split of a dataset folder: R@1/5/10, "
                + "medr and meanr in both directions, and rSum.",
                "",
                "--folds 5 on MS-COCO's testall split is its 1K protocol (the mean over 5 folds of 1,000 images); "
                        + "the whole split is the 5K protocol."})
final class EvaluateCommand extends Subcommand {

    @Option(names = "--model", required = true, paramLabel = "DIR", order = 1,
            description = "A run folder of 'rematch train' (its best-validation checkpoint) or one of its epoch-NNNN "
                    + "folders.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", order = 2, description = "The dataset folder.")
    Path data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "NAME", order = 3,
            description = "dev, test or testall (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--folds", defaultValue = "1", paramLabel = "N", order = 4,
            description = "Average over N equal folds of the images (default: ${DEFAULT-VALUE}: the whole split).")
    int folds;

    @Option(names = "--ties", defaultValue = "pessimistic", paramLabel = "RULE", order = 5,
            description = "pessimistic or optimistic (default: ${DEFAULT-VALUE}).")
    String ties;

    @Option(names = "--json", order = 6, description = "Print one JSON object on one line.")
    boolean json;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    int run() {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        TieRule rule;
        switch (ties.toLowerCase(Locale.ROOT)) {
            case "pessimistic": rule = TieRule.PESSIMISTIC; break;
            case "optimistic": rule = TieRule.OPTIMISTIC; break;
            default: throw new IllegalArgumentException("--ties must be 'pessimistic' or 'optimistic', got '" + ties + "'");
        }
        split = split.toLowerCase(java.util.Locale.ROOT);
        if (!split.equals("dev") && !split.equals("test") && !split.equals("testall")) {
            throw new IllegalArgumentException("--split must be dev, test or testall, got '" + split + "'");
        }
        if (folds < 1) {
            throw new IllegalArgumentException("--folds must be >= 1, got " + folds);
        }
        if (!Files.exists(model)) {
            throw new IllegalArgumentException("--model " + model + " does not exist; expected a run folder of"
                    + " 'rematch train' or one of its epoch-NNNN folders");
        }
        try (io.rematch.backend.Backend backend = backendOption.open(this)) {
            TrainedModel m = TrainedModel.load(model, "--model");
            Dataset folder = Dataset.open(data, "--data");
            if (m.vocabulary() != null) {
                folder.useVocabulary(m.vocabulary());
            }
            Split s = folder.split(split);
            if (s.images().cols() != m.dims()[0] || s.captions().cols() != m.dims()[1]) {
                throw new IllegalArgumentException("--data: the " + split + " split has " + s.images().cols()
                        + "-d images and " + s.captions().cols() + "-d captions; the model takes " + m.dims()[0]
                        + " and " + m.dims()[1]);
            }
            PrintWriter out = out();
            if (folds == 1) {
                RetrievalReport r = Evaluation.evaluate(m.model(), s, rule, backend);
                if (json) {
                    out.println(r.toJson());
                } else {
                    out.printf("%s: %d images x %d captions, checkpoint %s, ties %s%n", split, s.imageCount(),
                            s.captionCount(), m.checkpoint(), rule.name().toLowerCase(Locale.ROOT));
                    out.print(r.toTable());
                }
            } else {
                java.util.List<RetrievalReport> parts = Evaluation.foldReports(m.model(), s, folds, rule, backend);
                double[][] mean = new double[2][5];   // i2t, t2i x r1, r5, r10, medr, meanr
                for (RetrievalReport r : parts) {
                    io.rematch.eval.DirectionMetrics[] d = {r.i2t(), r.t2i()};
                    for (int w = 0; w < 2; w++) {
                        double[] v = {d[w].r1(), d[w].r5(), d[w].r10(), d[w].medr(), d[w].meanr()};
                        for (int k = 0; k < 5; k++) {
                            mean[w][k] += v[k] / parts.size();
                        }
                    }
                }
                double rsum = mean[0][0] + mean[0][1] + mean[0][2] + mean[1][0] + mean[1][1] + mean[1][2];
                if (json) {
                    Map<String, Object> j = new LinkedHashMap<>();
                    String[] names = {"r1", "r5", "r10", "medr", "meanr"};
                    for (int w = 0; w < 2; w++) {
                        Map<String, Object> d = new LinkedHashMap<>();
                        for (int k = 0; k < 5; k++) {
                            d.put(names[k], mean[w][k]);
                        }
                        j.put(w == 0 ? "i2t" : "t2i", d);
                    }
                    j.put("rsum", rsum);
                    j.put("folds", folds);
                    out.println(Json.write(j));
                } else {
                    out.printf("%s: mean over %d folds of %d images, checkpoint %s, ties %s%n", split, folds,
                            s.imageCount() / folds, m.checkpoint(), rule.name().toLowerCase(Locale.ROOT));
                    out.printf(Locale.ROOT, "%-6s %8s %7s %7s %7s %7s%n", "", "R@1", "R@5", "R@10", "medr", "meanr");
                    for (int w = 0; w < 2; w++) {
                        out.printf(Locale.ROOT, "%-6s %8.2f %7.2f %7.2f %7.2f %7.2f%n", w == 0 ? "i2t" : "t2i",
                                mean[w][0], mean[w][1], mean[w][2], mean[w][3], mean[w][4]);
                    }
                    out.printf(Locale.ROOT, "%-6s %8.2f%n", "rsum", rsum);
                }
            }
            BackendOption.report(this, backend);
            return 0;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no such file: " + e.getFile(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}

package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rematch metrics}: image-to-text and text-to-image recall on a similarity matrix. */
@Command(name = "metrics", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch metrics --sims=S.npy [OPTIONS]"},
        description = {"Compute the retrieval metrics of an images x captions similarity matrix.",
                "",
                "R@1, R@5 and R@10 (in percent), the median and mean rank (1-based) in both directions, and "
                        + "rSum, as the RCL and L2RM evaluations compute them, with an explicit rule for ties."})
final class MetricsCommand extends Subcommand {

    @Option(names = "--sims", required = true, paramLabel = "S.npy", order = 1,
            description = "An nImages x (nImages * K) similarity matrix; caption j belongs to image j / K.")
    Path sims;

    @Option(names = "--captions-per-image", defaultValue = "5", paramLabel = "K", order = 2,
            description = "Captions per image: 5 for Flickr30K and MS-COCO, 1 for CC152K (default: ${DEFAULT-VALUE}).")
    int captionsPerImage;

    @Option(names = "--ties", defaultValue = "pessimistic", paramLabel = "RULE", order = 3,
            description = "pessimistic (a tie with the true item ranks above it) or optimistic (below it) "
                    + "(default: ${DEFAULT-VALUE}).")
    String ties;

    @Option(names = "--json", order = 4, description = "Print one JSON object on one line.")
    boolean json;

    @Override
    String memoryNeeds() {
        return matrixNeeds("--sims", sims, 2);
    }

    @Override
    int run() {
        TieRule rule;
        switch (ties.toLowerCase(Locale.ROOT)) {
            case "pessimistic": rule = TieRule.PESSIMISTIC; break;
            case "optimistic": rule = TieRule.OPTIMISTIC; break;
            default: throw new IllegalArgumentException("--ties must be 'pessimistic' or 'optimistic', got '" + ties + "'");
        }
        if (captionsPerImage < 1) {
            throw new IllegalArgumentException("--captions-per-image must be >= 1, got " + captionsPerImage);
        }
        DMatrixRMaj s = Checks.finite("--sims", NpyFiles.readMatrix("--sims", sims));
        if ((long) s.numRows * captionsPerImage != s.numCols) {
            throw new IllegalArgumentException("--sims is " + s.numRows + " x " + s.numCols + "; expected "
                    + s.numRows + " x " + ((long) s.numRows * captionsPerImage) + ": one row per image and one column per"
                    + " caption, " + captionsPerImage + " captions per image (--captions-per-image)");
        }
        RetrievalReport report = RetrievalMetrics.evaluate(s, captionsPerImage, rule);
        PrintWriter out = out();
        if (json) {
            out.println(report.toJson());
        } else {
            out.printf("%d images x %d captions (%d per image), ties %s%n", s.numRows, s.numCols, captionsPerImage,
                    rule.name().toLowerCase(Locale.ROOT));
            out.print(report.toTable());
            if (!report.toTable().endsWith("\n")) {
                out.println();
            }
        }
        return 0;
    }
}

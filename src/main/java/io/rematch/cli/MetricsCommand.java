package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rematch metrics}: image-to-text and text-to-image recall on a similarity matrix. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Retrieval metrics of an images x captions similarity matrix, as the RCL/L2RM evaluation:",
                "R@1, R@5, R@10 (percent), median and mean rank (1-based) in both directions, and rSum."})
final class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sims", required = true, paramLabel = "S.npy",
            description = "nImages x (nImages * k) similarities; caption j belongs to image j / k.")
    Path sims;

    @Option(names = "--captions-per-image", defaultValue = "5", paramLabel = "K",
            description = "Captions per image: 5 for Flickr30K / MS-COCO, 1 for CC152K (default: ${DEFAULT-VALUE}).")
    int captionsPerImage;

    @Option(names = "--ties", defaultValue = "pessimistic", paramLabel = "pessimistic|optimistic",
            description = "A tie with the true item counts as ranked above it (pessimistic) or below it (default: ${DEFAULT-VALUE}).")
    String ties;

    @Option(names = "--json", description = "Print one JSON object on one line.")
    boolean json;

    @Override
    public Integer call() {
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
                    + s.numRows + " x " + ((long) s.numRows * captionsPerImage) + ": one row per image and"
                    + " --captions-per-image (" + captionsPerImage + ") columns, one per caption, per image");
        }
        RetrievalReport report = RetrievalMetrics.evaluate(s, captionsPerImage, rule);
        PrintWriter out = spec.commandLine().getOut();
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

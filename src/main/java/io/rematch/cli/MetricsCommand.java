package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.eval.RetrievalMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.eval.TieRule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
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
            description = "An nImages x (nImages * K) similarity matrix; caption j belongs to image j / K "
                    + "(or, with --image-ids and --caption-ids, nImages x nCaptions matched by id).")
    Path sims;

    @Option(names = "--captions-per-image", defaultValue = "5", paramLabel = "K", order = 2,
            description = "Captions per image: 5 for Flickr30K and MS-COCO, 1 for CC152K (default: ${DEFAULT-VALUE}).")
    int captionsPerImage;

    @Option(names = "--image-ids", paramLabel = "I.npy", order = 3,
            description = "Item id of each image (row of --sims), an integer vector; with --caption-ids, "
                    + "replaces --captions-per-image: a caption is correct for every image with its id.")
    Path imageIds;

    @Option(names = "--caption-ids", paramLabel = "C.npy", order = 4,
            description = "Item id of each caption (column of --sims), an integer vector; given with --image-ids.")
    Path captionIds;

    @Option(names = "--ties", defaultValue = "pessimistic", paramLabel = "RULE", order = 5,
            description = "pessimistic (a tie with the true item ranks above it) or optimistic (below it) "
                    + "(default: ${DEFAULT-VALUE}).")
    String ties;

    @Option(names = "--json", order = 6, description = "Print one JSON object on one line.")
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
        if (imageIds != null || captionIds != null) {
            return runWithIds(rule);
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
        print(report, String.format(Locale.ROOT, "%d images x %d captions (%d per image), ties %s", s.numRows,
                s.numCols, captionsPerImage, rule.name().toLowerCase(Locale.ROOT)));
        return 0;
    }

    /** The library's names for the id arguments, where a message names them as words. */
    private static final Pattern LIBRARY_NAMES = Pattern.compile("(?<![\\w-])(image-ids|caption-ids|sims)\\b");

    /** {@code --image-ids} and {@code --caption-ids}: items matched by id instead of by position. */
    private int runWithIds(TieRule rule) {
        if (imageIds == null || captionIds == null) {
            String missing = imageIds == null ? "--image-ids" : "--caption-ids";
            throw new IllegalArgumentException(missing + " is missing: --image-ids and --caption-ids are given"
                    + " together (the item id of each row of --sims and of each column)");
        }
        if (given("--captions-per-image")) {
            throw new IllegalArgumentException("--captions-per-image cannot be combined with --image-ids and"
                    + " --caption-ids: the ids already say which captions belong to which image");
        }
        long[] images = readIds("--image-ids", imageIds);
        long[] captions = readIds("--caption-ids", captionIds);
        DMatrixRMaj s = Checks.finite("--sims", NpyFiles.readMatrix("--sims", sims));
        RetrievalReport report;
        try {
            report = RetrievalMetrics.evaluate(s, images, captions, rule);
        } catch (IllegalArgumentException e) {
            // The library's messages hold no file names: its argument names can be swapped safely.
            throw new IllegalArgumentException(LIBRARY_NAMES.matcher(e.getMessage()).replaceAll("--$1"), e);
        }
        print(report, String.format(Locale.ROOT, "%d images x %d captions (matched by --image-ids and"
                + " --caption-ids), ties %s", s.numRows, s.numCols, rule.name().toLowerCase(Locale.ROOT)));
        return 0;
    }

    /**
     * The 1-D id vector given by {@code option}: int64 as NumPy writes it, or any dtype whose values
     * are whole numbers within &plusmn;2<sup>53</sup> (where float64 holds every integer exactly).
     */
    private static long[] readIds(String option, Path path) {
        double[] v = NpyFiles.readVector(option, path);
        long[] ids = new long[v.length];
        for (int k = 0; k < v.length; k++) {
            if (!(v[k] == Math.rint(v[k]) && Math.abs(v[k]) <= 0x1p53)) {
                throw new IllegalArgumentException(option + "[" + k + "] is " + v[k] + "; expected whole-number"
                        + " item ids (an int64 vector)");
            }
            ids[k] = (long) v[k];
        }
        return ids;
    }

    private void print(RetrievalReport report, String summary) {
        PrintWriter out = out();
        if (json) {
            out.println(report.toJson());
        } else {
            out.println(summary);
            out.print(report.toTable());
            if (!report.toTable().endsWith("\n")) {
                out.println();
            }
        }
    }
}

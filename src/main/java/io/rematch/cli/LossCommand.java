package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.loss.LossValue;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.loss.PairMask;
import io.rematch.loss.ScoreLoss;
import io.rematch.prob.Mode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rematch loss}: one loss and its gradient on a batch score matrix read from .npy. */
@Command(name = "loss", mixinStandardHelpOptions = true,
        description = {"Evaluate a loss and its gradient d loss / d S on an N x N score matrix S.",
                "Losses: ccl-log, ccl-exp, ccl-gce, ccl-tan, ccl-mae (RCL Eq. 14-18), infonce (Eq. 8),",
                "nl (one random negative), tr, tr-hn, tr-mean (triplet ranking: sum / hardest negative / L2RM's mean),",
                "rce (L2RM's warm-up loss), and L2RM's rematch losses sym-kl, kl, js, soft-infonce (need --targets)."})
final class LossCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scores", required = true, paramLabel = "S.npy",
            description = "N x N score matrix; S[i][j] = similarity of image i and text j, diagonal = given pairs.")
    Path scores;

    @Option(names = "--loss", required = true, paramLabel = "NAME", description = "One of: ${COMPLETION-CANDIDATES}.",
            completionCandidates = LossNames.class)
    String loss;

    @Mixin
    LossParameters parameters;

    @Option(names = "--negatives", defaultValue = "all", paramLabel = "all|ratio:R|single",
            description = "Negatives per anchor for ccl-*: all N-1, a random fraction R in (0,1), or one (default: ${DEFAULT-VALUE}).")
    String negatives;

    @Option(names = "--mask", paramLabel = "M.npy",
            description = "Explicit N x N 0/1 negative mask for ccl-* (diagonal must be 0); replaces --negatives.")
    Path mask;

    @Option(names = "--mode", defaultValue = "stable", paramLabel = "stable|faithful",
            description = "stable: textbook formulas, max-subtracted; faithful: exactly the RCL / L2RM release (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--targets", paramLabel = "P.npy",
            description = "N x N soft targets (a transport plan, entries >= 0) for sym-kl, kl, js, soft-infonce.")
    Path targets;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Write d loss / d S here (float64 .npy).")
    Path gradOut;

    @Option(names = "--json", description = "Print one JSON object on one line.")
    boolean json;

    @Override
    public Integer call() {
        // Options before files, each checked in terms of the option: the library's messages
        // name its own parameters (tau, scores), which the user never typed.
        if (!Losses.NAMES.contains(loss)) {
            throw new IllegalArgumentException("--loss must be one of " + String.join(", ", Losses.NAMES)
                    + "; got '" + loss + "'");
        }
        parameters.validate();
        double tau = parameters.tau, q = parameters.q, margin = parameters.margin;
        long seed = parameters.seed;
        Mode md = Mode.parse("--mode", mode);
        if (mask != null && !negatives.equals("all")) {
            throw new IllegalArgumentException("give either --mask or --negatives, not both");
        }
        if (!loss.startsWith("ccl-") && !loss.equals("nl") && (mask != null || !negatives.equals("all"))) {
            throw new IllegalArgumentException("--negatives and --mask apply to the ccl-* losses only, not to " + loss);
        }
        if (loss.equals("nl") && (mask != null || !negatives.equals("all"))) {
            throw new IllegalArgumentException("nl always uses one random negative per anchor; drop --negatives/--mask"
                    + " or use ccl-log with them");
        }
        boolean targeted = Losses.needsTargets(loss);
        if (targeted && targets == null) {
            throw new IllegalArgumentException("--loss " + loss + " needs --targets P.npy (the soft targets, e.g. a"
                    + " transport plan, N x N like --scores)");
        }
        if (!targeted && targets != null) {
            throw new IllegalArgumentException("--targets is only used by " + String.join(", ", Losses.TARGETED_NAMES)
                    + "; --loss " + loss + " takes none");
        }
        Negatives neg = mask == null ? Negatives.parse(negatives, seed) : null;
        DMatrixRMaj s = Checks.squareFinite("--scores", NpyFiles.readMatrix("--scores", scores));
        if (mask != null) {
            DMatrixRMaj mm = NpyFiles.readMatrix("--mask", mask);
            if (mm.numRows != s.numRows || mm.numCols != s.numCols) {
                throw new IllegalArgumentException("--mask must be " + s.numRows + " x " + s.numRows
                        + " like --scores, got " + mm.numRows + " x " + mm.numCols);
            }
            neg = Negatives.fixed(PairMask.of("--mask", mm));
        }
        Losses.Settings settings = new Losses.Settings(tau, q, margin, neg, md, seed);
        ScoreLoss l;
        if (targeted) {
            DMatrixRMaj t = Checks.finite("--targets", NpyFiles.readMatrix("--targets", targets));
            for (int k = 0; k < t.getNumElements(); k++) {
                if (t.data[k] < 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "--targets[%d,%d] is %s; expected >= 0 (a transport plan)", k / t.numCols, k % t.numCols, t.data[k]));
                }
            }
            if (t.numRows != s.numRows || t.numCols != s.numCols) {
                throw new IllegalArgumentException("--targets must be " + s.numRows + " x " + s.numCols
                        + " like --scores, got " + t.numRows + " x " + t.numCols);
            }
            l = Losses.createTargeted(loss, settings).withTargets(t);
        } else {
            l = Losses.create(loss, settings);
        }
        LossValue v = l.evaluate(s);
        if (gradOut != null) {
            NpyFiles.writeMatrix("--grad-out", gradOut, v.gradient());
        }
        PrintWriter out = spec.commandLine().getOut();
        String negText = loss.startsWith("ccl-") ? (mask != null ? "mask:" + mask : negatives) : loss.equals("nl") ? "single" : "-";
        String targetText = targets != null ? ", \"targets\": " + Json.string(targets.toString()) : "";
        if (json) {
            out.println("{\"loss\": " + Json.number(v.value()) + ", \"name\": " + Json.string(l.name())
                    + ", \"n\": " + s.numRows + ", \"tau\": " + Json.number(tau) + ", \"mode\": " + Json.string(md.name().toLowerCase(Locale.ROOT))
                    + ", \"negatives\": " + Json.string(negText) + targetText
                    + (gradOut != null ? ", \"grad_out\": " + Json.string(gradOut.toString()) : "") + "}");
        } else {
            out.printf(Locale.ROOT, "%s = %.12g%n", l.name(), v.value());
            out.printf(Locale.ROOT, "  N = %d, tau = %s, mode = %s, negatives = %s%n", s.numRows, tau, md.name().toLowerCase(Locale.ROOT), negText);
            if (targets != null) {
                out.println("  targets = " + targets);
            }
            if (gradOut != null) {
                out.println("  gradient d loss / d S written to " + gradOut);
            }
        }
        return 0;
    }

    /** Completion candidates for --loss. */
    static final class LossNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Losses.NAMES.iterator();
        }
    }
}

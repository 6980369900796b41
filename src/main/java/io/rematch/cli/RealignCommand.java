package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.io.DType;
import io.rematch.io.NpyArray;
import io.rematch.numeric.Mode;
import io.rematch.ot.Stopping;
import io.rematch.ot.Transports;
import io.rematch.rematch.Rematching;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rematch realign}: L2RM's rematching step on the mismatched pairs of a batch
 * ({@link Rematching}): the noisy pairs form a batch of their own, their similarities go through
 * the learnable cost at its initial value \(\max(\mathrm{ReLU}(1 - S), 10^{-10})\), and a partial
 * transport plan with the given pairs forbidden proposes for each image the caption it should
 * have been paired with. The proposals are scored against the true captions and against the
 * simplest alternative, the most similar other caption.
 */
@Command(name = "realign", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch realign --scores=S.npy --mismatched=M.npy --true-caption=T.npy",
                "                       [OPTIONS]"},
        description = {"Rematch the mismatched pairs of a batch with L2RM's partial optimal transport.",
                "",
                "The mismatched pairs form a batch of their own with the cost ReLU(1 - S) (L2RM's initial "
                        + "learnable cost); a partial transport plan between uniform marginals, with the given "
                        + "pairs forbidden, proposes for each image the caption with its largest plan entry. The "
                        + "command counts how many proposals are the true captions, one run per --mass, and "
                        + "compares them with the most similar other caption and with chance."})
final class RealignCommand extends Subcommand {

    @Option(names = "--scores", required = true, paramLabel = "S.npy", order = 1, description = "The N x N batch score matrix.")
    Path scores;

    @Option(names = "--mismatched", required = true, paramLabel = "M.npy", order = 2,
            description = "A length-N 0/1 vector: 1 where pair i is mismatched (these are rematched), 0 where it is clean.")
    Path mismatched;

    @Option(names = "--true-caption", required = true, paramLabel = "T.npy", order = 3,
            description = "A length-N vector: the batch index of image i's true caption (to score the proposals).")
    Path trueCaption;

    @Option(names = "--reg", defaultValue = "0.07", paramLabel = "R", order = 4,
            description = "Entropic regularisation > 0 (default: ${DEFAULT-VALUE}, L2RM's).")
    double reg;

    @Option(names = "--mass", defaultValue = "0.1,0.5,0.9", split = ",", paramLabel = "S", order = 5,
            description = "The transported mass s in (0, 1), one run each (default: ${DEFAULT-VALUE}; L2RM uses "
                    + "0.1, its rho).")
    double[] masses;

    @Option(names = "--mode", defaultValue = "stable", paramLabel = "MODE", order = 6,
            description = "stable (run until the marginals hold) or faithful (the L2RM release's arithmetic and "
                    + "stopping rule, ||u - u_prev|| < 1e-3) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--max-iter", paramLabel = "N", order = 7,
            description = "The iteration cap of each transport run (default: 10000 in stable mode, which stops "
                    + "when the marginals hold; 1000, the release's, in faithful mode).")
    Integer maxIter;

    @Option(names = "--out", paramLabel = "P.npy", order = 8,
            description = "Write the proposals: an int64 array of shape (masses, N) whose entry [k, i] is the batch "
                    + "index of the caption proposed for image i at the k-th mass, -1 for clean images and for "
                    + "images the plan gives no mass.")
    Path out;

    @Option(names = "--json", order = 9, description = "Print one JSON object on one line.")
    boolean json;

    @Override
    Map<String, String> optionNames() {
        return Map.of("reg", "--reg", "mass", "--mass", "maxIterations", "--max-iter", "similarities", "--scores");
    }

    @Override
    String memoryNeeds() {
        return matrixNeeds("--scores", scores, 3);
    }

    @Override
    int run() {
        Checks.positive("--reg", reg);
        for (double mass : masses) {
            Checks.inOpen("--mass", mass, 0.0, 1.0);
        }
        if (maxIter != null) {
            Checks.atLeast("--max-iter", maxIter, 1);
        }
        Mode md = Mode.parse("--mode", mode);
        if (out != null) {
            NpyFiles.requireWritable("--out", out);
        }
        DMatrixRMaj s = Checks.squareFinite("--scores", NpyFiles.readMatrix("--scores", scores));
        int n = s.numRows;
        double[] flags = NpyFiles.readPairFlags("--mismatched", mismatched, n);
        double[] truth = NpyFiles.readVector("--true-caption", trueCaption);
        if (truth.length != n) {
            throw new IllegalArgumentException("--true-caption must have one entry per pair (" + n + "), got " + truth.length);
        }
        for (int i = 0; i < n; i++) {
            if (truth[i] != Math.rint(truth[i]) || truth[i] < 0 || truth[i] >= n) {
                String value = truth[i] == Math.rint(truth[i]) && Math.abs(truth[i]) < 1e15
                        ? Long.toString((long) truth[i]) : Double.toString(truth[i]);
                throw new IllegalArgumentException("--true-caption[" + i + "] is " + value + "; expected an index in [0, " + n + ")");
            }
            if (flags[i] == 1 && truth[i] == i) {
                throw new IllegalArgumentException("--true-caption[" + i + "] is " + i + ", the caption pair " + i
                        + " already has, but --mismatched marks pair " + i + " as mismatched");
            }
        }
        int[] noisy = java.util.stream.IntStream.range(0, n).filter(i -> flags[i] == 1).toArray();
        if (noisy.length < 3) {
            throw new IllegalArgumentException("--mismatched marks " + noisy.length + " pairs; rematching needs at least 3");
        }
        int k = noisy.length;
        DMatrixRMaj sub = new DMatrixRMaj(k, k);
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                sub.set(r, c, s.get(noisy[r], noisy[c]));
            }
        }
        int bySimilarity = hits(Rematching.nearestOther(sub), noisy, truth);
        Stopping defaults = Transports.defaultStopping("l2rm", md);
        Stopping stopping = maxIter == null ? defaults : defaults.withMaxIterations(maxIter);
        double[] proposals = new double[masses.length * n];
        Arrays.fill(proposals, -1);
        // every run before any output: a run that fails (a reg too small for the cost) prints nothing
        Rematching.Result[] results = new Rematching.Result[masses.length];
        for (int run = 0; run < masses.length; run++) {
            results[run] = Rematching.l2rmInitial(k, reg, masses[run], md, stopping).rematch(sub);
        }
        StringBuilder runs = new StringBuilder();
        if (!json) {
            out().printf(Locale.ROOT, "%d mismatched pairs rematched among themselves (L2RM: cost ReLU(1 - S), diagonal"
                    + " forbidden, reg %s, %s)%n", k, reg, md.spelling());
            out().printf(Locale.ROOT, "  %-34s %d / %d (%.1f%%)%n", "most similar other caption:", bySimilarity, k,
                    100.0 * bySimilarity / k);
        }
        for (int run = 0; run < masses.length; run++) {
            double mass = masses[run];
            Rematching.Result result = results[run];
            int[] pick = result.proposals();
            int byPlan = hits(pick, noisy, truth);
            StringBuilder picked = new StringBuilder();
            for (int r = 0; r < k; r++) {
                int caption = pick[r] < 0 ? -1 : noisy[pick[r]];
                proposals[run * n + noisy[r]] = caption;
                picked.append(r == 0 ? "" : ", ").append(caption);
            }
            if (result.transport().warning() != null) {
                warn("mass " + mass + ": " + result.transport().warning());
            }
            if (json) {
                runs.append(runs.length() == 0 ? "" : ", ").append("{\"mass\": ").append(Json.number(mass))
                        .append(", \"rematched_by_plan\": ").append(byPlan)
                        .append(", \"proposed\": ").append(result.proposed())
                        .append(", \"iterations\": ").append(result.transport().iterations())
                        .append(", \"converged\": ").append(result.transport().converged())
                        .append(", \"plan_mass\": ").append(Json.number(result.transport().mass()))
                        .append(", \"proposals\": [").append(picked).append("]")
                        .append(", \"warning\": ").append(result.transport().warning() == null ? "null"
                                : Json.string(result.transport().warning())).append('}');
            } else {
                String none = result.proposed() < k ? ", " + (k - result.proposed()) + " without a proposal" : "";
                out().printf(Locale.ROOT, "  %-34s %d / %d (%.1f%%)  [%d iterations%s%s]%n",
                        "largest plan entry, mass s = " + mass + ":", byPlan, k, 100.0 * byPlan / k,
                        result.transport().iterations(), result.transport().converged() ? "" : ", not converged", none);
            }
        }
        if (out != null) {
            NpyFiles.write("--out", out, NpyArray.of(new int[] {masses.length, n}, proposals, DType.INT64));
        }
        StringBuilder images = new StringBuilder();
        for (int r = 0; r < k; r++) {
            images.append(r == 0 ? "" : ", ").append(noisy[r]);
        }
        if (json) {
            out().println("{\"mismatched\": " + k + ", \"images\": [" + images + "], \"rematched_by_similarity\": " + bySimilarity
                    + ", \"chance\": " + Json.number(1.0 / (k - 1)) + ", \"mode\": " + Json.string(md.spelling())
                    + ", \"reg\": " + Json.number(reg) + ", \"plans\": [" + runs + "]"
                    + ", \"out\": " + (out == null ? "null" : Json.string(out.toString())) + "}");
        } else {
            out().printf(Locale.ROOT, "  %-34s 1 / %d (%.1f%%)%n", "chance:", k - 1, 100.0 / (k - 1));
            if (out != null) {
                out().println("  proposals written to " + out);
            }
        }
        return 0;
    }

    /** How many noisy images the picks (indices into the noisy batch, -1 for none) match with their true caption. */
    private static int hits(int[] pick, int[] noisy, double[] truth) {
        int hits = 0;
        for (int r = 0; r < pick.length; r++) {
            hits += pick[r] >= 0 && noisy[pick[r]] == (int) truth[noisy[r]] ? 1 : 0;
        }
        return hits;
    }
}

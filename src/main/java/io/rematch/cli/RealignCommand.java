package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.TransportResult;
import io.rematch.prob.Mode;
import io.rematch.rematch.RowLinearCost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rematch realign}: L2RM's rematching step on the mismatched pairs of a batch.
 *
 * <p>As in L2RM's training step B (see {@code L2RM-algorithm-notes.md}): the noisy pairs form a
 * batch of their own; their similarities go through the learnable cost at its initial value,
 * \(C = \max(\mathrm{ReLU}(1 - S), 10^{-10})\) ({@link RowLinearCost} with \(W = -I\), \(b = 1\));
 * a partial transport plan moving mass s between uniform marginals, with the given (wrong)
 * pairs forbidden ({@link MaskedPartialTransport}), proposes for each image the caption it should
 * have been paired with. The command reports, for each mismatched image, whether the plan's
 * largest entry in its row is its true caption, against the simplest alternative: the most
 * similar other caption of the noisy batch.
 */
@Command(name = "realign", mixinStandardHelpOptions = true,
        description = {"L2RM's rematching: partial optimal transport over the mismatched pairs of a batch, with the",
                "given pairs forbidden, proposes each image's true caption; compared with the nearest caption."})
final class RealignCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scores", required = true, paramLabel = "S.npy", description = "N x N batch score matrix.")
    Path scores;

    @Option(names = "--mismatched", required = true, paramLabel = "M.npy",
            description = "Length-N vector: 1 where pair i is mismatched (these are rematched), 0 where it is clean.")
    Path mismatched;

    @Option(names = "--true-caption", required = true, paramLabel = "T.npy",
            description = "Length-N vector: the batch index of image i's true caption (to score the proposals).")
    Path trueCaption;

    @Option(names = "--reg", defaultValue = "0.07", description = "Entropic regularisation > 0 (default: ${DEFAULT-VALUE}, L2RM's).")
    double reg;

    @Option(names = "--mass", defaultValue = "0.1,0.5,0.9", split = ",", paramLabel = "S[,S...]",
            description = "Transported mass s in (0, 1), one run each (default: ${DEFAULT-VALUE}; L2RM uses 0.1, its rho).")
    double[] masses;

    @Option(names = "--mode", defaultValue = "faithful", paramLabel = "faithful|stable",
            description = "faithful: the release's solver and stopping rule; stable: iterate until the marginals hold (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--json", description = "Print one JSON object on one line.")
    boolean json;

    @Override
    public Integer call() {
        Checks.positive("--reg", reg);
        for (double mass : masses) {
            Checks.inOpen("--mass", mass, 0.0, 1.0);
        }
        Mode md = Mode.parse("--mode", mode.equals("converged") ? "stable" : mode);
        DMatrixRMaj s = Checks.squareFinite("--scores", NpyFiles.readMatrix("--scores", scores));
        int n = s.numRows;
        double[] flags = NpyFiles.readPairFlags("--mismatched", mismatched, n);
        double[] truth = NpyFiles.readVector("--true-caption", trueCaption);
        if (truth.length != n) {
            throw new IllegalArgumentException("--true-caption must have one entry per pair (" + n + "), got " + truth.length);
        }
        int[] noisy = java.util.stream.IntStream.range(0, n).filter(i -> flags[i] == 1).toArray();
        if (noisy.length < 3) {
            throw new IllegalArgumentException("--mismatched marks " + noisy.length + " pairs; rematching needs at least 3");
        }
        for (int i = 0; i < n; i++) {
            if (truth[i] != Math.rint(truth[i]) || truth[i] < 0 || truth[i] >= n) {
                throw new IllegalArgumentException("--true-caption[" + i + "] is " + truth[i] + "; expected an index in [0, " + n + ")");
            }
        }
        int k = noisy.length;
        DMatrixRMaj sub = new DMatrixRMaj(k, k);
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                sub.set(r, c, s.get(noisy[r], noisy[c]));
            }
        }
        DMatrixRMaj cost = new RowLinearCost(k).cost(sub);
        for (int e = 0; e < cost.getNumElements(); e++) {
            cost.data[e] = Math.max(cost.data[e], 1e-10); // the release clips the cost at 1e-10
        }
        PrintWriter out = spec.commandLine().getOut();
        int bySimilarity = count(sub, noisy, truth);
        StringBuilder runs = new StringBuilder();
        if (!json) {
            out.printf(Locale.ROOT, "%d mismatched pairs rematched among themselves (L2RM: cost ReLU(1 - S), diagonal"
                    + " forbidden, reg %s, %s)%n", k, reg, md.name().toLowerCase(Locale.ROOT));
            out.printf(Locale.ROOT, "  %-34s %d / %d (%.1f%%)%n", "most similar other caption:", bySimilarity, k,
                    100.0 * bySimilarity / k);
        }
        for (double mass : masses) {
            TransportResult result = new MaskedPartialTransport(reg, mass, md).solveBatch(cost);
            int byPlan = count(result.plan(), noisy, truth);
            if (result.warning() != null) {
                spec.commandLine().getErr().println("rematch realign: warning: " + result.warning());
            }
            if (json) {
                runs.append(runs.length() == 0 ? "" : ", ").append("{\"mass\": ").append(Json.number(mass))
                        .append(", \"rematched_by_plan\": ").append(byPlan)
                        .append(", \"iterations\": ").append(result.iterations())
                        .append(", \"converged\": ").append(result.converged())
                        .append(", \"plan_mass\": ").append(Json.number(result.mass())).append('}');
            } else {
                out.printf(Locale.ROOT, "  %-34s %d / %d (%.1f%%)  [%d iterations]%n",
                        "largest plan entry, mass s = " + mass + ":", byPlan, k, 100.0 * byPlan / k, result.iterations());
            }
        }
        if (json) {
            out.println("{\"mismatched\": " + k + ", \"rematched_by_similarity\": " + bySimilarity
                    + ", \"chance\": " + Json.number(1.0 / (k - 1)) + ", \"plans\": [" + runs + "]}");
        } else {
            out.printf(Locale.ROOT, "  %-34s 1 / %d (%.1f%%)%n", "chance:", k - 1, 100.0 / (k - 1));
        }
        return 0;
    }

    /** How many noisy images have their true caption at the largest off-diagonal entry of their row of {@code m}. */
    private static int count(DMatrixRMaj m, int[] noisy, double[] truth) {
        int k = noisy.length, hits = 0;
        for (int r = 0; r < k; r++) {
            int pick = -1;
            for (int c = 0; c < k; c++) {
                if (c != r && (pick < 0 || m.get(r, c) > m.get(r, pick))) {
                    pick = c;
                }
            }
            hits += noisy[pick] == (int) truth[noisy[r]] ? 1 : 0;
        }
        return hits;
    }
}

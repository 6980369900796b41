package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.loss.LossValue;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.loss.ScoreLoss;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rematch loss}: one loss and its gradient on a batch score matrix read from .npy. */
@Command(name = "loss", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = {"rematch loss --scores=S.npy --loss=NAME [OPTIONS]"},
        description = {"Evaluate one loss and its gradient dL/dS on an N x N score matrix S.",
                "",
                "Losses: ccl-log, ccl-exp, ccl-gce, ccl-tan and ccl-mae (RCL Eq. 14-18); infonce (RCL Eq. 8); "
                        + "nl (ccl-log on one random negative); tr, tr-hn and tr-mean (triplet ranking: sum, "
                        + "hardest negative, L2RM's mean); rce (L2RM's warm-up loss); and L2RM's rematch losses "
                        + "sym-kl, kl, js and soft-infonce, which need --targets. The releases' own spellings "
                        + "work too, in any case: infoNCE, abs (MAE), log, RCE, sym_KL_Divergence, ...",
                "",
                "An option that the chosen loss does not use is refused."},
        versionProvider = Rematch.Version.class)
final class LossCommand extends Subcommand {

    @Option(names = "--scores", required = true, paramLabel = "S.npy", order = 1,
            description = "N x N score matrix: S[i][j] is the similarity of image i and text j; the diagonal holds "
                    + "the given pairs.")
    Path scores;

    @Option(names = "--loss", required = true, paramLabel = "NAME", order = 2, description = "The loss (see above).")
    String loss;

    @Mixin
    LossParameters parameters;

    @Option(names = "--negatives", defaultValue = "all", paramLabel = "SPEC", order = 20,
            description = "Negatives per anchor for ccl-*: all (N-1), ratio:R (a random fraction R in (0, 1)) or "
                    + "single (default: ${DEFAULT-VALUE}).")
    String negatives;

    @Option(names = "--mask", paramLabel = "M.npy", order = 21,
            description = "An explicit mask of negatives for ccl-*: N by N, a one marks a negative, the diagonal is zero; "
                    + "replaces --negatives.")
    Path mask;

    @Option(names = "--mode", defaultValue = "stable", paramLabel = "MODE", order = 22,
            description = "stable (the textbook formulas, finite at every scale) or faithful (exactly the RCL / "
                    + "L2RM release, its overflow and definitions included) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--targets", paramLabel = "P.npy", order = 23,
            description = "N x N soft targets for sym-kl, kl, js and soft-infonce: a transport plan, entries >= 0.")
    Path targets;

    @Option(names = "--grad-out", paramLabel = "G.npy", order = 24, description = "Write dL/dS here (float64 .npy).")
    Path gradOut;

    @Option(names = "--json", order = 25, description = "Print one JSON object on one line.")
    boolean json;

    @Mixin
    BackendOption backendOption;

    @Override
    Map<String, String> optionNames() {
        return Map.of("scores", "--scores", "tau", "--tau", "q", "--q", "margin", "--margin", "targets", "--targets",
                "mask", "--mask", "negatives", "--negatives");
    }

    @Override
    String memoryNeeds() {
        return matrixNeeds("--scores", scores, 5);
    }

    @Override
    int run() {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        // Options before files, each checked in terms of the option.
        String name = Losses.canonical("--loss", loss);
        parameters.validate();
        Mode md = Mode.parse("--mode", mode);
        boolean ccl = name.startsWith("ccl-");
        boolean triplet = name.startsWith("tr");
        boolean targeted = Losses.needsTargets(name);
        if (!triplet) {
            refuseIfGiven("--margin", "tr, tr-hn and tr-mean", name);
        } else {
            refuseIfGiven("--tau", "the softmax losses (every loss but tr, tr-hn and tr-mean)", name);
            refuseIfGiven("--mode", "the softmax losses (every loss but tr, tr-hn and tr-mean)", name);
        }
        if (!name.equals("ccl-gce")) {
            refuseIfGiven("--q", "ccl-gce", name);
        }
        if (!ccl) {
            refuseIfGiven("--negatives", "the ccl-* losses", name);
            refuseIfGiven("--mask", "the ccl-* losses", name);
        }
        if (mask != null && given("--negatives")) {
            throw new IllegalArgumentException("give either --mask or --negatives, not both");
        }
        Negatives neg = mask == null ? Negatives.parse(negatives, parameters.seed) : null;
        boolean randomNegatives = name.equals("nl") || (neg != null && neg.isRandom() && ccl);
        if (!randomNegatives) {
            refuseIfGiven("--seed", "nl and the ccl-* losses with --negatives ratio:R or single", name);
        }
        if (targeted && targets == null) {
            throw new IllegalArgumentException("--loss " + name + " needs --targets P.npy (the soft targets, e.g. a"
                    + " transport plan, N x N like --scores)");
        }
        if (!targeted) {
            refuseIfGiven("--targets", String.join(", ", Losses.TARGETED_NAMES), name);
        }
        if (gradOut != null) {
            NpyFiles.requireWritable("--grad-out", gradOut);
        }
        DMatrixRMaj s = Checks.square("--scores", NpyFiles.readMatrix("--scores", scores));
        if (mask != null) {
            DMatrixRMaj mm = NpyFiles.readMatrix("--mask", mask);
            if (mm.numRows != s.numRows || mm.numCols != s.numCols) {
                throw new IllegalArgumentException("--mask must be " + s.numRows + " x " + s.numRows
                        + " like --scores, got " + mm.numRows + " x " + mm.numCols);
            }
            neg = Negatives.fixed(PairMask.of("--mask", mm));
        }
        Losses.Settings settings = Losses.Settings.defaults().withTau(parameters.tau).withQ(parameters.q)
                .withMargin(parameters.margin).withNegatives(neg).withSeed(parameters.seed);
        settings = md == Mode.FAITHFUL ? settings.asReleased() : settings;
        ScoreLoss l;
        if (targeted) {
            DMatrixRMaj t = NpyFiles.readMatrix("--targets", targets);
            if (t.numRows != s.numRows || t.numCols != s.numCols) {
                throw new IllegalArgumentException("--targets must be " + s.numRows + " x " + s.numCols
                        + " like --scores, got " + t.numRows + " x " + t.numCols);
            }
            Checks.finite("--targets", t);
            for (int k = 0; k < t.getNumElements(); k++) {
                if (t.data[k] < 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "--targets[%d,%d] is %s; expected >= 0 (a transport plan)", k / t.numCols, k % t.numCols, t.data[k]));
                }
            }
            l = Losses.createTargeted(name, settings).withTargets(t);
        } else {
            l = Losses.create(name, settings);
        }
        LossValue v;
        try (io.rematch.backend.Backend backend = backendOption.open(this)) {
            v = backend.loss(l).evaluate(s);
            BackendOption.report(this, backend);
        }
        if (gradOut != null) {
            NpyFiles.writeMatrix("--grad-out", gradOut, v.gradient());
        }
        if (v.warning() != null) {
            warn(v.warning());
        }
        Map<String, String> used = used(name, md, neg);
        if (json) {
            StringBuilder b = new StringBuilder("{\"loss\": " + Json.number(v.value()) + ", \"name\": " + Json.string(name)
                    + ", \"n\": " + s.numRows);
            for (Map.Entry<String, String> e : used.entrySet()) {
                b.append(", ").append(Json.string(e.getKey())).append(": ").append(e.getValue());
            }
            b.append(", \"finite\": ").append(v.isFinite())
                    .append(", \"warning\": ").append(v.warning() == null ? "null" : Json.string(v.warning()))
                    .append(", \"grad_out\": ").append(gradOut == null ? "null" : Json.string(gradOut.toString())).append('}');
            out().println(b);
        } else {
            out().printf(Locale.ROOT, "%s = %.12g%n", name, v.value());
            List<String> parts = new ArrayList<>();
            parts.add("N = " + s.numRows);
            for (Map.Entry<String, String> e : used.entrySet()) {
                String value = e.getValue();
                parts.add(e.getKey() + " = " + (value.startsWith("\"") ? value.substring(1, value.length() - 1) : value));
            }
            out().println("  " + String.join(", ", parts));
            if (gradOut != null) {
                out().println("  gradient dL/dS written to " + gradOut);
            }
        }
        return 0;
    }

    /** The parameters the loss used, as JSON values, in the order the help lists them. */
    private Map<String, String> used(String name, Mode md, Negatives neg) {
        Map<String, String> m = new LinkedHashMap<>();
        if (name.startsWith("tr")) {
            m.put("margin", Json.number(parameters.margin));
            return m;
        }
        m.put("tau", Json.number(parameters.tau));
        if (name.equals("ccl-gce")) {
            m.put("q", Json.number(parameters.q));
        }
        if (name.startsWith("ccl-")) {
            m.put("negatives", Json.string(mask != null ? "mask:" + mask : negatives));
        }
        if (name.equals("nl")) {
            m.put("negatives", Json.string("single"));
        }
        if (name.equals("nl") || (name.startsWith("ccl-") && neg != null && neg.isRandom())) {
            m.put("seed", Long.toString(parameters.seed));
        }
        m.put("mode", Json.string(md.spelling()));
        if (targets != null) {
            m.put("targets", Json.string(targets.toString()));
        }
        return m;
    }
}

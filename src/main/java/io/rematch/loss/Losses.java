package io.rematch.loss;

import io.rematch.prob.Mode;
import java.util.List;

/**
 * The losses by their command-line names, for the CLI, notebooks and experiment configs.
 *
 * <table>
 *   <caption>Names</caption>
 *   <tr><th>name</th><th>loss</th><th>parameters used</th></tr>
 *   <tr><td>ccl-log, ccl-exp, ccl-gce, ccl-tan, ccl-mae</td><td>{@link ComplementaryContrastiveLoss} (RCL Eq. 14-18)</td><td>tau, negatives, mode; q for gce</td></tr>
 *   <tr><td>infonce</td><td>{@link ContrastiveLoss} (CL, RCL Eq. 8)</td><td>tau, mode</td></tr>
 *   <tr><td>nl</td><td>negative learning: ccl-log with one random negative per anchor</td><td>tau, mode, seed</td></tr>
 *   <tr><td>tr, tr-mean, tr-hn</td><td>{@link TripletRankingLoss} (sum / mean as L2RM's warm-up form / hardest negative)</td><td>margin</td></tr>
 *   <tr><td>rce</td><td>{@link SymmetricCrossEntropyLoss} (L2RM's warm-up loss)</td><td>tau, mode</td></tr>
 *   <tr><td>sym-kl, kl, js, soft-infonce</td><td>L2RM's rematch losses against soft targets:
 *       {@link SymmetricKlDivergenceLoss}, {@link KlDivergenceLoss}, {@link JensenShannonLoss},
 *       {@link SoftContrastiveLoss}; made by {@link #createTargeted}</td><td>tau, mode; targets</td></tr>
 * </table>
 */
public final class Losses {

    /** Every loss name: those {@link #create} accepts, then those {@link #createTargeted} accepts. */
    public static final List<String> NAMES = List.of(
            "ccl-log", "ccl-exp", "ccl-gce", "ccl-tan", "ccl-mae", "infonce", "tr", "tr-hn", "nl",
            "tr-mean", "rce", "sym-kl", "kl", "js", "soft-infonce");

    /** The names of the losses that need soft targets (a transport plan): {@link #createTargeted}. */
    public static final List<String> TARGETED_NAMES = List.of("sym-kl", "kl", "js", "soft-infonce");

    /** The names {@link #create} accepts: every loss that needs nothing but the scores. */
    public static final List<String> SCORE_ONLY_NAMES = NAMES.stream()
            .filter(n -> !TARGETED_NAMES.contains(n)).collect(java.util.stream.Collectors.toUnmodifiableList());

    /** Whether the loss called {@code name} needs targets (a transport plan) besides the scores. */
    public static boolean needsTargets(String name) {
        return TARGETED_NAMES.contains(name);
    }

    private Losses() {
    }

    /**
     * The settings a loss may use; each loss ignores the ones it has no use for.
     *
     * @param tau       softmax temperature, > 0 (RCL: 0.05)
     * @param q         GCE exponent in (0, 1] (RCL's scripts: 0.2, their --margin)
     * @param margin    triplet margin, >= 0 (0.2)
     * @param negatives complementary labels for the ccl-* losses
     * @param mode      stable or faithful
     * @param seed      seed of nl's random negative
     */
    public record Settings(double tau, double q, double margin, Negatives negatives, Mode mode, long seed) {

        /** The papers' defaults: tau 0.05, q 0.5, margin 0.2, all negatives, stable, seed 0. */
        public static Settings defaults() {
            return new Settings(0.05, 0.5, 0.2, Negatives.all(), Mode.STABLE, 0L);
        }
    }

    /**
     * Creates the loss called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name or out-of-range settings
     */
    public static ScoreLoss create(String name, Settings s) {
        if (name == null) {
            throw new IllegalArgumentException("name is missing; expected one of " + String.join(", ", NAMES));
        }
        if (s == null) {
            throw new IllegalArgumentException("settings is missing; Settings.defaults() gives the papers' values");
        }
        switch (name) {
            case "ccl-log":
                return new ComplementaryContrastiveLoss(ComplementaryBound.log(), s.tau(), s.negatives(), s.mode());
            case "ccl-exp":
                return new ComplementaryContrastiveLoss(ComplementaryBound.exp(), s.tau(), s.negatives(), s.mode());
            case "ccl-gce":
                return new ComplementaryContrastiveLoss(ComplementaryBound.gce(s.q()), s.tau(), s.negatives(), s.mode());
            case "ccl-tan":
                return new ComplementaryContrastiveLoss(ComplementaryBound.tan(), s.tau(), s.negatives(), s.mode());
            case "ccl-mae":
                return new ComplementaryContrastiveLoss(ComplementaryBound.mae(), s.tau(), s.negatives(), s.mode());
            case "infonce":
                return new ContrastiveLoss(s.tau(), s.mode());
            case "nl":
                return new NegativeLearning(s.tau(), s.mode(), s.seed());
            case "tr":
                return new TripletRankingLoss(s.margin(), false);
            case "tr-hn":
                return new TripletRankingLoss(s.margin(), true);
            case "tr-mean":
                return new TripletRankingLoss(s.margin(), TripletRankingLoss.Aggregation.MEAN);
            case "rce":
                return new SymmetricCrossEntropyLoss(s.tau(), s.mode());
            default:
                if (needsTargets(name)) {
                    throw new IllegalArgumentException("loss '" + name + "' needs targets (a transport plan):"
                            + " use createTargeted, or --targets on the command line");
                }
                throw new IllegalArgumentException("loss name must be one of " + String.join(", ", NAMES)
                        + "; got '" + name + "'");
        }
    }

    /**
     * Creates the rematch loss called {@code name} (one of {@link #TARGETED_NAMES}); it uses
     * {@code tau} and {@code mode} of the settings.
     *
     * @throws IllegalArgumentException for an unknown name or out-of-range settings
     */
    public static TargetedLoss createTargeted(String name, Settings s) {
        switch (name) {
            case "sym-kl":
                return new SymmetricKlDivergenceLoss(s.tau(), s.mode());
            case "kl":
                return new KlDivergenceLoss(s.tau(), s.mode());
            case "js":
                return new JensenShannonLoss(s.tau(), s.mode());
            case "soft-infonce":
                return new SoftContrastiveLoss(s.tau(), s.mode());
            default:
                throw new IllegalArgumentException("--loss with --targets must be one of "
                        + String.join(", ", TARGETED_NAMES) + "; got '" + name + "'");
        }
    }

    /** NL: the log bound on a single random negative per anchor, under its own name. */
    private static final class NegativeLearning implements ScoreLoss {
        private final ComplementaryContrastiveLoss ccl;

        NegativeLearning(double tau, Mode mode, long seed) {
            ccl = new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.single(seed), mode);
        }

        @Override
        public LossValue evaluate(org.ejml.data.DMatrixRMaj scores) {
            return ccl.evaluate(scores);
        }

        @Override
        public String name() {
            return "nl";
        }
    }
}

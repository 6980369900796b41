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
 *   <tr><td>tr, tr-hn</td><td>{@link TripletRankingLoss} (sum / hardest negative)</td><td>margin</td></tr>
 * </table>
 */
public final class Losses {

    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = List.of(
            "ccl-log", "ccl-exp", "ccl-gce", "ccl-tan", "ccl-mae", "infonce", "tr", "tr-hn", "nl");

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
            default:
                throw new IllegalArgumentException("loss name must be one of " + String.join(", ", NAMES)
                        + "; got '" + name + "'");
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

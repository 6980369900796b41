package io.rematch.loss;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 *   <tr><td>rce</td><td>{@link SymmetricCrossEntropyLoss} (L2RM's warm-up loss)</td><td>tau, rce label</td></tr>
 *   <tr><td>sym-kl, kl, js, soft-infonce</td><td>L2RM's rematch losses against soft targets:
 *       {@link SymmetricKlDivergenceLoss}, {@link KlDivergenceLoss}, {@link JensenShannonLoss},
 *       {@link SoftContrastiveLoss}; made by {@link #createTargeted}</td><td>tau, mode, empty targets; js form for js</td></tr>
 * </table>
 *
 * <p>{@link #canonical} also accepts the releases' own spellings, in any case: RCL's
 * {@code --loss} values ({@code log, exp, gce, tan, abs, infoNCE}; {@code abs} is MAE) and L2RM's
 * class names ({@code Soft_InfoNCE, KL_Divergence, sym_KL_Divergence, JS_Divergence, RCE, InfoNCE}).
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

    /** The releases' spellings (lower-cased) and the names they stand for. */
    private static final Map<String, String> ALIASES = aliases();

    private static Map<String, String> aliases() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String b : List.of("log", "exp", "gce", "tan")) {
            m.put(b, "ccl-" + b);                 // RCL's --loss
        }
        m.put("abs", "ccl-mae");                  // RCL's MAE
        m.put("mae", "ccl-mae");
        m.put("soft_infonce", "soft-infonce");    // L2RM's class names
        m.put("kl_divergence", "kl");
        m.put("sym_kl_divergence", "sym-kl");
        m.put("js_divergence", "js");
        return m;
    }

    private Losses() {
    }

    /**
     * The loss name for {@code name}: one of {@link #NAMES} in any case, or a release's spelling
     * (RCL's {@code infoNCE}, {@code abs}, ...; L2RM's {@code sym_KL_Divergence}, ...).
     *
     * @throws IllegalArgumentException naming {@code option} and the known names
     */
    public static String canonical(String option, String name) {
        if (name == null) {
            throw new IllegalArgumentException(option + " is missing; expected one of " + String.join(", ", NAMES));
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (NAMES.contains(lower)) {
            return lower;
        }
        String alias = ALIASES.get(lower);
        if (alias != null) {
            return alias;
        }
        throw new IllegalArgumentException(option + " must be one of " + String.join(", ", NAMES)
                + " (or a release's spelling: log, exp, gce, tan, abs, infoNCE, RCE, sym_KL_Divergence, KL_Divergence,"
                + " JS_Divergence, Soft_InfoNCE); got '" + name + "'");
    }

    /** Whether the loss called {@code name} needs targets (a transport plan) besides the scores. */
    public static boolean needsTargets(String name) {
        return TARGETED_NAMES.contains(name);
    }

    /**
     * The settings a loss may use; each loss reads the ones it needs. Validated on construction;
     * build them by name from {@link #defaults()} with the {@code with...} methods, e.g.
     * {@code Settings.defaults().withTau(0.1).withNegatives(Negatives.ratio(0.5, 7))}.
     *
     * @param tau          softmax temperature, > 0 (RCL: 0.05)
     * @param q            GCE exponent in (0, 1] (0.5 here; RCL's scripts: 0.2, their --margin)
     * @param margin       triplet margin, >= 0 (0.2)
     * @param negatives    complementary labels for the ccl-* losses
     * @param mode         arithmetic: stable or the releases' (faithful)
     * @param seed         seed of nl's random negative
     * @param jsForm       which divergence js computes
     * @param rceLabel     rce's diagonal label
     * @param emptyTargets what a target row without mass becomes in the rematch losses
     */
    public record Settings(double tau, double q, double margin, Negatives negatives, Mode mode, long seed,
                           JensenShannonLoss.Form jsForm, SymmetricCrossEntropyLoss.DiagonalLabel rceLabel,
                           SoftTargets.EmptyRows emptyTargets) {

        /** Checks every field, naming it. */
        public Settings {
            Checks.positive("tau", tau);
            Checks.inHalfOpen("q", q, 0.0, 1.0);
            Checks.nonNegative("margin", margin);
            Checks.present("negatives", negatives);
            Checks.present("mode", mode);
            Checks.present("jsForm", jsForm);
            Checks.present("rceLabel", rceLabel);
            Checks.present("emptyTargets", emptyTargets);
        }

        /**
         * The papers' hyper-parameters with textbook definitions: tau 0.05, q 0.5, margin 0.2, all
         * negatives, stable arithmetic, seed 0, textbook JS, rce label log 1, empty target rows refused.
         */
        public static Settings defaults() {
            return new Settings(0.05, 0.5, 0.2, Negatives.all(), Mode.STABLE, 0L, JensenShannonLoss.Form.TEXTBOOK,
                    SymmetricCrossEntropyLoss.DiagonalLabel.TEXTBOOK, SoftTargets.EmptyRows.REFUSE);
        }

        /**
         * These settings as the releases compute: faithful arithmetic and their definitions (L2RM's
         * mixture-first JS, rce label log(1 + 1e-7), empty target rows made uniform).
         */
        public Settings asReleased() {
            return new Settings(tau, q, margin, negatives, Mode.FAITHFUL, seed, JensenShannonLoss.Form.MIXTURE_FIRST,
                    SymmetricCrossEntropyLoss.DiagonalLabel.RELEASE, SoftTargets.EmptyRows.UNIFORM);
        }

        public Settings withTau(double tau) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withQ(double q) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withMargin(double margin) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withNegatives(Negatives negatives) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withMode(Mode mode) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withSeed(long seed) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withJsForm(JensenShannonLoss.Form jsForm) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withRceLabel(SymmetricCrossEntropyLoss.DiagonalLabel rceLabel) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }

        public Settings withEmptyTargets(SoftTargets.EmptyRows emptyTargets) {
            return new Settings(tau, q, margin, negatives, mode, seed, jsForm, rceLabel, emptyTargets);
        }
    }

    /**
     * Creates the loss called {@code name} ({@link #canonical} spellings accepted).
     *
     * @throws IllegalArgumentException for an unknown name, a name that needs targets, or missing settings
     */
    public static ScoreLoss create(String name, Settings s) {
        String loss = canonical("name", name);
        Checks.present("settings", s);
        switch (loss) {
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
                return new TripletRankingLoss(s.margin(), TripletRankingLoss.Aggregation.SUM);
            case "tr-hn":
                return new TripletRankingLoss(s.margin(), TripletRankingLoss.Aggregation.HARDEST);
            case "tr-mean":
                return new TripletRankingLoss(s.margin(), TripletRankingLoss.Aggregation.MEAN);
            case "rce":
                return new SymmetricCrossEntropyLoss(s.tau(), s.rceLabel());
            default:
                throw new IllegalArgumentException("loss '" + loss + "' needs targets (a transport plan):"
                        + " use createTargeted, or --targets on the command line");
        }
    }

    /**
     * Creates the rematch loss called {@code name} (one of {@link #TARGETED_NAMES}, or a
     * {@link #canonical} spelling of one).
     *
     * @throws IllegalArgumentException for an unknown name, a loss that takes no targets, or missing settings
     */
    public static TargetedLoss createTargeted(String name, Settings s) {
        String loss = canonical("name", name);
        Checks.present("settings", s);
        switch (loss) {
            case "sym-kl":
                return new SymmetricKlDivergenceLoss(s.tau(), s.mode(), s.emptyTargets());
            case "kl":
                return new KlDivergenceLoss(s.tau(), s.mode(), s.emptyTargets());
            case "js":
                return new JensenShannonLoss(s.tau(), s.mode(), s.jsForm(), s.emptyTargets());
            case "soft-infonce":
                return new SoftContrastiveLoss(s.tau(), s.mode(), s.emptyTargets());
            default:
                throw new IllegalArgumentException("loss '" + loss + "' takes no targets; targeted losses are "
                        + String.join(", ", TARGETED_NAMES));
        }
    }

    /**
     * The random negatives {@code loss} draws from, if any (CCL with ratio or single negatives, and
     * NL): a trainer saves and restores their {@link Negatives#state()} with its checkpoints, so
     * that a resumed run draws the negatives the uninterrupted run draws.
     */
    public static java.util.Optional<Negatives> randomNegatives(ScoreLoss loss) {
        Negatives n = null;
        if (loss instanceof ComplementaryContrastiveLoss c) {
            n = c.negatives();
        } else if (loss instanceof NegativeLearning nl) {
            n = nl.ccl.negatives();
        }
        return n != null && n.isRandom() ? java.util.Optional.of(n) : java.util.Optional.empty();
    }

    /** NL: the log bound on a single random negative per anchor, under its own name. */
    private static final class NegativeLearning implements ScoreLoss {
        private final ComplementaryContrastiveLoss ccl;

        NegativeLearning(double tau, Mode mode, long seed) {
            ccl = new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.single(seed), mode);
        }

        @Override
        public LossValue evaluate(org.ejml.data.DMatrixRMaj scores, LossWorkspace workspace) {
            return ccl.evaluate(scores, workspace, "nl");
        }

        @Override
        public String name() {
            return "nl";
        }
    }
}

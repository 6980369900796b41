package io.rematch.ot;

import io.rematch.check.Checks;

/**
 * When an iterative transport solver stops: a rule, its tolerance and an iteration cap.
 *
 * <p>{@link Rule#MARGINALS} is the default of every solver: it stops when the plan meets the
 * constraints of its problem to {@code tolerance} <em>relative to the transported mass</em>, so
 * that the same tolerance means the same thing for histograms of total 1 and of total
 * \(10^{-12}\). The change-based rules reproduce a reference implementation's loop exactly; a
 * plan they stop on is then checked against its constraints (to
 * {@link #FEASIBILITY_TOLERANCE} relative), and {@code converged} is reported only if it meets
 * them. A tolerance of 0 runs exactly {@code maxIterations} iterations and claims nothing.
 * "Meets its constraints" is relative to the mass: the largest violation is at most the
 * tolerance (marginals rule) or {@link #FEASIBILITY_TOLERANCE} (change-based rules) times the
 * transported mass.
 *
 * @param rule          what is compared with the tolerance
 * @param tolerance     \(\ge 0\); 0 runs the cap
 * @param maxIterations iteration cap \(\ge 1\)
 */
public record Stopping(Rule rule, double tolerance, int maxIterations) {

    /** Which quantity the tolerance bounds. */
    public enum Rule {
        /**
         * The constraint residual of the current plan divided by its mass. Balanced Sinkhorn:
         * \(\|\pi^\top\mathbf 1 - b\|_2 / \|b\|_1\) every 10th iteration (POT's
         * {@code stopThr} test, made relative). Partial OT: the largest violation of the
         * optimality conditions, \(\max_i\) of \((\pi\mathbf 1 - a)_i^+\), or
         * \(|\pi\mathbf 1 - a|_i\) where the row's dual scaling is active (\(\alpha_i &lt; 1\)), and
         * the same for the columns, over \(\mathfrak m\), every iteration. L2RM's masked partial
         * OT: \(\|\pi'\mathbf 1 - a'\|_2 / \|a'\|_1\) of the extended plan, every iteration.
         */
        MARGINALS,
        /**
         * POT 0.8.2's {@code entropic_partial_wasserstein} test: \(\|K_{\text{prev}} - K\|_F\)
         * every 10th iteration, loop while it exceeds the tolerance (POT's default \(10^{-100}\)
         * runs until an iterate repeats bit for bit, or to the cap). Partial solvers only.
         */
        PLAN_CHANGE,
        /**
         * The L2RM release's test: \(\|u - u_{\text{prev}}\|_2 &lt; \) tolerance (its
         * {@code thresh=1e-3}, potentials in cost units), every iteration. L2RM's masked partial
         * OT only.
         */
        POTENTIAL_CHANGE
    }

    /** The references' iteration cap (POT's {@code numItermax}, the L2RM release's {@code niter}). */
    public static final int DEFAULT_MAX_ITERATIONS = 1000;
    /**
     * The cap of the marginals rule: it stops as soon as the plan is feasible, so the cap is a
     * safety net, set where Dykstra's partial OT at full mass converges (about 2,000 iterations at
     * reg 0.05 on the bundled 128-pair batch, where Sinkhorn needs 171).
     */
    public static final int MARGINALS_MAX_ITERATIONS = 10_000;
    /** Default relative tolerance of {@link Rule#MARGINALS} (POT's Sinkhorn {@code stopThr}). */
    public static final double DEFAULT_TOLERANCE = 1e-9;
    /** POT 0.8.2's {@code entropic_partial_wasserstein(stopThr=1e-100)}. */
    public static final double POT_PARTIAL_TOLERANCE = 1e-100;
    /** The L2RM release's {@code thresh=1e-3} on \(\|u - u_{\text{prev}}\|_2\). */
    public static final double L2RM_RELEASE_TOLERANCE = 1e-3;
    /**
     * Relative constraint violation up to which a plan that a change-based rule stopped on still
     * counts as converged: well above the rounding of the scaling iterations (\(\sim 10^{-12}\)),
     * well below any violation that changes which pairs a plan matches.
     */
    public static final double FEASIBILITY_TOLERANCE = 1e-6;

    /** Validates the fields. */
    public Stopping {
        if (rule == null) {
            throw new IllegalArgumentException("stopping rule is missing");
        }
        Checks.nonNegative("tolerance", tolerance);
        Checks.atLeast("maxIterations", maxIterations, 1);
    }

    /** {@link Rule#MARGINALS} at \(10^{-9}\) relative, at most 10,000 iterations: every solver's default. */
    public static Stopping marginals() {
        return new Stopping(Rule.MARGINALS, DEFAULT_TOLERANCE, MARGINALS_MAX_ITERATIONS);
    }

    /** POT's partial OT loop: {@link Rule#PLAN_CHANGE} at \(10^{-100}\), 1000 iterations. */
    public static Stopping potPartial() {
        return new Stopping(Rule.PLAN_CHANGE, POT_PARTIAL_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /** The L2RM release's loop: {@link Rule#POTENTIAL_CHANGE} at \(10^{-3}\), 1000 iterations. */
    public static Stopping l2rmRelease() {
        return new Stopping(Rule.POTENTIAL_CHANGE, L2RM_RELEASE_TOLERANCE, DEFAULT_MAX_ITERATIONS);
    }

    /** This rule with another tolerance. */
    public Stopping withTolerance(double tolerance) {
        return new Stopping(rule, tolerance, maxIterations);
    }

    /** This rule with another iteration cap. */
    public Stopping withMaxIterations(int maxIterations) {
        return new Stopping(rule, tolerance, maxIterations);
    }

    /** Whether a tolerance of 0 asks for exactly {@link #maxIterations()} iterations. */
    public boolean fixedCount() {
        return tolerance == 0;
    }

    /** {@code marginals}, {@code plan-change} or {@code potential-change}: the command-line spelling. */
    public static String spelling(Rule rule) {
        return rule.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #spelling(Rule)} (any case), naming {@code option} on error. */
    public static Rule parseRule(String option, String value) {
        for (Rule r : Rule.values()) {
            if (spelling(r).equalsIgnoreCase(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException(option + " must be marginals, plan-change or potential-change, got '"
                + value + "'");
    }

    /** Throws, naming {@code solver}, unless the rule is one of {@code allowed}. */
    void requireRule(String solver, Rule... allowed) {
        for (Rule r : allowed) {
            if (r == rule) {
                return;
            }
        }
        StringBuilder names = new StringBuilder();
        for (Rule r : allowed) {
            names.append(names.length() == 0 ? "" : " or ").append(spelling(r));
        }
        throw new IllegalArgumentException("stopping rule " + spelling(rule) + " does not apply to " + solver
                + "; it stops on " + names);
    }
}

package io.rematch.ot;

import java.util.Locale;
import org.ejml.data.DMatrixRMaj;

/**
 * How every solver turns the end of its loop into a {@link TransportResult}: it decides
 * {@code converged} and writes the one warning, so that the flag means the same for all of them.
 *
 * <ul>
 *   <li>A fixed iteration count (tolerance 0) claims nothing: not converged, no warning.</li>
 *   <li>{@link Stopping.Rule#MARGINALS} met: converged (the rule is the constraint check).</li>
 *   <li>A change-based rule met: converged only if the plan's constraint violation is at most
 *       {@link Stopping#FEASIBILITY_TOLERANCE} relative to its mass; otherwise a warning says
 *       which constraint fails and by how much.</li>
 *   <li>The cap reached: not converged, a warning with the last error and, where the plan
 *       breaks its constraints, by how much.</li>
 * </ul>
 */
final class Convergence {

    private Convergence() {
    }

    /** A plan's largest constraint violation relative to its mass, and a sentence naming it (null if none). */
    record Violation(double relative, String text) {
    }

    /** The constraints of the problem a plan belongs to. */
    static final class Constraints {
        final double[] a;
        final double[] b;
        final double mass;
        final boolean balanced;

        final java.util.function.Supplier<Violation> measured;

        private Constraints(double[] a, double[] b, double mass, boolean balanced,
                            java.util.function.Supplier<Violation> measured) {
            this.a = a;
            this.b = b;
            this.mass = mass;
            this.balanced = balanced;
            this.measured = measured;
        }

        /** Rows sum to a, columns to b. */
        static Constraints balanced(double[] a, double[] b, double mass) {
            return new Constraints(a, b, mass, true, null);
        }

        /** Rows at most a, columns at most b, total mass {@code mass}. */
        static Constraints partial(double[] a, double[] b, double mass) {
            return new Constraints(a, b, mass, false, null);
        }

        /** A violation the solver measures itself (L2RM's extended plan), only when it is needed. */
        static Constraints measured(java.util.function.Supplier<Violation> violation) {
            return new Constraints(null, null, Double.NaN, false, violation);
        }

        /** The plan's violation of these constraints. */
        Violation violation(DMatrixRMaj plan) {
            if (measured != null) {
                return measured.get();
            }
            TransportResult probe = new TransportResult(plan, 0, new double[0], Double.NaN, false, null);
            double[] rows = probe.rowSums();
            double[] cols = probe.colSums();
            double scale = Math.max(mass, Double.MIN_NORMAL);
            double rowDev = 0, colDev = 0;
            for (int i = 0; i < rows.length; i++) {
                rowDev = Math.max(rowDev, balanced ? Math.abs(rows[i] - a[i]) : rows[i] - a[i]);
            }
            for (int j = 0; j < cols.length; j++) {
                colDev = Math.max(colDev, balanced ? Math.abs(cols[j] - b[j]) : cols[j] - b[j]);
            }
            double massDev = balanced ? 0 : Math.abs(probe.mass() - mass);
            double worst = Math.max(Math.max(rowDev, colDev), massDev) / scale;
            StringBuilder s = new StringBuilder();
            if (rowDev > Stopping.FEASIBILITY_TOLERANCE * scale) {
                s.append(String.format(Locale.ROOT, balanced ? " row sums miss a by up to %.3g;" : " row sums exceed a by up to %.3g;", rowDev));
            }
            if (colDev > Stopping.FEASIBILITY_TOLERANCE * scale) {
                s.append(String.format(Locale.ROOT, balanced ? " column sums miss b by up to %.3g;" : " column sums exceed b by up to %.3g;", colDev));
            }
            if (massDev > Stopping.FEASIBILITY_TOLERANCE * scale) {
                s.append(String.format(Locale.ROOT, " the total mass is %.6g instead of %.6g;", probe.mass(), mass));
            }
            return new Violation(worst, s.length() == 0 ? null : s.substring(1, s.length() - 1));
        }
    }

    /**
     * The result of a loop that ended.
     *
     * @param solver       the solver's name in messages (e.g. "entropic partial OT")
     * @param ruleMet      whether the stopping rule fired (false: the cap, or a numerical stop)
     * @param numerical    a numerical-trouble message that ended the loop early, or null
     * @param hint         what to try when the cap was reached
     */
    static TransportResult finish(DMatrixRMaj plan, int iterations, double[] errors, double error, Stopping stopping,
                                  boolean ruleMet, String numerical, Constraints constraints, String solver, String hint) {
        boolean needed = numerical != null || !stopping.fixedCount()
                && !(ruleMet && stopping.rule() == Stopping.Rule.MARGINALS);
        Violation v = needed ? constraints.violation(plan) : new Violation(0, null);
        double violation = v.relative();
        String broken = violation > Stopping.FEASIBILITY_TOLERANCE ? v.text() : null;
        if (numerical != null) {
            return new TransportResult(plan, iterations, errors, error, false,
                    numerical + (broken != null ? "; the plan is not feasible: " + broken : ""));
        }
        if (stopping.fixedCount()) {
            return new TransportResult(plan, iterations, errors, error, false, null);
        }
        if (ruleMet) {
            if (stopping.rule() == Stopping.Rule.MARGINALS || broken == null) {
                return new TransportResult(plan, iterations, errors, error, true, null);
            }
            return new TransportResult(plan, iterations, errors, error, false, String.format(Locale.ROOT,
                    "%s stopped on its %s test after %d iterations (error %.3g <= %.3g), but the plan is not"
                            + " feasible: %s (relative violation %.3g > %.0e); %s",
                    solver, Stopping.spelling(stopping.rule()), iterations, error, stopping.tolerance(), broken,
                    violation, Stopping.FEASIBILITY_TOLERANCE,
                    "the test compares successive iterates, which can agree while mass is still misplaced: use the"
                            + " marginals stopping rule, more iterations or a larger reg"));
        }
        return new TransportResult(plan, iterations, errors, error, false, String.format(Locale.ROOT,
                "%s did not converge: %d iterations, last error %.3g (tolerance %.3g, %s)%s; %s",
                solver, iterations, error, stopping.tolerance(), Stopping.spelling(stopping.rule()),
                broken != null ? "; the plan is not feasible: " + broken : "", hint));
    }
}

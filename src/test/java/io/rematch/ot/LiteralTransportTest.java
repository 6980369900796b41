package io.rematch.ot;

import static io.rematch.ot.PlanAssertions.assertPlanClose;
import static io.rematch.ot.PlanAssertions.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.reference.ReferenceCases;
import io.rematch.reference.ReferenceCases.Case;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The literal transport forms ({@link LiteralSinkhorn}, {@link LiteralPartialTransport},
 * {@link LiteralMaskedPartialTransport}) against the fast solvers on random problems, a fixed
 * number of iterations on both sides (the fast ones with tolerance 0 run exactly their cap):
 * every plan entry within 1e-10 of the largest (the same iterates, summed in another order and,
 * in the fast forms, on a kernel shifted by {@code min C} or cached). The literal POT form is
 * also checked against POT's own plans, entry by entry to 1e-10 relative. And where the literal
 * scaling form breaks: a {@code reg} at which {@code exp(-C / reg)} underflows.
 */
class LiteralTransportTest {

    static final double TOLERANCE = 1e-10;

    @Test
    void sinkhornInBothDomainsAgreesWithTheFastSolvers() {
        qt().forAll(integers().between(0, 80), longs().all(), doubles().between(0.05, 1.0), integers().between(1, 60))
                .checkAssert((shape, seed, reg, iterations) -> {
            int n = 1 + shape / 9;
            int m = 1 + shape % 9;
            Problem p = Problem.random(n, m, seed);
            Stopping fixed = new Stopping(Stopping.Rule.MARGINALS, 0, iterations);
            String what = n + " x " + m + ", reg " + reg + ", " + iterations + " iterations";
            DMatrixRMaj scaling = new SinkhornKnopp(reg, fixed).solve(p.cost(), p.a, p.b).plan();
            assertClose(scaling, LiteralSinkhorn.scaling(p.c, p.a, p.b, reg, iterations), what + ", scaling");
            DMatrixRMaj log = new LogSinkhorn(reg, fixed).solve(p.cost(), p.a, p.b).plan();
            assertClose(log, LiteralSinkhorn.logDomain(p.c, p.a, p.b, reg, iterations), what + ", log domain");
        });
    }

    @Test
    void potsPartialAgreesWithTheFactoredSolver() {
        qt().forAll(integers().between(0, 80), longs().all(), doubles().between(0.05, 1.0), doubles().between(0.05, 1.0))
                .checkAssert((shape, seed, reg, fraction) -> {
            int n = 1 + shape / 9;
            int m = 1 + shape % 9;
            Problem p = Problem.random(n, m, seed);
            double mass = fraction * Math.min(sum(p.a), sum(p.b));
            int iterations = 40;
            DMatrixRMaj fast = new EntropicPartialTransport(reg, mass, new Stopping(Stopping.Rule.MARGINALS, 0, iterations))
                    .solve(p.cost(), p.a, p.b).plan();
            assertClose(fast, LiteralPartialTransport.plan(p.c, p.a, p.b, reg, mass, iterations),
                    n + " x " + m + ", reg " + reg + ", mass " + mass);
        });
    }

    static Stream<Case> potPartialCases() {
        return ReferenceCases.load("pot_entropic_partial").stream();
    }

    /** POT's three projections, as written, give POT's plans (its dense corrections and all). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("potPartialCases")
    void potsPartialAsWrittenGivesPotsPlans(Case c) {
        double[][] cost = rows(c.matrix("M"));
        double[][] plan = LiteralPartialTransport.plan(cost, vector("pot_entropic_partial", c.get("a")),
                vector("pot_entropic_partial", c.get("b")), c.number("reg"), c.number("m"), (int) c.number("iterations"));
        assertPlanClose(new DMatrixRMaj(plan), c.matrix("plan"), TOLERANCE, 0, c + " plan");
    }

    @Test
    void l2rmsMaskedPartialAgreesWithTheFastSolver() {
        qt().forAll(integers().between(2, 9), longs().all(), doubles().between(0.02, 0.5), doubles().between(0.05, 0.5))
                .checkAssert((n, seed, reg, s) -> {
            int iterations = 1 + (int) Math.floorMod(seed, 40L);
            Problem p = Problem.random(n, n + 1, seed);
            double[] a = uniform(n);
            double[] b = uniform(n + 1);
            boolean[][] forbidden = new boolean[n][n + 1];
            for (int i = 0; i < n; i++) {
                forbidden[i][i] = true;                       // the given pairs, as L2RM forbids them
            }
            DMatrixRMaj fast = new MaskedPartialTransport(reg, s, Mode.STABLE,
                    new Stopping(Stopping.Rule.MARGINALS, 0, iterations))
                    .solve(p.cost(), a, b, PairMask.diagonal(n, n + 1)).plan();
            double[][] literal = LiteralMaskedPartialTransport.plan(p.c, a, b, reg, s, forbidden, iterations);
            assertClose(fast, literal, n + " x " + (n + 1) + ", reg " + reg + ", s " + s + ", " + iterations + " iterations");
            for (int i = 0; i < n; i++) {
                assertEquals(0.0, literal[i][i], "a forbidden pair carries nothing");
            }
        });
    }

    /**
     * At reg 0.001 a cost of 0.8 gives {@code exp(-800)}, below the double range: a whole row of
     * the literal kernel is 0, its scaling {@code a_i / 0} infinite and the plan NaN. The log form
     * keeps the row (its potentials absorb the -800), and so do the fast solvers: LogSinkhorn
     * directly, SinkhornKnopp by refusing the problem with a pointer to it.
     */
    @Test
    void theScalingFormUnderflowsWhereTheLogFormDoesNot() {
        double[][] c = {{0.8, 0.9}, {0.1, 0.3}};
        double[] a = {0.5, 0.5};
        double[] b = {0.5, 0.5};
        double reg = 0.001;
        int iterations = 50;
        double[][] scaling = LiteralSinkhorn.scaling(c, a, b, reg, iterations);
        assertTrue(Double.isNaN(scaling[0][0]), "exp(-800) = 0: row 0 of the kernel vanishes, its plan is NaN");
        double[][] log = LiteralSinkhorn.logDomain(c, a, b, reg, iterations);
        assertEquals(0.5, log[0][0] + log[0][1], 1e-12, "the log form keeps row 0's mass");
        DMatrixRMaj fast = new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 0, iterations))
                .solve(new DMatrixRMaj(c), a, b).plan();
        assertClose(fast, log, "log domain at reg 0.001");
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SinkhornKnopp(reg).solve(new DMatrixRMaj(new double[][] {{0.8, 0.9}, {0.1, 1.6}}), a, b));
        assertTrue(refused.getMessage().contains("reg") && refused.getMessage().contains("LogSinkhorn"),
                refused.getMessage());
    }

    /** A random problem: costs in [0, 1), marginals of total 1 with entries 0.5 to 1.5 times the mean. */
    record Problem(double[][] c, double[] a, double[] b) {
        static Problem random(int n, int m, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            double[][] c = new double[n][m];
            for (double[] row : c) {
                for (int j = 0; j < m; j++) {
                    row[j] = r.nextDouble();
                }
            }
            return new Problem(c, weights(r, n), weights(r, m));
        }

        DMatrixRMaj cost() {
            return new DMatrixRMaj(c);
        }

        static double[] weights(SplittableRandom r, int n) {
            double[] w = new double[n];
            double total = 0;
            for (int k = 0; k < n; k++) {
                w[k] = 0.5 + r.nextDouble();
                total += w[k];
            }
            for (int k = 0; k < n; k++) {
                w[k] /= total;
            }
            return w;
        }
    }

    static double[] uniform(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0 / n);
        return w;
    }

    static double sum(double[] x) {
        double s = 0;
        for (double e : x) {
            s += e;
        }
        return s;
    }

    static double[][] rows(DMatrixRMaj m) {
        double[][] a = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                a[i][j] = m.get(i, j);
            }
        }
        return a;
    }

    /** Every entry within {@link #TOLERANCE} of the fast plan's largest. */
    static void assertClose(DMatrixRMaj fast, double[][] literal, String what) {
        double largest = 0;
        for (double x : fast.data) {
            largest = Math.max(largest, Math.abs(x));
        }
        for (int i = 0; i < fast.numRows; i++) {
            for (int j = 0; j < fast.numCols; j++) {
                double d = Math.abs(fast.get(i, j) - literal[i][j]);
                assertTrue(d <= TOLERANCE * largest, what + ": plan[" + i + "][" + j + "] fast " + fast.get(i, j)
                        + ", literal " + literal[i][j]);
            }
        }
    }
}

package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import java.util.List;
import java.util.function.Function;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every documented caller mistake of the solvers gives an {@link IllegalArgumentException} whose
 * message names the argument ({@code cost}, {@code a}, {@code b}, {@code mass}, {@code reg},
 * {@code mask}), and numerical trouble never gives a NaN plan.
 */
class OtBadInputTest {

    static final DMatrixRMaj COST = new DMatrixRMaj(new double[][] {{0.1, 0.5, 0.9}, {0.4, 0.2, 0.7}, {0.8, 0.3, 0.05}});
    static final double[] U3 = {1.0 / 3, 1.0 / 3, 1.0 / 3};

    /** The five solvers as (cost, a, b) -> result with reg 0.1 and mass 0.5 where they take one. */
    static final List<Function<Object[], TransportResult>> SOLVERS = List.of(
            x -> new SinkhornKnopp(0.1).solve((DMatrixRMaj) x[0], (double[]) x[1], (double[]) x[2]),
            x -> new LogSinkhorn(0.1).solve((DMatrixRMaj) x[0], (double[]) x[1], (double[]) x[2]),
            x -> new EntropicPartialTransport(0.1, 0.5).solve((DMatrixRMaj) x[0], (double[]) x[1], (double[]) x[2]),
            x -> new LogEntropicPartialTransport(0.1, 0.5).solve((DMatrixRMaj) x[0], (double[]) x[1], (double[]) x[2]),
            x -> new MaskedPartialTransport(0.1, 0.5, Mode.FAITHFUL).solve((DMatrixRMaj) x[0], (double[]) x[1], (double[]) x[2], null));

    static void assertNames(String word, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(word) || e.getMessage().contains(" " + word),
                "message should name '" + word + "': " + e.getMessage());
    }

    static void eachSolver(String word, DMatrixRMaj cost, double[] a, double[] b) {
        for (Function<Object[], TransportResult> s : SOLVERS) {
            String name = word.equals("a") || word.equals("b") ? word : word;
            assertThrows(IllegalArgumentException.class, () -> s.apply(new Object[] {cost, a, b}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.apply(new Object[] {cost, a, b}));
            String msg = e.getMessage();
            // the L2RM solver calls its marginals p and q, as the release does
            boolean named = msg.startsWith(name) || msg.startsWith(name.equals("a") ? "p" : name.equals("b") ? "q" : name);
            assertTrue(named, "message should name '" + name + "': " + msg);
        }
    }

    @Test
    void nonFiniteCostsAreRejected() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            DMatrixRMaj c = COST.copy();
            c.set(1, 2, bad);
            eachSolver("cost[1,2]", c, U3, U3);
        }
        eachSolver("cost", new DMatrixRMaj(0, 3), new double[0], U3);
    }

    @Test
    void badMarginalsAreRejected() {
        eachSolver("a", COST, new double[] {0.5, -0.1, 0.6}, U3);
        eachSolver("a", COST, new double[] {0.5, Double.NaN, 0.5}, U3);
        eachSolver("a", COST, new double[] {0.5, 0.5}, U3);
        eachSolver("a", COST, new double[] {0, 0, 0}, U3);
        eachSolver("b", COST, U3, new double[] {0.5, 0.5, Double.POSITIVE_INFINITY});
        eachSolver("b", COST, U3, new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3, 0});
        eachSolver("b", COST, U3, new double[] {-1, 1, 1});
    }

    @Test
    void massOutsideItsRangeIsRejected() {
        for (double m : new double[] {0, -0.1, Double.NaN, 1.2}) {
            assertNames("mass", () -> new EntropicPartialTransport(0.1, m).solve(COST, U3, U3));
            assertNames("mass", () -> new LogEntropicPartialTransport(0.1, m).solve(COST, U3, U3));
            assertNames("mass", () -> new MaskedPartialTransport(0.1, m, Mode.STABLE).solve(COST, U3, U3, null));
        }
        // L2RM's dummy row and column need sum(p) - s > 0
        assertNames("mass", () -> new MaskedPartialTransport(0.1, 1.0, Mode.FAITHFUL).solve(COST, U3, U3, null));
        // partial OT accepts m = min(|a|, |b|) up to rounding of the sums
        assertFalse(new EntropicPartialTransport(0.1, 1.0).solve(COST, U3, U3).plan().data[0] < 0);
    }

    @Test
    void nonPositiveRegIsRejected() {
        for (double reg : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertNames("reg", () -> new SinkhornKnopp(reg));
            assertNames("reg", () -> new LogSinkhorn(reg));
            assertNames("reg", () -> new EntropicPartialTransport(reg, 0.5));
            assertNames("reg", () -> new LogEntropicPartialTransport(reg, 0.5));
            assertNames("reg", () -> new MaskedPartialTransport(reg, 0.1, Mode.FAITHFUL));
        }
    }

    /**
     * Partial transport need not use every row: a row (or column) whose entries are all forbidden
     * is a feasible problem whose plan leaves that row empty.
     */
    @Test
    void aFullyForbiddenRowOrColumnIsFeasible() {
        DMatrixRMaj row = new DMatrixRMaj(3, 3);
        DMatrixRMaj col = new DMatrixRMaj(3, 3);
        for (int k = 0; k < 3; k++) {
            row.set(1, k, 1);
            col.set(k, 2, 1);
        }
        for (DMatrixRMaj m : List.of(row, col)) {
            PairMask mask = PairMask.of("mask", m);
            for (TransportSolver solver : List.of(new EntropicPartialTransport(0.1, 0.5), new LogEntropicPartialTransport(0.1, 0.5),
                    // L2RM's dummy construction converges slowly here (row 1 must route all its mass
                    // through a dummy entry costing 100 max C = 1000 reg): some 10^4 iterations
                    new MaskedPartialTransport(0.1, 0.5, Mode.STABLE, Stopping.marginals().withMaxIterations(20_000)))) {
                TransportResult r = solver.solve(COST, U3, U3, mask);
                assertTrue(r.converged(), solver.name() + ": " + r.warning());
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        if (mask.contains(i, j)) {
                            assertEquals(0.0, r.plan().get(i, j), solver.name() + " forbidden entry");
                        }
                    }
                }
                assertTrue(r.maxRowExcess(U3) <= 1e-9 && r.maxColExcess(U3) <= 1e-9, solver.name() + " caps");
                if (solver instanceof EntropicPartialTransport || solver instanceof LogEntropicPartialTransport) {
                    assertEquals(0.5, r.mass(), 1e-9, solver.name() + " mass");
                }
            }
        }
    }

    @Test
    void badMasksAreRejected() {
        PairMask wrongShape = PairMask.diagonal(2, 3);
        assertNames("mask", () -> new EntropicPartialTransport(0.1, 0.5).solve(COST, U3, U3, wrongShape));
        assertNames("mask", () -> new LogEntropicPartialTransport(0.1, 0.5).solve(COST, U3, U3, wrongShape));
        assertNames("mask", () -> new MaskedPartialTransport(0.1, 0.1, Mode.FAITHFUL).solve(COST, U3, U3, wrongShape));
        // Two of three rows closed leave room for 1/3 of the mass: 0.5 cannot be transported.
        DMatrixRMaj rows = new DMatrixRMaj(3, 3);
        for (int j = 0; j < 3; j++) {
            rows.set(0, j, 1);
            rows.set(1, j, 1);
        }
        assertNames("mask", () -> new EntropicPartialTransport(0.1, 0.5).solve(COST, U3, U3, PairMask.of("mask", rows)));
        assertNames("mask", () -> new LogEntropicPartialTransport(0.1, 0.5).solve(COST, U3, U3, PairMask.of("mask", rows)));
        assertNames("mask", () -> new MaskedPartialTransport(0.1, 0.5, Mode.STABLE).solve(COST, U3, U3, PairMask.of("mask", rows)));
        // a 1 x 1 batch with its diagonal forbidden has nothing left
        assertNames("mask", () -> new MaskedPartialTransport(0.1, 0.1, Mode.FAITHFUL).solveBatch(new DMatrixRMaj(new double[][] {{0.5}})));
        DMatrixRMaj notBinary = new DMatrixRMaj(3, 3);
        notBinary.set(0, 0, 0.5);
        assertNames("--mask[0,0]", () -> PairMask.of("--mask", notBinary));
    }

    @Test
    void negativeOrZeroCostsAreRejectedByTheDummyConstruction() {
        DMatrixRMaj neg = COST.copy();
        neg.set(0, 1, -0.2);
        assertNames("cost[0,1]", () -> new MaskedPartialTransport(0.1, 0.1, Mode.FAITHFUL).solve(neg, U3, U3, null));
        assertNames("cost", () -> new MaskedPartialTransport(0.1, 0.1, Mode.FAITHFUL).solve(new DMatrixRMaj(3, 3), U3, U3, null));
    }

    /**
     * Row 1 costs 100 more than row 0: at reg 0.1, exp(-100/0.1) = 0 in double, so the scaling
     * solvers refuse (naming reg, pointing to the log domain) where POT returns NaN (POT issue #723),
     * and the log-domain solvers return a finite plan with the right marginals.
     */
    @Test
    void kernelUnderflowIsReportedAndTheLogDomainSolvesIt() {
        DMatrixRMaj c = new DMatrixRMaj(new double[][] {{0, 0.5}, {100, 100.2}});
        double[] h = {0.5, 0.5};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SinkhornKnopp(0.1).solve(c, h, h));
        assertTrue(e.getMessage().startsWith("reg = 0.1") && e.getMessage().contains("row 1")
                && e.getMessage().contains("log-domain") && e.getMessage().contains("sinkhorn-log"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new EntropicPartialTransport(0.1, 0.9).solve(c, h, h));
        assertTrue(e2.getMessage().startsWith("reg") && e2.getMessage().contains("partial-log"), e2.getMessage());

        TransportResult r = new LogSinkhorn(0.1).solve(c, h, h);
        assertTrue(r.converged());
        TransportContractProperties.assertNonNegativeFinite(r, "log sinkhorn");
        TransportContractProperties.assertClose(h, r.rowSums(), 1e-9, "rows");
        TransportContractProperties.assertClose(h, r.colSums(), 1e-9, "cols");
        // Partial OT must lift row 1 by e^{1000} through the mass projection (x 1.8 per
        // iteration): slow, and POT's absolute change criterion (1e-100) would stop while row 1
        // is still ~1e-160, so run a fixed count (tolerance 0) on a gap of 80 (e^{-800} = 0).
        DMatrixRMaj c80 = new DMatrixRMaj(new double[][] {{0, 0.5}, {80, 80.2}});
        assertThrows(IllegalArgumentException.class, () -> new EntropicPartialTransport(0.1, 0.9).solve(c80, h, h));
        TransportResult p = new LogEntropicPartialTransport(0.1, 0.9, new Stopping(Stopping.Rule.PLAN_CHANGE, 0, 5000)).solve(c80, h, h);
        TransportContractProperties.assertNonNegativeFinite(p, "log partial");
        assertTrue(Math.abs(p.mass() - 0.9) < 1e-12, "mass " + p.mass());
        assertTrue(p.maxRowExcess(h) < 1e-9 && p.maxColExcess(h) < 1e-9, p.maxRowExcess(h) + " " + p.maxColExcess(h));
        assertTrue(p.plan().get(1, 0) + p.plan().get(1, 1) > 0.39, "row 1 carries its share");
    }

    /** Reaching the cap is not an error: a result with converged = false and a warning. */
    @Test
    void theIterationCapGivesAWarningNotAnException() {
        TransportResult r = new SinkhornKnopp(0.01, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 3)).solve(COST);
        assertFalse(r.converged());
        assertNotNull(r.warning());
        assertTrue(r.warning().contains("did not converge"), r.warning());
        TransportContractProperties.assertNonNegativeFinite(r, "capped");
        assertThrows(IllegalArgumentException.class, () -> new SinkhornKnopp(0.1, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 0)));
        assertThrows(IllegalArgumentException.class, () -> new SinkhornKnopp(0.1, new Stopping(Stopping.Rule.MARGINALS, -1, 10)));
    }

    @Test
    void bruteForceRejectsLargeOrNonSquareCosts() {
        assertNames("cost", () -> BruteForceAssignment.solve(new DMatrixRMaj(8, 8)));
        assertNames("cost", () -> BruteForceAssignment.solve(new DMatrixRMaj(2, 3)));
    }
}

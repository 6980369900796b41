package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * What {@code converged} promises: the plan meets the constraints of its problem. A
 * change-based rule that fires on an infeasible plan is reported as not converged; tolerances
 * are relative to the mass; problems that cannot converge are refused before iterating.
 */
class ConvergenceTest {

    /** Costs in [0, 1). */
    static final DMatrixRMaj COST = absolute(TestMatrices.uniform(5, 5, 1, 17));

    static DMatrixRMaj absolute(DMatrixRMaj m) {
        for (int k = 0; k < m.getNumElements(); k++) {
            m.data[k] = Math.abs(m.data[k]);
        }
        return m;
    }

    static double[] uniform(int n, double total) {
        double[] h = new double[n];
        java.util.Arrays.fill(h, total / n);
        return h;
    }

    @Test
    void aPlanChangeTestThatFiresOnAnInfeasiblePlanIsNotConvergence() {
        double[] u = uniform(5, 1);
        // A loose change tolerance stops after the first test, long before the caps hold.
        Stopping loose = new Stopping(Stopping.Rule.PLAN_CHANGE, 0.5, 1000);
        for (TransportSolver s : List.of(new EntropicPartialTransport(0.02, 0.5, loose),
                new LogEntropicPartialTransport(0.02, 0.5, loose))) {
            TransportResult r = s.solve(COST, u, u);
            assertTrue(r.iterations() < 1000, s.name() + " stopped early");
            double violation = Math.max(r.maxRowExcess(u), r.maxColExcess(u));
            assertTrue(violation > 1e-3, s.name() + ": the plan is infeasible, excess " + violation);
            assertFalse(r.converged(), s.name());
            assertTrue(r.warning().contains("stopped on its plan-change test") && r.warning().contains("not feasible"),
                    r.warning());
        }
    }

    @Test
    void theMarginalsRuleConvergesOnlyOnAFeasiblePlan() {
        double[] u = uniform(5, 1);
        for (TransportSolver s : List.of(new EntropicPartialTransport(0.02, 0.5), new LogEntropicPartialTransport(0.02, 0.5),
                new LogEntropicPartialTransport(1e-4, 0.5, Stopping.marginals().withMaxIterations(100_000)))) {
            TransportResult r = s.solve(COST, u, u);
            assertTrue(r.converged(), s.name() + ": " + r.warning());
            assertNull(r.warning());
            assertTrue(r.maxRowExcess(u) <= 1e-9 && r.maxColExcess(u) <= 1e-9, s.name() + " caps");
            assertEquals(0.5, r.mass(), 1e-12, s.name() + " mass");
        }
    }

    @Test
    void theDefaultPartialRunDoesNotWarnAboutItsOwnDefaults() {
        TransportResult r = new EntropicPartialTransport(0.05, 0.5).solve(COST, uniform(5, 1), uniform(5, 1));
        assertTrue(r.converged());
        assertNull(r.warning());
        assertTrue(r.iterations() < 1000, "stops when the plan is optimal, not at the cap: " + r.iterations());
    }

    @Test
    void potsLoopRunsItsCapAndSaysSo() {
        // (POT's loop also ends where an iterate is a bit-for-bit fixed point; at this reg it is not)
        TransportResult r = new EntropicPartialTransport(0.05, 0.8, Stopping.potPartial()).solve(COST, uniform(5, 1), uniform(5, 1));
        assertEquals(1000, r.iterations());
        assertFalse(r.converged());
        assertTrue(r.warning().contains("1e-100"), r.warning());
    }

    @Test
    void aFixedIterationCountClaimsNothingAndWarnsNothing() {
        for (TransportSolver s : List.of(new SinkhornKnopp(0.1, new Stopping(Stopping.Rule.MARGINALS, 0, 7)),
                new EntropicPartialTransport(0.1, 0.5, new Stopping(Stopping.Rule.MARGINALS, 0, 7)),
                new MaskedPartialTransport(0.1, 0.1, Mode.STABLE, new Stopping(Stopping.Rule.MARGINALS, 0, 7)))) {
            TransportResult r = s.solve(COST, uniform(5, 1), uniform(5, 1));
            assertEquals(7, r.iterations(), s.name());
            assertFalse(r.converged(), s.name());
            assertNull(r.warning(), s.name());
        }
    }

    /** The same problem with all masses times 1e-12: the same iterations, the plan times 1e-12. */
    @Test
    void tolerancesAreRelativeToTheMass() {
        double tiny = 1e-12;
        for (String method : Transports.METHODS) {
            Transports.Settings settings = Transports.Settings.of(0.1);
            TransportSolver unit = Transports.create(method, method.startsWith("sinkhorn") ? settings : settings.withMass(0.1));
            TransportSolver small = Transports.create(method, method.startsWith("sinkhorn") ? settings : settings.withMass(0.1 * tiny));
            TransportResult one = unit.solve(COST, uniform(5, 1), uniform(5, 1));
            TransportResult scaled = small.solve(COST, uniform(5, tiny), uniform(5, tiny));
            assertTrue(one.converged() && scaled.converged(), method);
            assertEquals(one.iterations(), scaled.iterations(), method + " iterations");
            for (int k = 0; k < 25; k++) {
                assertEquals(one.plan().data[k] * tiny, scaled.plan().data[k], 1e-8 * one.plan().data[k] * tiny + 1e-300,
                        method + " plan entry " + k);
            }
        }
    }

    @Test
    void balancedTransportRefusesUnequalTotalsUpFront() {
        double[] a = uniform(5, 1);
        double[] b = uniform(5, 1.1);
        for (TransportSolver s : List.of(new SinkhornKnopp(0.1), new LogSinkhorn(0.1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.solve(COST, a, b));
            assertTrue(e.getMessage().startsWith("a, b: ") && e.getMessage().contains("sum a = 1.0000000000000000")
                    && e.getMessage().contains("sum b = 1.1000000000000000"), e.getMessage());
        }
        // totals equal to rounding are fine
        double[] third = uniform(3, 1);
        assertTrue(new SinkhornKnopp(0.1).solve(TestMatrices.uniform(3, 5, 1, 2), third, uniform(5, 1)).converged());
    }

    @Test
    void aRegularisationBelowTheCostsRoundingIsRefused() {
        double[] u = uniform(5, 1);
        for (double reg : new double[] {1e-300, 1e-30, 1e-12}) {
            for (TransportSolver s : List.of(new LogSinkhorn(reg), new LogEntropicPartialTransport(reg, 0.5),
                    new MaskedPartialTransport(reg, 0.1, Mode.FAITHFUL), new MaskedPartialTransport(reg, 0.1, Mode.STABLE))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.solve(COST, u, u,
                        s instanceof MaskedPartialTransport ? PairMask.diagonal(5) : null), s.name() + " reg " + reg);
                assertTrue(e.getMessage().startsWith("reg = " + reg + " is too small for costs of magnitude"), e.getMessage());
            }
        }
    }

    @Test
    void l2rmRefusesCostsWhoseDummyEntriesOverflow() {
        DMatrixRMaj huge = COST.copy();
        for (int k = 0; k < huge.getNumElements(); k++) {
            huge.data[k] = Math.abs(huge.data[k]) * 1e307;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskedPartialTransport(1e300, 0.1, Mode.STABLE).solveBatch(huge));
        assertTrue(e.getMessage().startsWith("cost: its largest entry") && e.getMessage().contains("rescale"), e.getMessage());
    }

    @Test
    void aRowWithoutPlanMassProposesNothing() {
        DMatrixRMaj plan = new DMatrixRMaj(new double[][] {{0, 0.2, 0.1}, {0, 0, 0}, {0.3, 0.3, 0}});
        TransportResult r = new TransportResult(plan, 1, new double[0], Double.NaN, false, null);
        assertArrayEquals(new int[] {1, -1, 0}, r.rowArgMax());
    }
}

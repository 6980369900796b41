package io.rematch.ot;

import static io.rematch.ot.PlanAssertions.assertPlanClose;
import static io.rematch.ot.PlanAssertions.maxRelativeDiff;
import static io.rematch.ot.PlanAssertions.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.reference.ReferenceCases.Case;
import io.rematch.reference.ReferenceCases;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance with POT 0.8.2 ({@code ot.sinkhorn} / {@code ot.bregman.sinkhorn_log},
 * {@code ot.partial.entropic_partial_wasserstein}) and with the L2RM release
 * ({@code SGRAF.partial_ot}), from {@code src/test/resources/reference} (PROVENANCE.md there;
 * {@code cases.tsv} made by {@code make_ot_cases.py}). Plans are compared entry by entry,
 * relative to the entry ({@link #FLOOR} = 0).
 */
class OtConformance {

    /** Issue #3 / manifest tolerance_hint: balanced Sinkhorn, both methods. */
    static final double SINKHORN_TOLERANCE = 1e-10;
    /** Issue #3 asks 1e-6 for POT's partial OT; the O(n + m) factorisation reaches 1e-10. */
    static final double PARTIAL_TOLERANCE = 1e-10;
    /** Issue #3: faithful mode on the float64 cost vs plan_clean_f64. */
    static final double L2RM_CLEAN_TOLERANCE = 1e-9;
    /** Manifest: float32 pipeline (cost and dummy mass rounded to float32, float32 output). */
    static final double L2RM_F32_TOLERANCE = 1e-5;
    /** The marginal error is a difference of O(1) sums: equal up to rounding of those sums. */
    static final double ERROR_TOLERANCE = 1e-15;
    /** Purely relative per entry (the solvers keep relative precision even on entries of 1e-144). */
    static final double FLOOR = 0;

    static Stream<Case> sinkhornCases() {
        return ReferenceCases.load("pot_sinkhorn").stream();
    }

    static Stream<Case> partialCases() {
        return ReferenceCases.load("pot_entropic_partial").stream();
    }

    static Stream<Case> l2rmCases() {
        return ReferenceCases.load("l2rm_partial_ot").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sinkhornCases")
    void sinkhornKnoppMatchesPot(Case c) {
        TransportResult r = new SinkhornKnopp(c.number("reg"), new Stopping(Stopping.Rule.MARGINALS, c.number("tol"), (int) c.number("max_iter")))
                .solve(c.matrix("M"), vector("pot_sinkhorn", c.get("a")), vector("pot_sinkhorn", c.get("b")));
        assertPlanClose(r.plan(), c.matrix("plan_sinkhorn"), SINKHORN_TOLERANCE, FLOOR, c + " plan");
        assertEquals((int) c.number("iterations_sinkhorn"), r.iterations(), c + " iterations");
        assertEquals(c.number("err_sinkhorn"), r.error(), ERROR_TOLERANCE + 1e-6 * c.number("err_sinkhorn"), c + " last error");
        boolean warns = Boolean.parseBoolean(c.get("warns"));
        assertEquals(!warns, r.converged(), c + " converged");
        assertEquals(warns, r.warning() != null, c + " warning");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sinkhornCases")
    void logSinkhornMatchesPot(Case c) {
        TransportResult r = new LogSinkhorn(c.number("reg"), new Stopping(Stopping.Rule.MARGINALS, c.number("tol"), (int) c.number("max_iter")))
                .solve(c.matrix("M"), vector("pot_sinkhorn", c.get("a")), vector("pot_sinkhorn", c.get("b")));
        assertPlanClose(r.plan(), c.matrix("plan_sinkhorn_log"), SINKHORN_TOLERANCE, FLOOR, c + " plan");
        assertEquals((int) c.number("iterations_log"), r.iterations(), c + " iterations");
        assertEquals(c.number("err_log"), r.error(), ERROR_TOLERANCE + 1e-6 * c.number("err_log"), c + " last error");
        assertEquals(!Boolean.parseBoolean(c.get("warns")), r.converged(), c + " converged");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partialCases")
    void entropicPartialMatchesPot(Case c) {
        TransportResult r = new EntropicPartialTransport(c.number("reg"), c.number("m"), new Stopping(Stopping.Rule.PLAN_CHANGE, c.number("tol"), (int) c.number("max_iter")))
                .solve(c.matrix("M"), vector("pot_entropic_partial", c.get("a")), vector("pot_entropic_partial", c.get("b")));
        checkPartial(c, r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partialCases")
    void logEntropicPartialMatchesPot(Case c) {
        TransportResult r = new LogEntropicPartialTransport(c.number("reg"), c.number("m"), new Stopping(Stopping.Rule.PLAN_CHANGE, c.number("tol"), (int) c.number("max_iter")))
                .solve(c.matrix("M"), vector("pot_entropic_partial", c.get("a")), vector("pot_entropic_partial", c.get("b")));
        checkPartial(c, r);
    }

    /**
     * Same plan to 1e-10, same iteration count, except where an iterate becomes a bit-for-bit
     * fixed point (change exactly 0), which ends the loop: the factored iterate
     * \(\gamma\,\mathrm{diag}(\alpha) K_0 \mathrm{diag}(\beta)\) often gets there sooner than POT's,
     * whose dense correction arrays keep moving in the last bit (POT reaches 0 only in c01 and
     * c05), and the log-domain variant, which also asks its factors to be stationary, may run
     * on to the cap. From a fixed point more iterations change nothing: the plans still agree.
     */
    private static void checkPartial(Case c, TransportResult r) {
        assertPlanClose(r.plan(), c.matrix("plan"), PARTIAL_TOLERANCE, FLOOR, c + " plan");
        int potIterations = (int) c.number("iterations");
        boolean oursFixed = r.error() == 0.0;
        boolean potFixed = c.number("last_err") == 0.0;
        if (oursFixed) {
            assertTrue(r.iterations() <= potIterations || potFixed, c + " iterations " + r.iterations());
        } else {
            assertEquals(potFixed ? (int) c.number("max_iter") : potIterations, r.iterations(), c + " iterations");
        }
        assertEquals(c.number("cost"), r.cost(c.matrix("M")), 1e-10 * c.number("cost"), c + " cost");
        assertEquals(c.number("m"), r.mass(), 1e-12, c + " mass");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("l2rmCases")
    void l2rmFaithfulMatchesTheReleaseInFloat64(Case c) {
        TransportResult r = l2rm(c, c.matrix("cost_f64"));
        assertPlanClose(r.plan(), c.matrix("plan_clean_f64"), L2RM_CLEAN_TOLERANCE, FLOOR, c + " plan");
        assertEquals((int) c.number("iterations_clean"), r.iterations(), c + " iterations");
        assertEquals(c.number("final_err_clean"), r.error(), 1e-9 * c.number("final_err_clean"), c + " final ||u - u_prev||");
        assertEquals(c.number("mass_clean"), r.mass(), 1e-9 * c.number("mass_clean"), c + " mass");
        // The release's rule (||u - u_prev|| < 1e-3) fired before the cap; converged says whether the
        // plan it stopped on also meets its (extended) marginals, which it does only roughly.
        assertTrue(r.iterations() < (int) c.number("max_iter"), c + " stopped by the release's rule");
        // On every reference case it does not: the release's plans miss their row masses by 0.3% to 2%.
        assertFalse(r.converged(), c + " converged");
        assertTrue(r.warning().contains("stopped on its potential-change test") && r.warning().contains("not feasible"),
                c + " warning: " + r.warning());
        if (Boolean.parseBoolean(c.get("diagonal_masked"))) {
            for (int i = 0; i < r.plan().numRows; i++) {
                assertEquals(0.0, r.plan().get(i, i), c + " diagonal");
            }
        }
    }

    /**
     * The float32 pipeline (cost, dummy mass and output rounded to float32) is matched to 1e-5
     * relative: running faithful mode on the float32 cost with the float32 dummy mass
     * (0.8999999761581421) leaves only the output rounding (5e-8) and float32's log(q).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("l2rmCases")
    void l2rmFaithfulMatchesTheFloat32Release(Case c) {
        DMatrixRMaj want = c.matrix("plan_orig_f32");
        TransportResult r = l2rm(c, c.matrix("cost_f64"));
        double rel = maxRelativeDiff(r.plan(), want, 1e-6);
        assertTrue(rel <= L2RM_F32_TOLERANCE, c + ": float64 faithful vs float32 release " + rel);
        assertEquals((int) c.number("iterations_orig"), l2rm(c, c.matrix("cost_f32")).iterations(), c + " iterations");
    }

    private static TransportResult l2rm(Case c, DMatrixRMaj cost) {
        int n = (int) c.number("n");
        MaskedPartialTransport solver = new MaskedPartialTransport(c.number("reg"), c.number("s"), Mode.FAITHFUL, new Stopping(Stopping.Rule.POTENTIAL_CHANGE, c.number("tol"), (int) c.number("max_iter")));
        PairMask mask = Boolean.parseBoolean(c.get("diagonal_masked")) ? PairMask.diagonal(n, n) : null;
        return solver.solve(cost, TransportArguments.uniform(n), TransportArguments.uniform(n), mask);
    }
}

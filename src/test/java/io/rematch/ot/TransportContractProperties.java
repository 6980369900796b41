package io.rematch.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The contract every optimal-transport solver of {@code io.rematch.ot} satisfies, on random
 * problems (QuickTheories prints the seed of a failing example; replay with {@code -DQT_SEED=}):
 * plans are non-negative and finite; balanced plans have marginals \(a, b\); partial plans
 * respect \(\pi\mathbf 1 \le a\), \(\pi^\top \mathbf 1 \le b\) and carry mass \(\mathfrak m\);
 * forbidden entries are exactly 0; the scaling and log-domain variants give the same iterates;
 * partial OT with \(\mathfrak m = \|a\|_1 = \|b\|_1\) is balanced OT; as \(\varepsilon \to 0\) the
 * cost tends to the exact optimum (brute force); balanced plans do not change when a constant is
 * added to the cost.
 */
class TransportContractProperties {

    /** Marginal tolerance of solvers run to convergence. */
    static final double MARGINAL_TOLERANCE = 1e-8;
    /** Agreement of the scaling and log-domain variants after the same iterations. */
    static final double VARIANT_TOLERANCE = 1e-9;
    static final int EXAMPLES = 60;

    /** A random problem: cost in [0, scale), masses in [0.05, 1) (a few exact zeros), mass fraction. */
    record Problem(DMatrixRMaj cost, double[] a, double[] b, double reg, double massFraction, PairMask mask, long seed) {
        double mass() {
            return massFraction * Math.min(sum(a), sum(b));
        }

        @Override
        public String toString() {
            return cost.numRows + "x" + cost.numCols + " reg=" + reg + " massFraction=" + massFraction + " seed=" + seed;
        }
    }

    static Problem problem(int n, int m, long seed, double reg, boolean zeros, boolean masked) {
        SplittableRandom r = new SplittableRandom(seed);
        DMatrixRMaj c = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            c.data[k] = r.nextDouble();
        }
        double[] a = new double[n];
        double[] b = new double[m];
        for (int i = 0; i < n; i++) {
            a[i] = zeros && n > 1 && r.nextInt(6) == 0 ? 0 : 0.05 + r.nextDouble();
        }
        for (int j = 0; j < m; j++) {
            b[j] = zeros && m > 1 && r.nextInt(6) == 0 ? 0 : 0.05 + r.nextDouble();
        }
        if (sum(a) == 0) {
            a[0] = 1;
        }
        if (sum(b) == 0) {
            b[0] = 1;
        }
        PairMask mask = null;
        if (masked && n > 1 && m > 1) {
            DMatrixRMaj f = new DMatrixRMaj(n, m);
            for (int k = 0; k < n * m; k++) {
                f.data[k] = r.nextInt(4) == 0 ? 1 : 0;
            }
            for (int i = 0; i < n; i++) {
                f.set(i, (i + 1) % m, 0);   // keep every row allowed somewhere
            }
            for (int j = 0; j < m; j++) {
                f.set((j + 1) % n, j, 0);   // and every column
            }
            mask = PairMask.of("mask", f);
        }
        return new Problem(c, a, b, reg, 0.1 + 0.8 * r.nextDouble(), mask, seed);
    }

    /**
     * The mass of a greedy feasible plan (row by row, each allowed entry takes what is left of
     * its row and column): at most the largest feasible mass, so a fraction of it is feasible.
     */
    static double feasibleMass(Problem p) {
        double[] ra = p.a().clone();
        double[] rb = p.b().clone();
        double total = 0;
        for (int i = 0; i < ra.length; i++) {
            for (int j = 0; j < rb.length; j++) {
                if (p.mask() != null && p.mask().contains(i, j)) {
                    continue;
                }
                double f = Math.min(ra[i], rb[j]);
                ra[i] -= f;
                rb[j] -= f;
                total += f;
            }
        }
        return total;
    }

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    static double[] normalised(double[] x) {
        double s = sum(x);
        double[] y = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            y[k] = x[k] / s;
        }
        return y;
    }

    static void assertNonNegativeFinite(TransportResult r, String what) {
        for (int k = 0; k < r.plan().getNumElements(); k++) {
            double v = r.plan().data[k];
            assertTrue(v >= 0 && Double.isFinite(v), what + ": plan entry " + k + " = " + v);
        }
    }

    static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], tol, what + "[" + k + "]");
        }
    }

    static void assertForbiddenAreZero(TransportResult r, PairMask mask, String what) {
        if (mask == null) {
            return;
        }
        for (int i = 0; i < mask.rows(); i++) {
            for (int j = 0; j < mask.cols(); j++) {
                if (mask.contains(i, j)) {
                    assertEquals(0.0, r.plan().get(i, j), what + ": forbidden entry (" + i + "," + j + ")");
                }
            }
        }
    }

    /** Every solver, every problem: a non-negative finite plan of the cost's shape. */
    @Test
    void everySolverReturnsANonNegativeFinitePlan() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 9), integers().between(1, 9), longs().all(),
                doubles().between(0.02, 2)).checkAssert((n, m, seed, reg) -> {
                    Problem p = problem(n, m, seed, reg, true, true);
                    List<TransportResult> results = new ArrayList<>();
                    results.add(new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 200)).solve(p.cost(), p.a(), normalisedTo(p.b(), sum(p.a()))));
                    results.add(new LogEntropicPartialTransport(reg, p.mass(), new Stopping(Stopping.Rule.PLAN_CHANGE, 0, 200)).solve(p.cost(), p.a(), p.b(), p.mask()));
                    if (reg >= 0.05) {   // the scaling solvers' kernel is representable
                        results.add(new SinkhornKnopp(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 200)).solve(p.cost(), p.a(), normalisedTo(p.b(), sum(p.a()))));
                        results.add(new EntropicPartialTransport(reg, p.mass(), new Stopping(Stopping.Rule.PLAN_CHANGE, 0, 200)).solve(p.cost(), p.a(), p.b(), p.mask()));
                    }
                    double s = 0.5 * Math.min(sum(p.a()), sum(p.b()));
                    PairMask diag = n == m && n > 1 ? PairMask.diagonal(n, m) : p.mask();
                    results.add(new MaskedPartialTransport(reg, s, Mode.FAITHFUL).solve(p.cost(), p.a(), p.b(), diag));
                    results.add(new MaskedPartialTransport(reg, s, Mode.STABLE, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 200)).solve(p.cost(), p.a(), p.b(), diag));
                    for (TransportResult r : results) {
                        assertEquals(n, r.plan().numRows);
                        assertEquals(m, r.plan().numCols);
                        assertNonNegativeFinite(r, p.toString());
                    }
                    assertForbiddenAreZero(results.get(results.size() - 1), diag, p + " l2rm stable");
                    assertForbiddenAreZero(results.get(results.size() - 2), diag, p + " l2rm faithful");
                });
    }

    static double[] normalisedTo(double[] x, double total) {
        double[] y = normalised(x);
        for (int k = 0; k < y.length; k++) {
            y[k] *= total;
        }
        return y;
    }

    /**
     * Whatever the rule and however the run ends, {@code converged} implies the plan meets its
     * problem's constraints (to the marginals tolerance, or {@link Stopping#FEASIBILITY_TOLERANCE}
     * after a change-based rule), relative to the mass.
     */
    @Test
    void convergedMeansTheConstraintsHold() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 8), longs().all(), doubles().between(0.005, 1),
                integers().between(1, 400)).checkAssert((n, seed, reg, cap) -> {
                    Problem p = problem(n, n, seed, reg, false, true);
                    double[] a = normalised(p.a());
                    double[] b = normalised(p.b());
                    double mass = p.massFraction() * feasibleMass(new Problem(p.cost(), a, b, reg, 1, p.mask(), seed));
                    List<TransportResult> partial = new java.util.ArrayList<>();
                    for (Stopping st : List.of(Stopping.marginals().withMaxIterations(cap), Stopping.potPartial().withMaxIterations(cap),
                            Stopping.potPartial().withTolerance(1e-3).withMaxIterations(cap))) {
                        partial.add(new LogEntropicPartialTransport(reg, mass, st).solve(p.cost(), a, b, p.mask()));
                        if (reg >= 0.05) {
                            partial.add(new EntropicPartialTransport(reg, mass, st).solve(p.cost(), a, b, p.mask()));
                        }
                    }
                    for (TransportResult r : partial) {
                        if (r.converged()) {
                            double slack = Stopping.FEASIBILITY_TOLERANCE * mass;
                            assertTrue(r.maxRowExcess(a) <= slack && r.maxColExcess(b) <= slack
                                    && Math.abs(r.mass() - mass) <= slack, p + ": converged but infeasible");
                        } else {
                            assertTrue(r.warning() != null, p + ": not converged without a warning");
                        }
                    }
                    TransportResult balanced = new LogSinkhorn(reg, Stopping.marginals().withMaxIterations(cap)).solve(p.cost(), a, b);
                    if (balanced.converged()) {
                        assertClose(b, balanced.colSums(), 1e-8, p + " balanced columns");
                    }
                    if (n > 1) {
                        double[] u = TransportArguments.uniform(n);
                        for (Mode mode : Mode.values()) {
                            TransportResult r = new MaskedPartialTransport(reg, 0.3, mode,
                                    Transports.defaultStopping("l2rm", mode).withMaxIterations(cap)).solveBatch(p.cost());
                            if (r.converged()) {
                                assertTrue(r.maxRowExcess(u) <= 1e-6 && r.maxColExcess(u) <= 1e-6, p + " l2rm " + mode);
                            }
                        }
                    }
                });
    }

    /** Balanced solvers run to convergence reproduce both marginals. */
    @Test
    void balancedPlansHaveTheMarginals() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 9), integers().between(1, 9), longs().all(),
                doubles().between(0.05, 2)).checkAssert((n, m, seed, reg) -> {
                    Problem p = problem(n, m, seed, reg, true, false);
                    double[] a = normalised(p.a());
                    double[] b = normalised(p.b());
                    for (TransportSolver s : List.of(new SinkhornKnopp(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-12, 100_000)), new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-12, 100_000)))) {
                        TransportResult r = s.solve(p.cost(), a, b);
                        assertTrue(r.converged(), p + " " + s.name() + " converged");
                        assertClose(a, r.rowSums(), MARGINAL_TOLERANCE, p + " " + s.name() + " row sums");
                        assertClose(b, r.colSums(), MARGINAL_TOLERANCE, p + " " + s.name() + " column sums");
                        assertNonNegativeFinite(r, p + " " + s.name());
                    }
                });
    }

    /** Partial solvers: rows within a, columns within b, total mass m, forbidden entries 0. */
    @Test
    void partialPlansRespectTheCapsAndCarryTheMass() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 9), integers().between(1, 9), longs().all(),
                doubles().between(0.05, 2)).checkAssert((n, m, seed, reg) -> {
                    // zero masses or a mask (both together can leave no feasible mass at all)
                    boolean zeros = (seed & 1) == 0;
                    Problem p = problem(n, m, seed, reg, zeros, !zeros);
                    double mass = p.massFraction() * feasibleMass(p);   // feasible under the mask
                    Stopping tight = Stopping.marginals().withTolerance(1e-12).withMaxIterations(100_000);
                    List<TransportResult> rs = List.of(
                            new EntropicPartialTransport(reg, mass, tight).solve(p.cost(), p.a(), p.b(), p.mask()),
                            new LogEntropicPartialTransport(reg, mass, tight).solve(p.cost(), p.a(), p.b(), p.mask()));
                    for (TransportResult r : rs) {
                        assertTrue(r.converged(), p + ": " + r.warning());
                        assertNonNegativeFinite(r, p.toString());
                        assertTrue(r.maxRowExcess(p.a()) <= MARGINAL_TOLERANCE, p + " row excess " + r.maxRowExcess(p.a()));
                        assertTrue(r.maxColExcess(p.b()) <= MARGINAL_TOLERANCE, p + " column excess " + r.maxColExcess(p.b()));
                        assertEquals(mass, r.mass(), 1e-12, p + " mass");
                        assertForbiddenAreZero(r, p.mask(), p.toString());
                    }
                });
    }

    /**
     * L2RM's solver in stable mode, L2RM's uniform marginals \(p = q = \mathbf 1/n\) (any mass
     * \(s < 1\) is feasible: the mask always allows the cyclic shifts), the diagonal or a random
     * mask forbidden: forbidden entries are exactly 0; columns of the real block never exceed
     * \(q\) (the extended columns hold exactly after each \(v\) update); rows exceed \(p\) and the
     * mass differs from \(s\) by no more than the reported row-marginal error. Where the plan
     * must saturate a cap (large \(s\) on a small batch) Sinkhorn converges slowly, so the
     * bound is the achieved error; on L2RM's own regime it converges (next property).
     */
    @Test
    void maskedPartialPlansRespectTheCapsMassAndMask() {
        qt().withExamples(EXAMPLES).forAll(integers().between(2, 9), longs().all(), doubles().between(0.02, 1),
                integers().between(0, 1)).checkAssert((n, seed, reg, diagonal) -> {
                    Problem p = problem(n, n, seed, reg, false, true);
                    PairMask mask = diagonal == 1 ? PairMask.diagonal(n, n) : p.mask();
                    double[] u = TransportArguments.uniform(n);
                    double s = 0.05 + 0.9 * p.massFraction();
                    TransportResult r = new MaskedPartialTransport(reg, s, Mode.STABLE, new Stopping(Stopping.Rule.MARGINALS, 1e-12, 20_000))
                            .solve(p.cost(), u, u, mask);
                    double err = r.error();
                    assertTrue(err <= 1e-3, p + " row-marginal error " + err);
                    assertNonNegativeFinite(r, p.toString());
                    assertForbiddenAreZero(r, mask, p.toString());
                    assertTrue(r.maxRowExcess(u) <= err + 1e-12, p + " row excess " + r.maxRowExcess(u) + ", error " + err);
                    assertTrue(r.maxColExcess(u) <= 1e-12, p + " column excess " + r.maxColExcess(u));
                    double slack = Math.sqrt(n + 1) * err + 1e-12;
                    assertTrue(r.mass() >= s - slack && r.mass() <= s + slack + cornerBound(p.cost(), u, u, s, reg),
                            p + " mass " + r.mass() + ", s = " + s);
                });
    }

    /** L2RM's regime (uniform marginals, s = 0.1, the diagonal forbidden, n >= 8): converges to 1e-12. */
    @Test
    void maskedPartialConvergesOnL2rmBatches() {
        qt().withExamples(15).forAll(integers().between(8, 24), longs().all(), doubles().between(0.01, 0.1))
                .checkAssert((n, seed, reg) -> {
                    Problem p = problem(n, n, seed, reg, false, false);
                    double[] u = TransportArguments.uniform(n);
                    TransportResult r = new MaskedPartialTransport(reg, 0.1, Mode.STABLE, new Stopping(Stopping.Rule.MARGINALS, 1e-12, 20_000))
                            .solveBatch(p.cost());
                    assertTrue(r.converged(), p + " converged, error " + r.error());
                    assertTrue(r.maxRowExcess(u) <= 1e-12, p + " row excess " + r.maxRowExcess(u));
                    assertTrue(r.maxColExcess(u) <= 1e-12, p + " column excess " + r.maxColExcess(u));
                    double corner = cornerBound(p.cost(), u, u, 0.1, reg);
                    assertTrue(r.mass() >= 0.1 - 1e-11 && r.mass() <= 0.1 + 1e-11 + corner, p + " mass " + r.mass());
                    assertForbiddenAreZero(r, PairMask.diagonal(n, n), p.toString());
                });
    }

    /**
     * The real block carries \(s + \pi_{\text{corner}}\). At the solution
     * \(\pi_{dd}\pi_{ij} / (\pi_{id}\pi_{dj}) = e^{-(A + C_{ij})/\varepsilon}\) for every real (i, j)
     * (the potentials cancel; \(C'_{dd} = 2\xi + A\)), so with the largest real entry
     * \(\pi_{ij} \ge s / (nm)\) and \(\pi_{id} \le p_i\), \(\pi_{dj} \le q_j\):
     * \(\pi_{dd} \le nm \max p \max q\, e^{-A/\varepsilon} / s\), \(A = \max C\).
     */
    static double cornerBound(DMatrixRMaj cost, double[] p, double[] q, double s, double reg) {
        double maxC = 0;
        for (int k = 0; k < cost.getNumElements(); k++) {
            maxC = Math.max(maxC, cost.data[k]);
        }
        double maxP = java.util.Arrays.stream(p).max().orElseThrow();
        double maxQ = java.util.Arrays.stream(q).max().orElseThrow();
        return (double) cost.numRows * cost.numCols * maxP * maxQ * Math.exp(-maxC / reg) / s;
    }

    /** The same iterates in both domains: equal plans after the same number of iterations. */
    @Test
    void scalingAndLogDomainVariantsAgree() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 9), integers().between(1, 9), longs().all(),
                doubles().between(0.05, 2)).checkAssert((n, m, seed, reg) -> {
                    Problem p = problem(n, m, seed, reg, true, true);
                    int iters = 1 + new SplittableRandom(seed + 1).nextInt(300);
                    double[] b = normalisedTo(p.b(), sum(p.a()));
                    TransportResult s1 = new SinkhornKnopp(reg, new Stopping(Stopping.Rule.MARGINALS, 0, iters)).solve(p.cost(), p.a(), b);
                    TransportResult l1 = new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 0, iters)).solve(p.cost(), p.a(), b);
                    assertEquals(s1.iterations(), l1.iterations(), p + " sinkhorn iterations");
                    PlanAssertions.assertPlanClose(l1.plan(), s1.plan(), VARIANT_TOLERANCE, 1e-12, p + " sinkhorn");
                    TransportResult s2 = new EntropicPartialTransport(reg, p.mass(), new Stopping(Stopping.Rule.PLAN_CHANGE, 0, iters)).solve(p.cost(), p.a(), p.b(), p.mask());
                    TransportResult l2 = new LogEntropicPartialTransport(reg, p.mass(), new Stopping(Stopping.Rule.PLAN_CHANGE, 0, iters)).solve(p.cost(), p.a(), p.b(), p.mask());
                    assertEquals(s2.iterations(), l2.iterations(), p + " partial iterations");
                    PlanAssertions.assertPlanClose(l2.plan(), s2.plan(), VARIANT_TOLERANCE, 1e-12, p + " partial");
                });
    }

    /** With m = |a| = |b| the caps are the marginals: partial OT is balanced OT. */
    @Test
    void partialWithFullMassIsBalanced() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 8), integers().between(1, 8), longs().all(),
                doubles().between(0.1, 2)).checkAssert((n, m, seed, reg) -> {
                    Problem p = problem(n, m, seed, reg, false, false);
                    double[] a = normalised(p.a());
                    double[] b = normalised(p.b());
                    TransportResult balanced = new SinkhornKnopp(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-14, 100_000)).solve(p.cost(), a, b);
                    TransportResult partial = new EntropicPartialTransport(reg, 1.0, new Stopping(Stopping.Rule.PLAN_CHANGE, 1e-17, 100_000)).solve(p.cost(), a, b);
                    TransportResult partialLog = new LogEntropicPartialTransport(reg, 1.0, new Stopping(Stopping.Rule.PLAN_CHANGE, 1e-17, 100_000)).solve(p.cost(), a, b);
                    PlanAssertions.assertPlanClose(partial.plan(), balanced.plan(), 1e-6, 1e-9, p + " partial vs balanced");
                    PlanAssertions.assertPlanClose(partialLog.plan(), balanced.plan(), 1e-6, 1e-9, p + " partial-log vs balanced");
                });
    }

    /**
     * \(0 \le \langle C, \pi_\varepsilon\rangle - \mathrm{OT} \le \varepsilon \log n\) for uniform
     * marginals (the entropy of a plan with marginals \(\mathbf 1/n\) is between \(\log n\) and
     * \(2 \log n\)), and OT = brute-force assignment cost / n: the log solver at
     * \(\varepsilon = 10^{-3}\), where the Gibbs kernel underflows, gets there.
     */
    @Test
    void vanishingRegularisationReachesTheAssignmentOptimum() {
        qt().withExamples(40).forAll(integers().between(1, 6), longs().all()).checkAssert((n, seed) -> {
            Problem p = problem(n, n, seed, 1e-3, false, false);
            double opt = BruteForceAssignment.solve(p.cost()).cost() / n;
            for (double reg : new double[] {1e-1, 1e-2, 1e-3}) {
                TransportResult r = new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 1e-12, 200_000)).solve(p.cost());
                // rows are exact after the last update; columns are off by at most sqrt(n) * err in L1
                // (near-ties such as C00 + C11 = C01 + C10 converge slowly at small reg)
                double slack = Math.sqrt(n) * r.error() + 1e-12;
                assertTrue(r.error() <= 1e-4, p + " reg " + reg + ": marginal error " + r.error());
                double gap = r.cost(p.cost()) - opt;
                assertTrue(gap >= -slack && gap <= reg * Math.log(n) + slack,
                        p + " reg " + reg + ": entropic cost - optimum = " + gap + ", bound " + reg * Math.log(n)
                                + ", marginal error " + r.error());
            }
        });
    }

    /** Adding a constant to the cost changes no balanced plan (it only rescales v). */
    @Test
    void balancedPlansAreInvariantToAConstantCostShift() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 9), integers().between(1, 9), longs().all(),
                doubles().between(0.05, 2)).checkAssert((n, m, seed, reg) -> {
                    Problem p = problem(n, m, seed, reg, false, false);
                    double shift = 10 * new SplittableRandom(seed + 1).nextDouble() - 5;
                    DMatrixRMaj shifted = p.cost().copy();
                    for (int k = 0; k < n * m; k++) {
                        shifted.data[k] += shift;
                    }
                    double[] a = normalised(p.a());
                    double[] b = normalised(p.b());
                    for (TransportSolver s : List.of(new SinkhornKnopp(reg, new Stopping(Stopping.Rule.MARGINALS, 0, 300)), new LogSinkhorn(reg, new Stopping(Stopping.Rule.MARGINALS, 0, 300)))) {
                        PlanAssertions.assertPlanClose(s.solve(shifted, a, b).plan(), s.solve(p.cost(), a, b).plan(),
                                1e-9, 1e-12, p + " " + s.name() + " shift " + shift);
                    }
                });
    }

    /** The brute-force assignment is no worse than any permutation (checked on random ones). */
    @Test
    void bruteForceAssignmentIsOptimal() {
        qt().withExamples(EXAMPLES).forAll(integers().between(1, 7), longs().all()).checkAssert((n, seed) -> {
            Problem p = problem(n, n, seed, 1, false, false);
            BruteForceAssignment.Assignment best = BruteForceAssignment.solve(p.cost());
            SplittableRandom r = new SplittableRandom(seed);
            for (int t = 0; t < 50; t++) {
                int[] perm = new int[n];
                for (int i = 0; i < n; i++) {
                    perm[i] = i;
                }
                for (int i = n - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int x = perm[i];
                    perm[i] = perm[j];
                    perm[j] = x;
                }
                double c = 0;
                for (int i = 0; i < n; i++) {
                    c += p.cost().get(i, perm[i]);
                }
                assertTrue(best.cost() <= c + 1e-15, p + " beaten by " + java.util.Arrays.toString(perm));
            }
            double check = 0;
            for (int i = 0; i < n; i++) {
                check += p.cost().get(i, best.permutation()[i]);
            }
            assertEquals(best.cost(), check, 1e-15);
        });
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Every loss in stable mode is finite and right at every scale of the scores: random scores
 * times \(10^k\), \(-300 \le k \le 300\) (shrinking to a uniform softmax and growing until one
 * entry per row takes all the probability), against {@link LogDomainReference}. Tolerances: the
 * value to \(10^{-10}\) relative; each gradient entry to \(10^{-9}\) of itself plus \(10^{-12}\) of
 * the gradient's scale (its largest entry, at least \(1/(N\tau)\) for the softmax losses), so a
 * wrong entry of any size that matters is caught.
 */
class ScaleProperties {

    static final double VALUE_TOLERANCE = 1e-10;
    static final double ENTRY_TOLERANCE = 1e-9;
    static final double SCALE_TOLERANCE = 1e-12;

    /** A loss and its reference on the same input. */
    record Pair(String name, ScoreLoss loss, LogDomainReference.Value reference, double minScale) {
    }

    static List<Pair> pairs(DMatrixRMaj s, double tau, long seed) {
        int n = s.numRows;
        List<Pair> pairs = new ArrayList<>();
        Losses.Settings settings = Losses.Settings.defaults().withTau(tau);
        for (ComplementaryBound b : List.of(ComplementaryBound.mae(), ComplementaryBound.log(), ComplementaryBound.exp(),
                ComplementaryBound.gce(0.5), ComplementaryBound.tan())) {
            pairs.add(new Pair("ccl-" + b.shortName() + " q=" + b.q(),
                    new ComplementaryContrastiveLoss(b, tau, Negatives.all(), Mode.STABLE),
                    LogDomainReference.ccl(s, tau, b, PairMask.offDiagonal(n)), 1 / (n * tau)));
        }
        PairMask single = Negatives.single(seed).draw(n);
        pairs.add(new Pair("nl", new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.fixed(single), Mode.STABLE),
                LogDomainReference.ccl(s, tau, ComplementaryBound.log(), single), 1 / (n * tau)));
        pairs.add(new Pair("infonce", Losses.create("infonce", settings), LogDomainReference.infoNce(s, tau), 1 / (n * tau)));
        pairs.add(new Pair("rce", Losses.create("rce", settings), LogDomainReference.rce(s, tau), 1 / (n * tau)));
        for (TripletRankingLoss.Aggregation a : TripletRankingLoss.Aggregation.values()) {
            TripletRankingLoss l = new TripletRankingLoss(0.2, a);
            pairs.add(new Pair(l.name(), l, LogDomainReference.triplet(s, 0.2, a), 1));
        }
        DMatrixRMaj plan = ScoreLossContractTest.sparseTargets(n, seed);
        for (String name : Losses.TARGETED_NAMES) {
            pairs.add(new Pair(name, Losses.createTargeted(name, settings).withTargets(plan),
                    LogDomainReference.rematch(name, s, plan, tau), 1 / (n * tau)));
        }
        return pairs;
    }

    static DMatrixRMaj scaled(int n, long seed, int exponent) {
        DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
        double f = Math.pow(10, exponent);
        for (int k = 0; k < s.getNumElements(); k++) {
            s.data[k] *= f;
        }
        return s;
    }

    static void assertMatches(Pair p, LossValue v, String what) {
        LogDomainReference.Value r = p.reference();
        assertTrue(Double.isFinite(r.value()), what + ": the reference itself is finite");
        assertTrue(v.isFinite(), what + ": value " + v.value() + " and gradient finite");
        // relative, down to the normal range (a subnormal loss has fewer than 16 digits to compare)
        assertEquals(r.value(), v.value(), VALUE_TOLERANCE * Math.abs(r.value()) + 1e-300, what + ": value");
        double scale = p.minScale();
        for (double g : r.gradient()) {
            scale = Math.max(scale, Math.abs(g));
        }
        double[] got = v.gradient().data;
        for (int k = 0; k < r.gradient().length; k++) {
            double want = r.gradient()[k];
            double allowed = ENTRY_TOLERANCE * Math.abs(want) + SCALE_TOLERANCE * scale;
            assertTrue(Math.abs(got[k] - want) <= allowed, what + ": gradient[" + k + "] = " + got[k] + ", reference "
                    + want + " (|diff| " + Math.abs(got[k] - want) + " > " + allowed + ")");
        }
    }

    @Test
    void everyLossIsFiniteAndRightFromTinyToHugeScores() {
        qt().withExamples(300).forAll(integers().between(-300, 300), integers().between(2, 7), longs().all(),
                doubles().between(0.01, 1)).checkAssert((k, n, seed, tau) -> {
                    DMatrixRMaj s = scaled(n, seed, k);
                    for (Pair p : pairs(s, tau, seed)) {
                        assertMatches(p, p.loss().evaluate(s), p.name() + " at scores x 1e" + k + ", n " + n + ", tau " + tau);
                    }
                });
    }

    /** The moderate band where rows saturate one by one (gaps of 460 to 10^4 tau), sampled densely. */
    @Test
    void everyLossIsRightWhereSoftmaxRowsSaturate() {
        qt().withExamples(300).forAll(doubles().between(1, 400), integers().between(2, 8), longs().all())
                .checkAssert((factor, n, seed) -> {
                    DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
                    for (int k = 0; k < s.getNumElements(); k++) {
                        s.data[k] *= factor;
                    }
                    for (Pair p : pairs(s, 0.05, seed)) {
                        assertMatches(p, p.loss().evaluate(s), p.name() + " at cosine scores x " + factor);
                    }
                });
    }

    /**
     * The case: cosine-like scores times 200 at tau 0.05 (score gaps / tau up to 8000),
     * where 1 - p underflows to 0: the log bound is about 873 per entry and finite, with a
     * finite gradient, where the direct formula gives Infinity.
     */
    @Test
    void cclLogIsFiniteWhereOneMinusPUnderflows() {
        DMatrixRMaj s = scaled(8, 11, 0);
        for (int k = 0; k < s.getNumElements(); k++) {
            s.data[k] *= 200;
        }
        for (String name : List.of("ccl-log", "ccl-gce", "ccl-exp", "ccl-tan", "ccl-mae")) {
            ScoreLoss l = Losses.create(name, Losses.Settings.defaults());
            LossValue v = l.evaluate(s);
            assertTrue(v.isFinite(), name + ": " + v.value());
            ComplementaryBound b = ((ComplementaryContrastiveLoss) l).bound();
            Pair p = new Pair(name, l, LogDomainReference.ccl(s, 0.05, b, PairMask.offDiagonal(8)), 1 / (8 * 0.05));
            assertMatches(p, v, name + " x 200");
        }
        // the release's arithmetic overflows here, and says so
        LossValue faithful = new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05, Negatives.all(), Mode.FAITHFUL)
                .evaluate(s);
        assertTrue(faithful.warning() != null && faithful.warning().contains("release's arithmetic")
                && faithful.warning().contains("--mode stable"), String.valueOf(faithful.warning()));
    }

    /**
     * Scores near the largest double: their differences divided by tau leave the double range.
     * The bounded losses (MAE and the exp, gce and tan bounds) stay finite and right; the others
     * (log bound, InfoNCE, rce, the triplet sums) have values beyond the double range, and
     * stable mode refuses them, naming the scores and the temperature (or margin), instead of
     * returning NaN or Infinity. Faithful mode returns the release's overflow with a warning.
     */
    @Test
    void scoresBeyondTheRangeAreRefusedNamingScoresAndTau() {
        DMatrixRMaj s = scaled(4, 3, 0);
        for (int k = 0; k < s.getNumElements(); k++) {
            s.data[k] = s.data[k] >= 0 ? Double.MAX_VALUE * Math.min(1, s.data[k] + 0.5) : -Double.MAX_VALUE * 0.9;
        }
        Losses.Settings settings = Losses.Settings.defaults();
        for (String name : List.of("ccl-mae", "ccl-exp", "ccl-gce", "ccl-tan")) {
            ScoreLoss l = Losses.create(name, settings);
            LogDomainReference.Value r = LogDomainReference.ccl(s, 0.05, ((ComplementaryContrastiveLoss) l).bound(),
                    PairMask.offDiagonal(4));
            LossValue v = l.evaluate(s);
            // one-hot softmaxes: the reference's value is exact; its gradient is a limit (0) it cannot form
            assertTrue(v.isFinite(), name + ": " + v.value());
            assertEquals(r.value(), v.value(), VALUE_TOLERANCE * r.value(), name + " at +-0.9 MAX_VALUE");
        }
        for (String name : List.of("ccl-log", "infonce", "rce", "tr", "tr-hn", "tr-mean")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Losses.create(name, settings).evaluate(s), name);
            assertTrue(e.getMessage().startsWith("scores: the " + name + " loss is ") && e.getMessage().contains("beyond double"),
                    name + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(name.startsWith("tr") ? "margin = 0.2" : "tau = 0.05"), e.getMessage());
            if (!name.startsWith("tr") && !name.equals("rce")) { // rce and tr have no arithmetic mode
                LossValue f = Losses.create(name, settings.asReleased()).evaluate(s);
                assertTrue(!f.isFinite() && f.warning() != null, name + " faithful: " + f.value());
            }
        }
    }

    /**
     * GCE with a tiny exponent is the log bound: \((1 - (1-p)^q)/q \to -\log(1-p)\) as \(q \to 0\),
     * within a relative \(q|\log(1-p)|/2\). The direct form cancels (it gives 0 at \(q = 10^{-300}\));
     * value and gradient of ccl-gce must equal ccl-log's there.
     */
    @Test
    void gceWithATinyExponentIsTheLogBound() {
        qt().forAll(doubles().between(-300, -14), integers().between(2, 8), longs().all(), doubles().between(0.02, 1))
                .checkAssert((logQ, n, seed, tau) -> {
                    double q = Math.pow(10, logQ);
                    DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
                    LossValue gce = new ComplementaryContrastiveLoss(ComplementaryBound.gce(q), tau, Negatives.all(), Mode.STABLE).evaluate(s);
                    LossValue log = new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.all(), Mode.STABLE).evaluate(s);
                    assertEquals(log.value(), gce.value(), 1e-12 * log.value(), "value at q = " + q);
                    for (int k = 0; k < n * n; k++) {
                        assertEquals(log.gradient().data[k], gce.gradient().data[k], 1e-12 / (n * tau), "gradient[" + k + "] at q = " + q);
                    }
                });
        double direct = (1 - Math.pow(0.99, 1e-300)) / 1e-300;
        assertEquals(0.0, direct, "the direct form cancels completely at q = 1e-300");
        assertEquals(-Math.log(0.99), ComplementaryBound.gce(1e-300).value(0.01), 1e-16, "the expm1 form does not");
    }

    /** 1e300-sized scores are finite in S / tau: every stable loss is finite and right there. */
    @Test
    void hugeButRepresentableScoresGiveFiniteLosses() {
        DMatrixRMaj s = scaled(6, 5, 300);
        for (Pair p : pairs(s, 0.05, 5)) {
            assertMatches(p, p.loss().evaluate(s), p.name() + " at 1e300");
        }
    }
}

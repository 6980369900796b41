package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The literal forms of the losses ({@link LiteralCcl}, {@link LiteralInfoNce}) against the fast
 * classes on random batches: the gradient to 1e-10 of its largest entry (InfoNCE's plus
 * {@code 4 u / (N tau)}: its literal {@code p - 1} cancels near 1), the loss to 1e-12 relative
 * plus {@code 4 N u / q} absolute ({@code u = 2^-53}, {@code q} GCE's exponent, else 1).
 * That absolute part is the literal form's own error, and the first reason the fast one exists:
 * {@code 1 - p} rounds by {@code u}, so for a small {@code p} the literal {@code -log(1 - p)} (and
 * {@code (1 - (1 - p)^q)/q}, and InfoNCE's {@code log p} near 1) keeps only {@code u / p} of its
 * relative precision ({@link #onAWellSeparatedBatchTheLiteralLogBoundLosesDigits}). Then where
 * the literal form breaks outright: a temperature at which {@code exp(s / tau)} overflows, and a
 * negative whose probability rounds to 1.
 */
class LiteralFormsTest {

    static final List<ComplementaryBound> BOUNDS = List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
            ComplementaryBound.exp(), ComplementaryBound.gce(0.2), ComplementaryBound.tan());

    @Test
    void cclAgreesWithTheFastFormForEveryBound() {
        qt().forAll(integers().between(2, 12), longs().all(), doubles().between(0.05, 1.0), integers().between(0, 4))
                .checkAssert((n, seed, tau, b) -> {
                    ComplementaryBound bound = BOUNDS.get(b);
                    DMatrixRMaj s = TestMatrices.scores(n, 0.5, seed);
                    LossValue fast = new ComplementaryContrastiveLoss(bound, tau, Negatives.all(), Mode.STABLE)
                            .evaluate(s);
                    double[][] literal = rows(s);
                    String what = bound.shortName() + ", n " + n + ", tau " + tau;
                    double q = bound.kind() == ComplementaryBound.Kind.GCE ? bound.q() : 1;
                    assertClose(fast.value(), LiteralCcl.loss(literal, tau, bound), 4 * n * U / q, what + ": loss");
                    assertGradient(fast.gradient(), LiteralCcl.gradient(literal, tau, bound), 0, what);
                });
    }

    @Test
    void infoNceAgreesWithTheFastForm() {
        qt().forAll(integers().between(2, 12), longs().all(), doubles().between(0.05, 1.0)).checkAssert((n, seed, tau) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.5, seed);
            LossValue fast = new ContrastiveLoss(tau, Mode.STABLE).evaluate(s);
            double[][] literal = rows(s);
            String what = "infonce, n " + n + ", tau " + tau;
            assertClose(fast.value(), LiteralInfoNce.loss(literal, tau), 4 * n * U, what + ": loss");
            assertGradient(fast.gradient(), LiteralInfoNce.gradient(literal, tau), 4 * U / (n * tau), what);
        });
    }

    /**
     * The rematch losses against soft targets from a random plan (with zeros, as L2RM's masked
     * plans have), n x m not square: the loss to 1e-11 relative, the gradient to 1e-10 of its largest
     * entry (the literal gradient goes through {@code a / p} and the softmax Jacobian, the fast one
     * through closed forms; both well conditioned at these temperatures).
     */
    @Test
    void rematchLossesAgreeWithTheFastForms() {
        qt().forAll(integers().between(0, 63), longs().all(), doubles().between(0.05, 1.0), integers().between(0, 4))
                .checkAssert((shape, seed, tau, k) -> {
                    int n = 2 + shape / 8;
                    int m = 2 + shape % 8;
                    LiteralRematchLosses.Kind kind = LiteralRematchLosses.Kind.values()[k];
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    DMatrixRMaj s = new DMatrixRMaj(n, m);
                    DMatrixRMaj plan = new DMatrixRMaj(n, m);
                    for (int e = 0; e < n * m; e++) {
                        s.data[e] = r.nextDouble(-1, 1);
                        int i = e / m;
                        int j = e % m;
                        // a third of the entries 0, never a whole row or column
                        plan.data[e] = (i + 2 * j) % 3 == 0 ? 0 : r.nextDouble() / (n * m);
                    }
                    TargetedLoss fast = switch (kind) {
                        case SOFT_INFONCE -> new SoftContrastiveLoss(tau, Mode.STABLE);
                        case KL -> new KlDivergenceLoss(tau, Mode.STABLE);
                        case SYMMETRIC_KL -> new SymmetricKlDivergenceLoss(tau, Mode.STABLE);
                        case JS_TEXTBOOK -> new JensenShannonLoss(tau, Mode.STABLE, JensenShannonLoss.Form.TEXTBOOK,
                                SoftTargets.EmptyRows.REFUSE);
                        case JS_MIXTURE_FIRST -> new JensenShannonLoss(tau, Mode.STABLE,
                                JensenShannonLoss.Form.MIXTURE_FIRST, SoftTargets.EmptyRows.REFUSE);
                    };
                    LossValue v = fast.withTargets(plan).evaluate(s);
                    String what = kind + ", " + n + " x " + m + ", tau " + tau;
                    assertClose(v.value(), LiteralRematchLosses.loss(kind, rows(s), tau, rows(plan)), 1e-11 * Math.abs(v.value()),
                            what + ": loss");
                    assertGradient(v.gradient(), LiteralRematchLosses.gradient(kind, rows(s), tau, rows(plan)), 0, what);
                });
    }

    /**
     * At tau = 0.001 cosines of 0.8 and 0.75 make {@code exp(s / tau) = e^800} and {@code e^750},
     * beyond the double range: the literal softmax of that row is Infinity / Infinity = NaN, where
     * the negative's true probability is {@code 1 / (1 + e^50)}. The fast forms subtract each row's
     * largest score first, so they stay finite.
     */
    @Test
    void theLiteralFormsOverflowWhereTheFastOnesDoNot() {
        double[][] s = {{0.8, 0.75, -0.2}, {0.3, 0.9, 0.0}, {-0.1, 0.2, 0.7}};
        double tau = 0.001;
        assertTrue(Double.isNaN(LiteralCcl.imageToText(s, tau)[0][1]), "e^750 / (e^800 + e^750) is NaN in double");
        assertTrue(Double.isNaN(LiteralInfoNce.loss(s, tau)));
        LossValue fast = new ContrastiveLoss(tau, Mode.STABLE).evaluate(matrix(s));
        assertTrue(Double.isFinite(fast.value()) && fast.value() >= 0, "InfoNCE, stable: " + fast.value());
        for (ComplementaryBound bound : BOUNDS) {
            assertTrue(Double.isNaN(LiteralCcl.loss(s, tau, bound)), bound.shortName());
            LossValue ccl = new ComplementaryContrastiveLoss(bound, tau, Negatives.all(), Mode.STABLE).evaluate(matrix(s));
            assertTrue(ccl.isFinite(), bound.shortName() + ", stable: " + ccl.value());
        }
    }

    /**
     * A mismatched pair whose wrong partner scores far above the rest: at tau = 0.02 the negative's
     * probability is 1 - 2e-18, which rounds to 1, so the literal log bound's -log(1 - p) is
     * Infinity. The fast form takes log(1 - p) from the other entries' exponentials: about 40.
     */
    @Test
    void theLiteralLogBoundCancelsWhereTheFastOneDoesNot() {
        double[][] s = {{-0.5, 0.4, -0.5}, {-0.5, 0.3, -0.5}, {-0.5, -0.5, 0.3}};
        double tau = 0.02;
        double p = LiteralCcl.imageToText(s, tau)[0][1];
        assertEquals(1.0, p, "1 - e^-45 rounds to 1");
        assertEquals(Double.POSITIVE_INFINITY, LiteralCcl.loss(s, tau, ComplementaryBound.log()));
        LossValue fast = ComplementaryContrastiveLoss.rclDefault().evaluate(matrix(s));
        LossValue at = new ComplementaryContrastiveLoss(ComplementaryBound.log(), tau, Negatives.all(), Mode.STABLE)
                .evaluate(matrix(s));
        assertTrue(fast.isFinite() && at.isFinite(), "stable: " + at.value());
        assertTrue(at.value() > 40 / 3.0 && at.value() < 50, "about -log(2e-20) / 3 + the other terms: " + at.value());
        assertFalse(Double.isInfinite(at.value()));
    }

    /**
     * On a 2 x 2 batch each negative's log-bound term is exactly {@code log1p(exp(-(s_own - s_neg) /
     * tau))}: here {@code log1p(e^-16)} to {@code log1p(e^-20)}, 2e-9 to 1.1e-7. The literal
     * {@code -log(1 - p)} rounds {@code 1 - p} first and keeps about 9 digits (measured: 2.8e-10
     * relative); the fast form, which sums a small {@code p} by its series, keeps 15 (1.8e-16).
     */
    @Test
    void onAWellSeparatedBatchTheLiteralLogBoundLosesDigits() {
        double[][] s = {{0.9, -0.1}, {0.0, 0.8}};
        double tau = 0.05;
        double exact = (Math.log1p(Math.exp(-(s[0][0] - s[0][1]) / tau)) + Math.log1p(Math.exp(-(s[1][1] - s[1][0]) / tau))
                + Math.log1p(Math.exp(-(s[0][0] - s[1][0]) / tau)) + Math.log1p(Math.exp(-(s[1][1] - s[0][1]) / tau))) / 2;
        double fast = ComplementaryContrastiveLoss.rclDefault().evaluate(matrix(s)).value();
        double literal = LiteralCcl.loss(s, tau, ComplementaryBound.log());
        double fastError = Math.abs(fast - exact) / exact;
        double literalError = Math.abs(literal - exact) / exact;
        System.out.printf(java.util.Locale.ROOT, "exact %.17g, fast %.2e relative, literal %.2e relative%n", exact,
                fastError, literalError);
        assertTrue(fastError < 1e-14, "fast: " + fastError);
        assertTrue(literalError > 1e-10, "literal: " + literalError + " (1 - p rounds away the digits)");
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

    static DMatrixRMaj matrix(double[][] a) {
        return new DMatrixRMaj(a);
    }

    /** The unit roundoff of double, 2^-53. */
    static final double U = Math.ulp(1.0) / 2;

    static void assertClose(double expected, double actual, double absolute, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.abs(expected) + absolute,
                what + ": fast " + expected + ", literal " + actual);
    }

    static void assertGradient(DMatrixRMaj fast, double[][] literal, double absolute, String what) {
        double largest = TestMatrices.maxAbs(fast);
        for (int i = 0; i < fast.numRows; i++) {
            for (int j = 0; j < fast.numCols; j++) {
                double d = Math.abs(fast.get(i, j) - literal[i][j]);
                assertTrue(d <= 1e-10 * largest + absolute, what + ": gradient[" + i + "][" + j + "] fast " + fast.get(i, j)
                        + ", literal " + literal[i][j]);
            }
        }
    }
}

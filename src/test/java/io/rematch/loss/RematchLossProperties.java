package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.numeric.Mode;
import io.rematch.prob.MatchingProbabilities;
import io.rematch.testing.TestMatrices;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * L2RM's rematch losses (sym-kl, kl, js, soft-infonce) and its warm-up loss (rce) against naive
 * loop implementations of their definitions, on random rectangular batches, plus the identities
 * and bounds that make them divergences.
 */
class RematchLossProperties {

    static final double VALUE_TOLERANCE = 1e-11;

    /** Targets with entries in [0, 1) and a share of exact zeros and sub-floor values. */
    static DMatrixRMaj targets(int n, int m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DMatrixRMaj t = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            double u = r.nextDouble();
            t.data[k] = u < 0.15 ? 0.0 : u < 0.3 ? 1e-12 * r.nextDouble() : r.nextDouble();
        }
        for (int i = 0; i < n; i++) { // no empty row or column: stable mode refuses those
            t.data[i * m + r.nextInt(m)] += 0.5;
        }
        for (int j = 0; j < m; j++) {
            t.data[r.nextInt(n) * m + j] += 0.5;
        }
        return t;
    }

    /** Naive soft targets: floor at 1e-10, normalise rows (A, n x m) or columns (B, m x n). */
    static double[][] naiveTargets(DMatrixRMaj t, boolean rows) {
        int n = t.numRows, m = t.numCols;
        int outer = rows ? n : m, inner = rows ? m : n;
        double[][] out = new double[outer][inner];
        for (int o = 0; o < outer; o++) {
            double sum = 0;
            for (int k = 0; k < inner; k++) {
                out[o][k] = Math.max(rows ? t.get(o, k) : t.get(k, o), 1e-10);
                sum += out[o][k];
            }
            for (int k = 0; k < inner; k++) {
                out[o][k] /= sum;
            }
        }
        return out;
    }

    static double kl(double[] a, double[] b) {
        double d = 0;
        for (int k = 0; k < a.length; k++) {
            d += a[k] * (Math.log(a[k]) - Math.log(b[k]));
        }
        return d;
    }

    static double crossEntropy(double[] a, double[] b) {
        double d = 0;
        for (int k = 0; k < a.length; k++) {
            d -= a[k] * Math.log(b[k]);
        }
        return d;
    }

    static double[] mix(double[] a, double[] b) {
        double[] m = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            m[k] = 0.5 * (a[k] + b[k]);
        }
        return m;
    }

    /** The divergence named {@code name} of one target row a and model row p, from its definition. */
    static double naiveDivergence(String name, Mode mode, double[] a, double[] p) {
        switch (name) {
            case "soft-infonce": return crossEntropy(a, p);
            case "kl": return kl(a, p);
            case "sym-kl": return 0.5 * (kl(a, p) + kl(p, a));
            case "js":
                double[] m = mix(p, a);
                return mode == Mode.FAITHFUL ? 0.5 * (kl(m, p) + kl(m, a)) : 0.5 * (kl(p, m) + kl(a, m));
            default: throw new IllegalArgumentException(name);
        }
    }

    static double naiveLoss(TargetedLoss loss, Mode mode, double tau, DMatrixRMaj s, DMatrixRMaj t) {
        double[][] p = rows(MatchingProbabilities.imageToText(s, tau, mode));
        double[][] q = rows(MatchingProbabilities.textToImage(s, tau, mode));
        double[][] a = naiveTargets(t, true);
        double[][] b = naiveTargets(t, false);
        double rowPart = 0, colPart = 0;
        for (int i = 0; i < p.length; i++) {
            rowPart += naiveDivergence(loss.name(), mode, a[i], p[i]);
        }
        for (int j = 0; j < q.length; j++) {
            colPart += naiveDivergence(loss.name(), mode, b[j], q[j]);
        }
        return rowPart / p.length + colPart / q.length;
    }

    static double[][] rows(DMatrixRMaj x) {
        double[][] r = new double[x.numRows][x.numCols];
        for (int i = 0; i < x.numRows; i++) {
            for (int j = 0; j < x.numCols; j++) {
                r[i][j] = x.get(i, j);
            }
        }
        return r;
    }

    /** The four rematch losses: stable and textbook, or (FAITHFUL) as the release computes them. */
    static TargetedLoss[] losses(double tau, Mode mode) {
        Losses.Settings s = Losses.Settings.defaults().withTau(tau);
        Losses.Settings settings = mode == Mode.FAITHFUL ? s.asReleased() : s;
        return Losses.TARGETED_NAMES.stream().map(name -> Losses.createTargeted(name, settings)).toArray(TargetedLoss[]::new);
    }

    @Test
    void valuesEqualTheDefinitionsOnRectangularBatches() {
        qt().forAll(integers().between(1, 9), integers().between(1, 9), longs().all(), doubles().between(0.03, 1))
                .checkAssert((n, m, seed, tau) -> {
                    DMatrixRMaj s = TestMatrices.uniform(n, m, 1, seed);
                    DMatrixRMaj t = targets(n, m, seed + 1);
                    for (Mode mode : Mode.values()) {
                        for (TargetedLoss l : losses(tau, mode)) {
                            double want = naiveLoss(l, mode, tau, s, t);
                            double got = l.evaluate(s, t).value();
                            assertEquals(want, got, VALUE_TOLERANCE * Math.max(1, Math.abs(want)), l.name() + " " + mode);
                        }
                    }
                });
    }

    /** The gradient contract of ScoreLossContractTest, on non-square batches. */
    @Test
    void gradientsMatchFiniteDifferencesOnRectangularBatches() {
        qt().withExamples(30).forAll(integers().between(1, 6), integers().between(1, 6), longs().all())
                .checkAssert((n, m, seed) -> {
                    DMatrixRMaj s = TestMatrices.uniform(n, m, 1, seed);
                    DMatrixRMaj t = targets(n, m, seed + 1);
                    for (Mode mode : Mode.values()) {
                        for (TargetedLoss l : losses(0.1, mode)) {
                            DMatrixRMaj analytic = l.evaluate(s, t).gradient().copy();
                            DMatrixRMaj numeric = TestMatrices.richardsonGradient(x -> l.evaluate(x, t).value(), s, 1e-4);
                            String bad = TestMatrices.gradientMismatch(analytic, numeric, TestMatrices.GRADIENT_RELATIVE,
                                    TestMatrices.GRADIENT_ABSOLUTE);
                            assertTrue(bad == null, l.name() + " " + mode + " " + n + "x" + m + ": " + bad);
                        }
                    }
                });
    }

    /**
     * Targets exp(S / tau) normalise to exactly P by rows and Q by columns, so every divergence
     * (both JS forms included) is 0 with a zero gradient, and soft InfoNCE is the mean entropy.
     */
    @Test
    void divergencesVanishWhenTheTargetsAreTheModel() {
        qt().forAll(integers().between(1, 10), integers().between(1, 10), longs().all()).checkAssert((n, m, seed) -> {
            double tau = 0.2;
            DMatrixRMaj s = TestMatrices.uniform(n, m, 1, seed);
            DMatrixRMaj t = new DMatrixRMaj(n, m);
            for (int k = 0; k < n * m; k++) {
                t.data[k] = Math.exp(s.data[k] / tau);
            }
            for (TargetedLoss l : losses(tau, Mode.STABLE)) {
                LossValue v = l.evaluate(s, t);
                if (l instanceof SoftContrastiveLoss) {
                    double entropy = naiveLoss(l, Mode.STABLE, tau, s, t);
                    assertEquals(entropy, v.value(), 1e-12 * Math.max(1, entropy));
                    continue;
                }
                assertEquals(0.0, v.value(), 1e-13, l.name());
                assertTrue(TestMatrices.maxAbs(v.gradient()) < 1e-11, l.name() + " gradient " + TestMatrices.maxAbs(v.gradient()));
            }
        });
    }

    /** Divergences are >= 0; textbook JS is at most log 2 per direction; sym-KL = (KL + reverse KL) / 2 >= JS forms. */
    @Test
    void boundsAndOrderings() {
        qt().forAll(integers().between(1, 10), longs().all(), doubles().between(0.02, 1)).checkAssert((n, seed, tau) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
            DMatrixRMaj t = targets(n, n, seed ^ 0x5DEECE66DL);
            for (Mode mode : Mode.values()) {
                double kl = new KlDivergenceLoss(tau, mode).evaluate(s, t).value();
                double sym = new SymmetricKlDivergenceLoss(tau, mode).evaluate(s, t).value();
                double js = new JensenShannonLoss(tau, mode, mode == Mode.FAITHFUL ? JensenShannonLoss.Form.MIXTURE_FIRST
                        : JensenShannonLoss.Form.TEXTBOOK, SoftTargets.EmptyRows.REFUSE).evaluate(s, t).value();
                double ce = new SoftContrastiveLoss(tau, mode).evaluate(s, t).value();
                assertTrue(kl >= -1e-12 && sym >= -1e-12 && js >= -1e-12, kl + " " + sym + " " + js);
                assertTrue(ce >= kl - 1e-12, "cross-entropy = KL + entropy >= KL");
                if (mode == Mode.STABLE) {
                    assertTrue(js <= 2 * Math.log(2) + 1e-12, "textbook JS " + js);
                }
            }
        });
    }

    /** The targets are normalised inside the loss: scaling the plan changes nothing (above the floor). */
    @Test
    void invariantToTheScaleOfThePlan() {
        qt().forAll(integers().between(1, 8), longs().all(), doubles().between(1e-4, 1e4)).checkAssert((n, seed, c) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
            DMatrixRMaj t = TestMatrices.uniform(n, n, 0.5, seed + 7);
            DMatrixRMaj scaled = new DMatrixRMaj(n, n);
            for (int k = 0; k < n * n; k++) {
                t.data[k] += 0.51; // >= 0.01: far above the 1e-10 floor even after scaling
                scaled.data[k] = c * t.data[k];
            }
            for (Mode mode : Mode.values()) {
                for (TargetedLoss l : losses(0.05, mode)) {
                    LossValue a = l.evaluate(s, t), b = l.evaluate(s, scaled);
                    assertEquals(a.value(), b.value(), 1e-12 * Math.max(1, Math.abs(a.value())), l.name());
                    assertTrue(TestMatrices.maxAbsDiff(a.gradient(), b.gradient()) <= 1e-12 * Math.max(1, TestMatrices.maxAbs(a.gradient())));
                }
            }
        });
    }

    /** RCE = (InfoNCE + reverse cross-entropy) / 2, the reverse part from its definition. */
    @Test
    void rceIsHalfInfoNcePlusReverseCrossEntropy() {
        qt().forAll(integers().between(1, 12), longs().all(), doubles().between(0.02, 1)).checkAssert((n, seed, tau) -> {
            DMatrixRMaj s = TestMatrices.scores(n, 0.3, seed);
            double[][] p = rows(MatchingProbabilities.imageToText(s, tau, Mode.STABLE));
            double[][] q = rows(MatchingProbabilities.textToImage(s, tau, Mode.STABLE));
            double infoNce = new ContrastiveLoss(tau, Mode.STABLE).evaluate(s).value();
            for (Mode mode : Mode.values()) {
                double diag = mode == Mode.FAITHFUL ? Math.log(1 + 1e-7) : 0.0;
                double reverse = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double label = i == j ? diag : Math.log(1e-7);
                        reverse -= label * (p[i][j] + q[i][j]);
                    }
                }
                double want = 0.5 * (infoNce + reverse / n);
                double got = new SymmetricCrossEntropyLoss(tau, mode == Mode.FAITHFUL ? SymmetricCrossEntropyLoss.DiagonalLabel.RELEASE
                        : SymmetricCrossEntropyLoss.DiagonalLabel.TEXTBOOK).evaluate(s).value();
                assertEquals(want, got, 1e-11 * Math.max(1, want), mode.toString());
            }
        });
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RCL Eq. 14-18: the inequalities behind the upper bounds, their limits, and their derivatives. */
class ComplementaryBoundProperties {

    /** x <= -log(1-x), x <= e^{-(1-x)}, x <= (1-(1-x)^q)/q (q in (0,1]), x <= tan x, on [0, 1). */
    @Test
    void everyBoundIsAtLeastMae() {
        qt().forAll(doubles().between(0, 0.999999), doubles().between(1e-6, 1.0)).checkAssert((x, q) -> {
            for (ComplementaryBound b : List.of(ComplementaryBound.log(), ComplementaryBound.exp(),
                    ComplementaryBound.gce(q), ComplementaryBound.tan())) {
                assertTrue(b.value(x) >= x - 1e-15, b + " at x=" + x + ": " + b.value(x) + " < " + x);
            }
        });
    }

    /** The same inequality for whole losses: each bound's CCL loss >= the MAE CCL loss on the same scores. */
    @Test
    void everyBoundLossIsAtLeastTheMaeLoss() {
        qt().forAll(integers().between(2, 20), longs().all(), doubles().between(0.2, 1.0))
                .checkAssert((n, seed, q) -> {
                    var s = TestMatrices.scores(n, 0.5, seed);
                    double mae = new ComplementaryContrastiveLoss(ComplementaryBound.mae(), 0.1, Negatives.all(),
                            Mode.STABLE).evaluate(s).value();
                    for (ComplementaryBound b : List.of(ComplementaryBound.log(), ComplementaryBound.exp(),
                            ComplementaryBound.gce(q), ComplementaryBound.tan())) {
                        double v = new ComplementaryContrastiveLoss(b, 0.1, Negatives.all(), Mode.STABLE)
                                .evaluate(s).value();
                        assertTrue(v >= mae - 1e-12, b + ": " + v + " < MAE " + mae);
                    }
                });
    }

    /** GCE(q) -> LOG as q -> 0 (error O(q log^2)), and GCE(1) = MAE exactly. */
    @Test
    void gceInterpolatesBetweenLogAndMae() {
        qt().forAll(doubles().between(0, 0.99)).checkAssert(x -> {
            double log = ComplementaryBound.log().value(x);
            double l = Math.log1p(-x);
            assertEquals(log, ComplementaryBound.gce(1e-7).value(x), 1e-6 * (1 + l * l));
            assertEquals(x, ComplementaryBound.gce(1.0).value(x), 1e-15);
            // monotone in q: a smaller q is closer to LOG, so larger
            assertTrue(ComplementaryBound.gce(0.2).value(x) >= ComplementaryBound.gce(0.7).value(x) - 1e-15);
        });
    }

    /** p * phi'(p) against a central difference of phi, for every bound and both modes. */
    @Test
    void derivativesMatchFiniteDifferences() {
        qt().forAll(doubles().between(0.01, 0.98), doubles().between(0.1, 1.0)).checkAssert((p, q) -> {
            for (ComplementaryBound b : List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
                    ComplementaryBound.exp(), ComplementaryBound.gce(q), ComplementaryBound.tan())) {
                for (Mode mode : Mode.values()) {
                    double h = 1e-6;
                    double numeric = (b.value(p + h, 1 - p - h, mode) - b.value(p - h, 1 - p + h, mode)) / (2 * h);
                    double analytic = b.pTimesDerivative(p, 1 - p, mode) / p;
                    assertEquals(numeric, analytic, 1e-6 * Math.max(1, Math.abs(analytic)), b + " " + mode + " p=" + p);
                }
            }
        });
    }

    /** The log-of-a-product accumulator equals the plain sum of logs, down to factors of 1e-300. */
    @Test
    void logProductEqualsSumOfLogs() {
        qt().forAll(integers().between(0, 3000), longs().all()).checkAssert((count, seed) -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            LogProduct acc = new LogProduct();
            double expected = 0;
            for (int k = 0; k < count; k++) {
                double f = Math.pow(10, -300 * r.nextDouble() * r.nextDouble() * r.nextDouble());
                acc.add(f);
                expected -= Math.log(f);
            }
            assertEquals(expected, acc.negativeLogSum(), 1e-12 * Math.max(1, expected));
        });
    }

    @Test
    void gceRejectsQOutsideUnitInterval() {
        for (double q : new double[] {0.0, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComplementaryBound.gce(q));
            assertEquals("q must be in (0.0, 1.0], got " + q, e.getMessage());
        }
    }
}

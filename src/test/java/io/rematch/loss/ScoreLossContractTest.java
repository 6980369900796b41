package io.rematch.loss;

import static io.rematch.testing.TestMatrices.GRADIENT_ABSOLUTE;
import static io.rematch.testing.TestMatrices.GRADIENT_RELATIVE;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link ScoreLoss} meets: its analytic gradient agrees with
 * Richardson-extrapolated central differences entry by entry, to
 * {@link TestMatrices#GRADIENT_RELATIVE} of the entry plus {@link TestMatrices#GRADIENT_ABSOLUTE}
 * of max(1, |grad|_inf), on several batch sizes, temperatures and both modes. Random masks are fixed per case so the
 * loss is a deterministic function of the scores.
 */
class ScoreLossContractTest {

    static Stream<Arguments> losses() {
        List<Arguments> cases = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (double tau : new double[] {0.05, 0.2}) {
                List<ComplementaryBound> bounds = List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
                        ComplementaryBound.exp(), ComplementaryBound.gce(0.5), ComplementaryBound.gce(0.2),
                        ComplementaryBound.tan());
                for (ComplementaryBound b : bounds) {
                    add(cases, "ccl-" + b.shortName() + "(q=" + b.q() + ") all tau=" + tau + " " + mode,
                            n -> new ComplementaryContrastiveLoss(b, tau, Negatives.all(), mode));
                    add(cases, "ccl-" + b.shortName() + " ratio:0.5 tau=" + tau + " " + mode,
                            n -> new ComplementaryContrastiveLoss(b, tau,
                                    Negatives.fixed(Negatives.ratio(0.5, 7).draw(n)), mode));
                }
                add(cases, "nl tau=" + tau + " " + mode, n -> new ComplementaryContrastiveLoss(
                        ComplementaryBound.log(), tau, Negatives.fixed(Negatives.single(3).draw(n)), mode));
                add(cases, "infonce tau=" + tau + " " + mode, n -> new ContrastiveLoss(tau, mode));
                add(cases, "rce tau=" + tau + " " + mode, n -> new SymmetricCrossEntropyLoss(tau, mode == Mode.FAITHFUL
                        ? SymmetricCrossEntropyLoss.DiagonalLabel.RELEASE : SymmetricCrossEntropyLoss.DiagonalLabel.TEXTBOOK));
                List<TargetedLoss> rematch = List.of(new SymmetricKlDivergenceLoss(tau, mode), new KlDivergenceLoss(tau, mode),
                        new JensenShannonLoss(tau, mode), new SoftContrastiveLoss(tau, mode),
                        new JensenShannonLoss(tau, mode, JensenShannonLoss.Form.MIXTURE_FIRST, SoftTargets.EmptyRows.REFUSE));
                for (TargetedLoss l : rematch) {
                    add(cases, l.name() + " random targets tau=" + tau + " " + mode,
                            n -> l.withTargets(randomTargets(n, 11L * n)));
                    add(cases, l.name() + " sparse plan-like targets tau=" + tau + " " + mode,
                            n -> l.withTargets(sparseTargets(n, 13L * n)));
                }
            }
        }
        add(cases, "tr-mean margin=0.2", n -> new TripletRankingLoss(0.2, TripletRankingLoss.Aggregation.MEAN));
        add(cases, "tr margin=0.2", n -> new TripletRankingLoss(0.2, false));
        add(cases, "tr-hn margin=0.2", n -> new TripletRankingLoss(0.2, true));
        return cases.stream();
    }

    /** Entries uniform in [0, 1): a dense target matrix. */
    static DMatrixRMaj randomTargets(int n, long seed) {
        DMatrixRMaj t = TestMatrices.uniform(n, n, 0.5, seed);
        for (int k = 0; k < n * n; k++) {
            t.data[k] += 0.5;
        }
        return t;
    }

    /**
     * Like an L2RM plan: total mass 0.1, a zero diagonal (the masked given pairs), entries spread
     * over 12 orders of magnitude, some below the 1e-10 floor, at least one positive entry per
     * row and column.
     */
    static DMatrixRMaj sparseTargets(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        DMatrixRMaj t = new DMatrixRMaj(n, n);
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t.data[i * n + j] = i == j ? 0.0 : Math.pow(10, -14 * r.nextDouble());
                total += t.data[i * n + j];
            }
        }
        if (n == 1) {
            t.data[0] = 1e-3; // nothing off the diagonal
            total = t.data[0];
        }
        for (int k = 0; k < n * n; k++) {
            t.data[k] *= 0.1 / total;
        }
        return t;
    }

    interface LossForSize {
        ScoreLoss create(int n);
    }

    private static void add(List<Arguments> cases, String name, LossForSize f) {
        cases.add(Arguments.of(Named.of(name, f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void analyticGradientMatchesFiniteDifferences(LossForSize factory) {
        for (int n : new int[] {2, 3, 7, 16}) {
            for (long seed = 1; seed <= 3; seed++) {
                final long matrixSeed = seed * 31 + n;
                final int size = n;
                DMatrixRMaj s = TestMatrices.scores(n, 0.3, matrixSeed);
                ScoreLoss loss = factory.create(n);
                DMatrixRMaj analytic = loss.evaluate(s).gradient().copy();
                // Step 1e-4 in units of S with Richardson extrapolation: truncation h^4 / tau^5 ~ 1e-12,
                // rounding ~ 1e-16 |L| / h ~ 1e-11. The hinge losses are piecewise linear.
                DMatrixRMaj numeric = TestMatrices.richardsonGradient(x -> loss.evaluate(x).value(), s, 1e-4);
                String bad = TestMatrices.gradientMismatch(analytic, numeric, GRADIENT_RELATIVE, GRADIENT_ABSOLUTE);
                assertNull(bad, () -> loss.name() + " n=" + size + " matrix seed=" + matrixSeed + ": " + bad);
            }
        }
    }
}

package io.rematch.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.numeric.Mode;
import io.rematch.numeric.RowBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The softmax losses' sweeps on all cores ({@link RowBlocks}): on a batch large enough to run on
 * several threads, the loss and every gradient entry are the same bit for bit in fork-join pools
 * of 1, 2 and 5 threads (parallel streams run in the pool of the task that starts them, so a pool
 * stands for a machine with that many cores), and they equal the literal log-domain reference
 * ({@link LogDomainReference}) to rounding, so the blocks' partial sums are merged right.
 */
class ParallelSweepTest {

    static final long SEED = 20261211L;
    static final int N = 736;   // three blocks of 256 rows; 736^2 >= 2^19 entries, so several threads

    static <T> T inPool(int threads, Supplier<T> work) {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(work::get).join();
        } finally {
            pool.shutdown();
        }
    }

    static DMatrixRMaj cosineScores(Random r, int n) {
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int k = 0; k < n * n; k++) {
            s.data[k] = Math.tanh(0.4 * r.nextGaussian() + (k / n == k % n ? 0.8 : 0));
        }
        return s;
    }

    static List<ScoreLoss> losses() {
        List<ScoreLoss> l = new ArrayList<>();
        for (ComplementaryBound b : List.of(ComplementaryBound.mae(), ComplementaryBound.log(), ComplementaryBound.exp(),
                ComplementaryBound.gce(0.5), ComplementaryBound.tan())) {
            for (Mode mode : Mode.values()) {
                l.add(new ComplementaryContrastiveLoss(b, 0.05, Negatives.all(), mode));
            }
        }
        l.add(new ContrastiveLoss(0.05, Mode.STABLE));
        l.add(new ContrastiveLoss(0.05, Mode.FAITHFUL));
        return l;
    }

    @Test
    void theSameBitsOnAnyNumberOfThreads() {
        assertTrue(RowBlocks.parallel(N, N), "large enough to run on several threads");
        assertEquals(3, RowBlocks.count(N));
        Random r = new Random(SEED);
        System.out.println("seed " + SEED);
        DMatrixRMaj s = cosineScores(r, N);
        for (ScoreLoss loss : losses()) {
            Supplier<LossValue> evaluate = () -> loss.evaluate(s, new LossWorkspace());
            LossValue one = inPool(1, evaluate);
            for (int threads : new int[] {2, 5}) {
                LossValue many = inPool(threads, evaluate);
                String what = loss.name() + " on " + threads + " threads";
                assertEquals(Double.doubleToLongBits(one.value()), Double.doubleToLongBits(many.value()), what);
                assertArrayEquals(one.gradient().data, many.gradient().data, what);
            }
        }
    }

    @Test
    void theMergedBlocksEqualTheLiteralReference() {
        Random r = new Random(SEED + 1);
        DMatrixRMaj s = cosineScores(r, N);
        List<Object[]> cases = List.of(
                new Object[] {new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05, Negatives.all(), Mode.STABLE),
                        LogDomainReference.ccl(s, 0.05, ComplementaryBound.log(), io.rematch.mask.PairMask.offDiagonal(N))},
                new Object[] {new ContrastiveLoss(0.05, Mode.STABLE), LogDomainReference.infoNce(s, 0.05)});
        for (Object[] c : cases) {
            ScoreLoss loss = (ScoreLoss) c[0];
            LogDomainReference.Value want = (LogDomainReference.Value) c[1];
            LossValue got = loss.evaluate(s);
            assertEquals(want.value(), got.value(), 1e-11 * Math.abs(want.value()), loss.name());
            double max = 0;
            double worst = 0;
            for (int k = 0; k < N * N; k++) {
                max = Math.max(max, Math.abs(want.gradient()[k]));
                worst = Math.max(worst, Math.abs(want.gradient()[k] - got.gradient().data[k]));
            }
            System.out.printf("%s, N = %d: loss rel err %.2e, gradient err / max %.2e%n", loss.name(), N,
                    Math.abs(got.value() - want.value()) / Math.abs(want.value()), worst / max);
            assertTrue(worst <= 1e-10 * max, loss.name() + ": gradient off by " + worst + " of " + max);
        }
    }

    /** A transport-plan-like target: a third of the entries 0, never a whole row or column. */
    static DMatrixRMaj plan(Random r, int n, int m) {
        DMatrixRMaj t = new DMatrixRMaj(n, m);
        for (int e = 0; e < n * m; e++) {
            int i = e / m, j = e % m;
            t.data[e] = (i + 2 * j) % 3 == 0 ? 0 : r.nextDouble() / ((double) n * m);
        }
        return t;
    }

    static List<TargetedLoss> rematchLosses() {
        List<TargetedLoss> l = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            l.add(new SoftContrastiveLoss(0.05, mode));
            l.add(new KlDivergenceLoss(0.05, mode));
            l.add(new SymmetricKlDivergenceLoss(0.05, mode));
            for (JensenShannonLoss.Form form : JensenShannonLoss.Form.values()) {
                l.add(new JensenShannonLoss(0.05, mode, form, SoftTargets.EmptyRows.REFUSE));
            }
        }
        return l;
    }

    @Test
    void theRematchLossesGiveTheSameBitsOnAnyNumberOfThreads() {
        // 736 x 720: three row blocks and three column blocks, rectangular so rows and columns differ
        int n = N, m = 720;
        assertTrue(RowBlocks.parallel(n, m) && RowBlocks.parallel(m, n), "large enough to run on several threads");
        Random r = new Random(SEED + 2);
        System.out.println("seed " + (SEED + 2));
        DMatrixRMaj s = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            s.data[k] = Math.tanh(0.4 * r.nextGaussian());
        }
        DMatrixRMaj t = plan(r, n, m);
        for (TargetedLoss loss : rematchLosses()) {
            Supplier<LossValue> evaluate = () -> loss.evaluate(s, t, new LossWorkspace());
            LossValue one = inPool(1, evaluate);
            for (int threads : new int[] {2, 5}) {
                LossValue many = inPool(threads, evaluate);
                String what = loss.name() + " (" + ((SoftTargetLoss) loss).mode() + ") on " + threads + " threads";
                assertEquals(Double.doubleToLongBits(one.value()), Double.doubleToLongBits(many.value()), what);
                assertArrayEquals(one.gradient().data, many.gradient().data, what);
            }
        }
    }

    @Test
    void theBlockedRematchLossesEqualTheLiteralForms() {
        int n = N, m = 720;
        Random r = new Random(SEED + 3);
        DMatrixRMaj s = new DMatrixRMaj(n, m);
        for (int k = 0; k < n * m; k++) {
            s.data[k] = r.nextDouble() * 2 - 1;
        }
        DMatrixRMaj t = plan(r, n, m);
        double[][] rs = new double[n][m], rt = new double[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(s.data, i * m, rs[i], 0, m);
            System.arraycopy(t.data, i * m, rt[i], 0, m);
        }
        for (LiteralRematchLosses.Kind kind : LiteralRematchLosses.Kind.values()) {
            TargetedLoss fast = switch (kind) {
                case SOFT_INFONCE -> new SoftContrastiveLoss(0.05, Mode.STABLE);
                case KL -> new KlDivergenceLoss(0.05, Mode.STABLE);
                case SYMMETRIC_KL -> new SymmetricKlDivergenceLoss(0.05, Mode.STABLE);
                case JS_TEXTBOOK -> new JensenShannonLoss(0.05, Mode.STABLE, JensenShannonLoss.Form.TEXTBOOK,
                        SoftTargets.EmptyRows.REFUSE);
                case JS_MIXTURE_FIRST -> new JensenShannonLoss(0.05, Mode.STABLE, JensenShannonLoss.Form.MIXTURE_FIRST,
                        SoftTargets.EmptyRows.REFUSE);
            };
            LossValue got = fast.evaluate(s, t, new LossWorkspace());
            double want = LiteralRematchLosses.loss(kind, rs, 0.05, rt);
            double[][] wantGrad = LiteralRematchLosses.gradient(kind, rs, 0.05, rt);
            double max = 0, worst = 0;
            for (int k = 0; k < n * m; k++) {
                max = Math.max(max, Math.abs(wantGrad[k / m][k % m]));
                worst = Math.max(worst, Math.abs(wantGrad[k / m][k % m] - got.gradient().data[k]));
            }
            System.out.printf("%s, %d x %d: loss rel err %.2e, gradient err / max %.2e%n", kind, n, m,
                    Math.abs(got.value() - want) / Math.abs(want), worst / max);
            assertEquals(want, got.value(), 1e-10 * Math.abs(want), kind + ": loss");
            assertTrue(worst <= 1e-10 * max, kind + ": gradient off by " + worst + " of " + max);
        }
    }
}

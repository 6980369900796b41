package io.rematch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.cost.RowLinearCost;
import io.rematch.io.Npy;
import io.rematch.loss.ComplementaryBound;
import io.rematch.loss.ComplementaryContrastiveLoss;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.loss.ScoreLoss;
import io.rematch.loss.TargetedLoss;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.numeric.RestorableRandom;
import io.rematch.optim.Adam;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportSolver;
import io.rematch.ot.Transports;
import io.rematch.rematch.Rematching;
import io.rematch.testing.TestMatrices;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The API as a training loop calls it: state that a checkpoint saves and restores bit for bit,
 * settings that validate themselves and read by name, reusable buffers, one factory per family
 * (losses, solvers), the rematching step as a library class, and a {@link Mode} that only
 * switches arithmetic.
 */
class TrainerApiTest {

    @Test
    void restorableRandomIsSplittableRandomAndResumes() {
        RestorableRandom r = new RestorableRandom(42);
        SplittableRandom s = new SplittableRandom(42);
        for (int k = 0; k < 1000; k++) {
            assertEquals(s.nextInt(17), r.nextInt(17));
            assertEquals(s.nextLong(), r.nextLong());
            assertEquals(s.nextDouble(), r.nextDouble());
        }
        long saved = r.state();
        long[] next = {r.nextLong(), r.nextLong(), r.nextLong()};
        RestorableRandom resumed = new RestorableRandom(0);
        resumed.restore(saved);
        assertArrayEquals(next, new long[] {resumed.nextLong(), resumed.nextLong(), resumed.nextLong()});
    }

    @Test
    void negativesResumeTheSameSequenceOfMasks() {
        for (Negatives fresh : new Negatives[] {Negatives.ratio(0.3, 7), Negatives.single(7)}) {
            Negatives run = fresh.isAll() ? null : fresh;
            run.draw(20);
            run.draw(20);
            long checkpoint = run.state();
            PairMask third = run.draw(20);
            PairMask fourth = run.draw(20);
            Negatives resumed = fresh.toString().equals("single") ? Negatives.single(7) : Negatives.ratio(0.3, 7);
            resumed.restore(checkpoint);
            assertArrayEquals(third.toMatrix().data, resumed.draw(20).toMatrix().data, 0.0, fresh + " third batch");
            assertArrayEquals(fourth.toMatrix().data, resumed.draw(20).toMatrix().data, 0.0, fresh + " fourth batch");
        }
        assertEquals(0L, Negatives.all().state());
    }

    @Test
    void adamResumesBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        double[] x = new double[6];
        double[][] grads = new double[40][6];
        for (double[] g : grads) {
            for (int k = 0; k < 6; k++) {
                g[k] = r.nextDouble(-1, 1);
            }
        }
        Adam straight = new Adam(6, Adam.Settings.withLearningRate(0.01));
        double[] xs = x.clone();
        Adam first = new Adam(6, Adam.Settings.withLearningRate(0.01));
        double[] xr = x.clone();
        for (int t = 0; t < 40; t++) {
            if (t == 25) {
                straight.setLearningRate(0.001);
                first.setLearningRate(0.001);
            }
            straight.stepInPlace(xs, grads[t]);
            if (t < 30) {
                first.stepInPlace(xr, grads[t]);
            }
        }
        Adam.State saved = first.state();
        Adam resumed = new Adam(6, Adam.Settings.withLearningRate(0.5));   // the state carries the rate
        resumed.restore(saved);
        assertEquals(30, resumed.steps());
        for (int t = 30; t < 40; t++) {
            resumed.stepInPlace(xr, grads[t]);
        }
        assertArrayEquals(xs, xr, 0.0, "bit-identical to the uninterrupted run");
        assertThrows(IllegalArgumentException.class, () -> new Adam(5, Adam.Settings.withLearningRate(0.1)).restore(saved));
    }

    @Test
    void settingsValidateThemselvesAndReadByName() {
        Losses.Settings s = Losses.Settings.defaults().withTau(0.1).withQ(0.3).withMargin(0.4).withSeed(9);
        assertEquals(0.1, s.tau());
        assertEquals(0.3, s.q());
        assertEquals(0.4, s.margin());
        assertEquals(9, s.seed());
        assertTrue(s.negatives().isAll());
        assertEquals(Mode.STABLE, s.mode());
        assertEquals(Mode.FAITHFUL, s.asReleased().mode());
        for (Runnable bad : new Runnable[] {() -> Losses.Settings.defaults().withTau(-1), () -> Losses.Settings.defaults().withTau(0),
                () -> Losses.Settings.defaults().withQ(0), () -> Losses.Settings.defaults().withQ(1.5),
                () -> Losses.Settings.defaults().withMargin(-0.1), () -> Losses.Settings.defaults().withNegatives(null),
                () -> Losses.Settings.defaults().withMode(null)}) {
            assertThrows(IllegalArgumentException.class, bad::run);
        }
        IllegalArgumentException nullName = assertThrows(IllegalArgumentException.class, () -> Losses.createTargeted(null, s));
        assertTrue(nullName.getMessage().contains("missing"), nullName.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.create(null, s));
        assertThrows(IllegalArgumentException.class, () -> Losses.createTargeted("kl", null));
        assertThrows(IllegalArgumentException.class, () -> Losses.createTargeted("infonce", s));
        assertEquals("ccl-mae", Losses.create("abs", s).name());
        assertEquals("sym-kl", Losses.createTargeted("sym_KL_Divergence", s).name());
    }

    @Test
    void aWorkspaceIsReusedAndGivesTheSameNumbers() {
        LossWorkspace ws = new LossWorkspace();
        for (String name : Losses.SCORE_ONLY_NAMES) {
            ScoreLoss l = Losses.create(name, Losses.Settings.defaults());
            DMatrixRMaj s1 = TestMatrices.scores(12, 0.3, 1);
            DMatrixRMaj s2 = TestMatrices.scores(12, 0.3, 2);
            ScoreLoss twin = Losses.create(name, Losses.Settings.defaults());   // the same random draws (nl)
            twin.evaluate(s1);
            LossValue fresh = twin.evaluate(s2);
            LossValue a = l.evaluate(s1, ws);
            LossValue b = l.evaluate(s2, ws);
            assertSame(a.gradient(), b.gradient(), name + ": one buffer");
            assertEquals(fresh.value(), b.value(), 0.0, name);
            assertArrayEquals(fresh.gradient().data, b.gradient().data, 0.0, name);
        }
        TargetedLoss kl = Losses.createTargeted("kl", Losses.Settings.defaults());
        DMatrixRMaj t = TestMatrices.uniform(6, 9, 1, 5);
        for (int k = 0; k < t.getNumElements(); k++) {
            t.data[k] = Math.abs(t.data[k]);
        }
        LossValue small = kl.evaluate(TestMatrices.uniform(6, 9, 1, 4), t, ws);   // another shape: the buffer reshapes
        assertEquals(6, small.gradient().numRows);
        assertEquals(9, small.gradient().numCols);
        assertEquals(kl.evaluate(TestMatrices.uniform(6, 9, 1, 4), t).value(), small.value(), 0.0);
    }

    /**
     * Mode switches arithmetic only: with the same definitions, faithful and stable agree to the
     * release's epsilons on every loss (JS, RCE and the empty-row policy are named choices).
     */
    @Test
    void modesAgreeToTheEpsilonsOnEveryLoss() {
        DMatrixRMaj s = TestMatrices.uniform(6, 6, 0.05, 3);
        DMatrixRMaj t = TestMatrices.uniform(6, 6, 1, 4);
        for (int k = 0; k < 36; k++) {
            t.data[k] = Math.abs(t.data[k]) + 0.1;
        }
        Losses.Settings stable = Losses.Settings.defaults();
        Losses.Settings faithful = stable.withMode(Mode.FAITHFUL);
        for (String name : Losses.NAMES) {
            double a = Losses.needsTargets(name) ? Losses.createTargeted(name, stable).evaluate(s, t).value()
                    : Losses.create(name, stable).evaluate(s).value();
            double b = Losses.needsTargets(name) ? Losses.createTargeted(name, faithful).evaluate(s, t).value()
                    : Losses.create(name, faithful).evaluate(s).value();
            assertEquals(a, b, 1e-9 * Math.max(1, Math.abs(a)), name);
        }
        double textbook = Losses.createTargeted("js", faithful).evaluate(s, t).value();
        double release = Losses.createTargeted("js", faithful.asReleased()).evaluate(s, t).value();
        assertNotEquals(textbook, release, "the release's JS is another function, chosen by name");
    }

    @Test
    void theSolverFactoryAndOneInterface() {
        DMatrixRMaj c = TestMatrices.uniform(5, 5, 1, 2);
        for (int k = 0; k < 25; k++) {
            c.data[k] = Math.abs(c.data[k]);
        }
        for (String method : Transports.METHODS) {
            Transports.Settings settings = Transports.Settings.of(0.1);
            TransportSolver solver = Transports.create(method.toUpperCase(), method.startsWith("sinkhorn") ? settings
                    : settings.withMass(0.2));
            assertEquals(method, solver.name());
            assertEquals(Stopping.Rule.MARGINALS, solver.stopping().rule());
            assertTrue(solver.solve(c).converged(), method);
        }
        assertTrue(Transports.create("l2rm", Transports.Settings.of(0.1).withMode(Mode.FAITHFUL)) instanceof MaskedPartialTransport);
        assertEquals(Stopping.Rule.POTENTIAL_CHANGE, Transports.defaultStopping("l2rm", Mode.FAITHFUL).rule());
        assertThrows(IllegalArgumentException.class, () -> Transports.create("sinkhorn", Transports.Settings.of(0.1).withMass(0.5)));
        assertThrows(IllegalArgumentException.class, () -> Transports.create("partial", Transports.Settings.of(0.1).withMode(Mode.FAITHFUL)));
        assertThrows(IllegalArgumentException.class, () -> Transports.create("emd", Transports.Settings.of(0.1)));
        assertThrows(IllegalArgumentException.class, () -> Transports.create("sinkhorn",
                Transports.Settings.of(0.1).withStopping(Stopping.potPartial())));
    }

    /** The rematching step as a library class: the bundled batch's mismatched pairs, as realign reports them. */
    @Test
    void rematchingIsALibraryStep() throws Exception {
        DMatrixRMaj s = Npy.read(Path.of("data-small/batch128-pmp20/scores.npy")).toMatrix("scores");
        double[] flags = Npy.read(Path.of("data-small/batch128-pmp20/mismatched.npy")).data();
        double[] truth = Npy.read(Path.of("data-small/batch128-pmp20/true_caption.npy")).data();
        int[] noisy = java.util.stream.IntStream.range(0, 128).filter(i -> flags[i] == 1).toArray();
        int k = noisy.length;
        DMatrixRMaj sub = new DMatrixRMaj(k, k);
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                sub.set(r, c, s.get(noisy[r], noisy[c]));
            }
        }
        Rematching.Result result = new Rematching(new RowLinearCost(k),
                new MaskedPartialTransport(0.07, 0.9, Mode.STABLE)).rematch(sub);
        assertTrue(result.transport().converged());
        int hits = 0;
        for (int r = 0; r < k; r++) {
            assertNotEquals(r, result.proposals()[r], "the given pair is forbidden");
            hits += noisy[result.proposals()[r]] == (int) truth[noisy[r]] ? 1 : 0;
            assertEquals(0.0, result.plan().get(r, r));
        }
        assertEquals(22, hits, "22 of the 26 true captions at mass 0.9, as the README reports");
        assertEquals(k, result.proposed());
    }

    @Test
    void cclValidatesItsInputOnceAndNamesIt() {
        ComplementaryContrastiveLoss l = new ComplementaryContrastiveLoss(ComplementaryBound.log(), 0.05, Negatives.all(), Mode.STABLE);
        DMatrixRMaj bad = TestMatrices.scores(3, 0.3, 1);
        bad.set(2, 1, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.evaluate(bad));
        assertEquals("scores[2,1] is NaN; expected finite values", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> l.evaluate(new DMatrixRMaj(2, 3)));
    }
}

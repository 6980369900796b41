package io.rematch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.cost.KeyPoints;
import io.rematch.eval.DirectionMetrics;
import io.rematch.eval.RetrievalReport;
import io.rematch.loss.LossValue;
import io.rematch.optim.Adam;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportResult;
import io.rematch.prob.PartitionFunction;
import io.rematch.rematch.Rematching;
import io.rematch.split.CleanNoisySplit;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Every accessor of every result record, on values worked out by hand: the records are what a
 * trainer reads thousands of times, so each derived accessor (a count, a sum, an argmax) is
 * checked against its definition, and each array accessor returns a copy.
 */
class ResultRecordsTest {

    static final DMatrixRMaj PLAN = new DMatrixRMaj(new double[][] {{0.1, 0.0, 0.2}, {0.0, 0.0, 0.0}, {0.3, 0.4, 0.0}});

    @Test
    void transportResult() {
        TransportResult r = new TransportResult(PLAN, 12, new double[] {1, 0.5}, 0.5, true, null);
        assertArrayEquals(new double[] {0.30000000000000004, 0, 0.7}, r.rowSums(), 1e-15);
        assertArrayEquals(new double[] {0.4, 0.4, 0.2}, r.colSums(), 1e-15);
        assertEquals(1.0, r.mass(), 1e-15);
        DMatrixRMaj cost = new DMatrixRMaj(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
        assertEquals(0.1 + 0.6 + 2.1 + 3.2, r.cost(cost), 1e-14);
        assertEquals(0.7 - 0.5, r.maxRowExcess(new double[] {0.5, 0.5, 0.5}), 1e-15);
        assertEquals(0.4 - 0.45, r.maxColExcess(new double[] {0.45, 0.45, 0.45}), 1e-15);
        assertArrayEquals(new int[] {2, -1, 1}, r.rowArgMax());
        assertEquals(12, r.iterations());
        assertEquals(0.5, r.error());
        assertArrayEquals(new double[] {1, 0.5}, r.errors());
        assertTrue(r.converged());
        assertNull(r.warning());
        assertSame(PLAN, r.plan());
        assertThrows(IllegalArgumentException.class, () -> r.cost(new DMatrixRMaj(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> r.maxRowExcess(new double[2]));
        assertThrows(IllegalArgumentException.class, () -> new TransportResult(PLAN, -1, new double[0], 0, false, null));
    }

    @Test
    void cleanNoisySplitCountsTheCleanPairs() {
        double[] losses = new double[40];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 40; i++) {
            losses[i] = i < 30 ? 0.05 * r.nextDouble() : 1 + 0.05 * r.nextDouble();   // 30 clean, 10 noisy
        }
        for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
            CleanNoisySplit.Result s = CleanNoisySplit.split(losses, m);
            int clean = 0;
            for (int i = 0; i < 40; i++) {
                assertEquals(s.cleanPosterior()[i] > 0.5, s.clean()[i], m + " pair " + i);
                clean += s.clean()[i] ? 1 : 0;
            }
            assertEquals(30, clean, m + ": the low-loss pairs are clean");
            assertEquals(30, s.cleanCount(), m + " cleanCount");
            assertEquals(40, s.normalised().length);
            assertTrue(s.model().mean(s.cleanComponent()) < s.model().mean(1 - s.cleanComponent()), m + " clean component");
        }
    }

    @Test
    void lossValue() {
        DMatrixRMaj g = new DMatrixRMaj(new double[][] {{1, 2}, {3, 4}});
        LossValue v = new LossValue(2.5, g);
        assertEquals(2.5, v.value());
        assertSame(g, v.gradient());
        assertNull(v.warning());
        assertTrue(v.isFinite());
        assertFalse(new LossValue(Double.POSITIVE_INFINITY, g).isFinite());
        DMatrixRMaj nan = g.copy();
        nan.set(1, 0, Double.NaN);
        assertFalse(new LossValue(1, nan, "w").isFinite());
        assertEquals("w", new LossValue(1, nan, "w").warning());
    }

    @Test
    void rematchingResult() {
        TransportResult t = new TransportResult(PLAN, 1, new double[0], Double.NaN, true, null);
        Rematching.Result r = new Rematching.Result(PLAN, t, t.rowArgMax());
        assertSame(PLAN, r.plan());
        assertEquals(2, r.proposed(), "the empty row proposes nothing");
        assertSame(t, r.transport());
        assertSame(PLAN, r.cost());
    }

    @Test
    void directionMetricsAndReport() {
        int[] ranks = {0, 3, 7, 12};
        int[] top = {5, 1, 2, 0};
        DirectionMetrics d = DirectionMetrics.fromRanks(ranks, top);
        assertEquals(25.0, d.r1());
        assertEquals(50.0, d.r5());
        assertEquals(75.0, d.r10());
        assertEquals(Math.floor((3 + 7) / 2.0) + 1, d.medr());
        assertEquals(22.0 / 4 + 1, d.meanr());
        assertEquals(4, d.queries());
        assertArrayEquals(ranks, d.ranks());
        assertNotSame(d.ranks(), d.ranks(), "a copy each time");
        int[] tops = d.top1();
        tops[0] = 99;
        assertArrayEquals(top, d.top1(), "the record keeps its own copy");
        RetrievalReport report = RetrievalReport.of(d, d);
        assertEquals(2 * (25 + 50 + 75), report.rsum());
        assertSame(d, report.i2t());
        assertSame(d, report.t2i());
        assertTrue(report.toJson().contains("\"rsum\": 300.0"), report.toJson());
        assertTrue(report.toTable().contains("rsum") && report.toTable().contains("25.00"), report.toTable());
        assertThrows(IllegalArgumentException.class, () -> new RetrievalReport(d, d, 299));
    }

    @Test
    void partitionFunctionEstimate() {
        PartitionFunction.Estimate e = PartitionFunction.monteCarlo(new double[] {0, 0, 0}, 1, 7, new SplittableRandom(1));
        assertEquals(3.0, e.value(), 1e-15, "every sampled term is N_t e^0 = 3");
        assertEquals(0.0, e.standardError(), 1e-15);
        assertEquals(7, e.samples());
    }

    @Test
    void keyPoints() {
        KeyPoints k = new KeyPoints(4, 3, new int[] {2, 0}, new int[] {1, 2});
        assertEquals(2, k.count());
        DMatrixRMaj y = k.supervision();
        assertEquals(1.0, y.get(2, 1));
        assertEquals(1.0, y.get(0, 2));
        double total = 0;
        for (double v : y.data) {
            total += v;
        }
        assertEquals(2.0, total);
        assertEquals(4, k.queueLength());
        assertEquals(3, k.batchSize());
        int[] slots = k.slots();
        slots[0] = 3;
        assertArrayEquals(new int[] {2, 0}, k.slots());
        assertArrayEquals(new int[] {1, 2}, k.cleanIndices());
    }

    @Test
    void adamState() {
        Adam.State s = new Adam.State(new double[] {1, 2}, new double[] {3, 4}, 5, 0.1);
        double[] m = s.firstMoment();
        m[0] = 9;
        assertArrayEquals(new double[] {1, 2}, s.firstMoment());
        assertArrayEquals(new double[] {3, 4}, s.secondMoment());
        assertEquals(5, s.steps());
        assertEquals(0.1, s.learningRate());
        assertThrows(IllegalArgumentException.class, () -> new Adam.State(new double[1], new double[2], 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Adam.State(new double[1], new double[] {-1}, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Adam.State(new double[1], new double[1], -1, 0.1));
    }

    @Test
    void stopping() {
        Stopping s = Stopping.marginals();
        assertEquals(Stopping.Rule.MARGINALS, s.rule());
        assertEquals(1e-9, s.tolerance());
        assertEquals(10_000, s.maxIterations());
        assertEquals(1000, Stopping.potPartial().maxIterations());
        assertFalse(s.fixedCount());
        assertTrue(s.withTolerance(0).fixedCount());
        assertEquals(7, s.withMaxIterations(7).maxIterations());
        assertEquals(Stopping.Rule.PLAN_CHANGE, Stopping.potPartial().rule());
        assertEquals(1e-100, Stopping.potPartial().tolerance());
        assertEquals(1e-3, Stopping.l2rmRelease().tolerance());
        assertEquals(Stopping.Rule.POTENTIAL_CHANGE, Stopping.parseRule("--stop", "Potential-Change"));
        assertThrows(IllegalArgumentException.class, () -> new Stopping(Stopping.Rule.MARGINALS, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Stopping(Stopping.Rule.MARGINALS, 1, 0));
    }
}

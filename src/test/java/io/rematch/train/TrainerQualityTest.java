package io.rematch.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.data.DatasetFolder;
import io.rematch.data.Mismatch;
import io.rematch.model.EncoderSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainers learn, and RCL's and L2RM's claims show, on the synthetic set (1,500 images of 20
 * clusters: 1,200 train, 150 dev, 150 test; MLP 256 towers; fixed seeds). Chance is an rsum of
 * about 3200 / 150 = 21. The margins are stated next to each assertion; the values these seeds
 * give are in docs/training.md.
 */
class TrainerQualityTest {

    @TempDir
    Path tmp;

    static DatasetFolder data() {
        return TrainingFixtures.synthetic(1500, 128, 96, 20, 0);
    }

    static TrainingConfig config(String method, String loss, double mismatch, int warmup, int epochs) {
        TrainingConfig c = TrainingConfig.defaults(method).withEpochs(epochs, warmup)
                .withEncoder(new EncoderSpec("mlp", new int[] {256}, 256)).withSeed(0)
                .withMismatch(mismatch, Mismatch.Protocol.IMAGE);
        return loss == null ? c : c.withLoss(loss);
    }

    TrainingRun.Result run(String name, TrainingConfig c) throws IOException {
        TrainingRun.Result r = TrainingRun.train(c, data(), tmp.resolve(name), TrainingRun.Start.NEW,
                TrainingListener.NONE);
        System.out.printf(Locale.ROOT, "%-22s best epoch %2d  dev %.1f  test best %.1f  test last %.1f%n", name,
                r.bestEpoch() + 1, r.bestValidation().rsum(), r.testBest().rsum(), r.testLast().rsum());
        return r;
    }

    @Test
    void everyMethodLearnsFarAboveChanceOnCleanData() throws IOException {
        // Chance is about 21; each method must reach ten times that on the dev split.
        for (String[] m : new String[][] {{"rcl", "ccl-log"}, {"rcl", "infonce"}, {"l2rm", null}, {"hybrid", null}}) {
            int warmup = m[0].equals("rcl") ? 0 : 2;
            TrainingRun.Result r = run(m[0] + "-" + m[1] + "-clean", config(m[0], m[1], 0, warmup, 8 - warmup));
            assertTrue(r.bestValidation().rsum() > 210, m[0] + " " + m[1] + ": dev rsum " + r.bestValidation().rsum());
            assertTrue(r.testLast().rsum() > 210, m[0] + " " + m[1] + ": last test rsum " + r.testLast().rsum());
        }
    }

    @Test
    void atMismatchSixTenthsCclHoldsWhereInfoNceDegrades() throws IOException {
        TrainingRun.Result cl = run("infonce-0.6", config("rcl", "infonce", 0.6, 0, 10));
        TrainingRun.Result ccl = run("ccl-log-0.6", config("rcl", "ccl-log", 0.6, 0, 10));
        // RCL's claim (Table 2's shape): CCL's last epoch beats CL's by at least 40 rsum points
        // (measured: about 90), and CL falls from its best epoch by at least 30 (measured: about 70).
        assertTrue(ccl.testLast().rsum() > cl.testLast().rsum() + 40,
                "ccl-log last " + ccl.testLast().rsum() + " vs infonce last " + cl.testLast().rsum());
        assertTrue(cl.testBest().rsum() > cl.testLast().rsum() + 30,
                "infonce best " + cl.testBest().rsum() + " vs last " + cl.testLast().rsum());
        // The two ideas add up: CCL plus rematching the noisy part beats CCL alone by at least 20
        // (measured: about 60) in the same 10 epochs.
        TrainingRun.Result hybrid = run("hybrid-0.6", config("hybrid", null, 0.6, 2, 8));
        assertTrue(hybrid.testLast().rsum() > ccl.testLast().rsum() + 20,
                "hybrid last " + hybrid.testLast().rsum() + " vs ccl-log last " + ccl.testLast().rsum());
    }

    @Test
    void l2rmSplitsCleanFromNoisyPairs() throws IOException {
        TrainingRun.Result r = run("l2rm-0.6", config("l2rm", null, 0.6, 2, 4));
        // 40% of the pairs are clean; the Beta mixture's clean set must be at least 75% clean
        // (measured: about 0.83) and catch at least 80% of them (measured: about 0.94).
        EpochRecord last = r.records().get(r.records().size() - 1);
        double precision = last.diagnostics().get("split_precision");
        double recall = last.diagnostics().get("split_recall");
        System.out.printf(Locale.ROOT, "l2rm-0.6 split precision %.3f recall %.3f rematch precision %.4f ceiling %.3f%n",
                precision, recall, last.diagnostics().get("rematch_precision"), last.diagnostics().get("rematch_ceiling"));
        assertTrue(precision > 0.75, "split precision " + precision);
        assertTrue(recall > 0.8, "split recall " + recall);
    }
}

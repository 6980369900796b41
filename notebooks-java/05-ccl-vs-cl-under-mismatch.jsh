// Notebook 5: CCL against CL under mismatch (RCL, Hu et al., TPAMI 2023): a small training run.
// CL is InfoNCE (Eq. 6-8), CCL the complementary contrastive loss with the log bound (Eq. 14-15,
// RCL's default). Both train the same two-tower model on a synthetic set in which 60% of the
// images were shuffled; the dev split's rSum after every epoch is the shape of RCL's Figure 5.
// docs/training.md documents the training run and its folder; docs/equations.md maps the losses.
// Run from the project root:  bin/notebook 05       (30 to 60 s on two cores)
//   (or: mvn -q package -DskipTests, then
//    jshell --class-path "target/classes:target/lib/*" notebooks-java/05-ccl-vs-cl-under-mismatch.jsh)
import io.rematch.data.*;
import io.rematch.eval.RecallSummary;
import io.rematch.experiment.Charts;
import io.rematch.model.EncoderSpec;
import io.rematch.train.*;
import java.nio.file.*;
import java.util.*;

// Every numeric claim below is checked: a claim the numbers no longer show stops with an AssertionError.
void check(boolean ok, String claim) {
    if (!ok) throw new AssertionError("claim failed: " + claim);
    System.out.println("  [ok] " + claim);
}
void printf(String format, Object... args) {
    System.out.print(String.format(Locale.ROOT, format, args));
}

// --- The data: a synthetic set, then 60% of its training images shuffled ---------------------
// SyntheticData draws 1,500 items from 20 clusters of a 32-d latent space (items of one cluster
// are near-duplicates: hard negatives) and renders each as a 128-d "image" and five 96-d
// "captions" through two random non-linear maps plus noise: 1,200 training images (6,000 pairs),
// 150 dev, 150 test. It is the set of TrainerQualityTest and of docs/training.md's results table,
// written once under target/notebooks/ (everything follows from seed 0).
Path out = Files.createDirectories(Path.of("target", "notebooks"));
Path dataDir = out.resolve("05-synthetic");
if (!Files.isRegularFile(dataDir.resolve("synthetic.json"))) new SyntheticData(1500, 5, 128, 96, 20, 0).write(dataDir);
DatasetFolder data = DatasetFolder.open(dataDir, "--data");
Split train = data.split("train"), dev = data.split("dev");
printf("train: %d images, %d pairs; dev: %d images, %d captions%n", train.imageCount(), train.pairCount(),
        dev.imageCount(), dev.captionCount());
check(train.pairCount() == 6000 && dev.imageCount() == 150, "6,000 training pairs, 150 dev images");

// Mismatch as RCL injects it (the image protocol): floor(0.6 x 1200) = 720 images are drawn and
// permuted among themselves, and each takes all five captions of its new place with it. A random
// permutation leaves a fixed point or so, so the realised rate is a hair under 0.6. The trainer
// sees only the noisy pairing; the split's ids keep the truth, for us.
Mismatch.Injection injection = Mismatch.inject(train, 0.6, Mismatch.Protocol.IMAGE,
        new SplittableRandom(1));
boolean[] cleanPair = injection.cleanMask(train);
long cleanPairs = 0;
for (boolean c : cleanPair) if (c) cleanPairs++;
printf("an injection at 0.6: %d of %d pairs mismatched (%.4f), %d clean%n", injection.mismatched(),
        train.pairCount(), injection.realisedRate(), cleanPairs);
check(injection.realisedRate() > 0.59 && injection.realisedRate() <= 0.6 &&
        cleanPairs + injection.mismatched() == train.pairCount(),
        "the realised rate is in (0.59, 0.6]; clean + mismatched = all pairs");
// (TrainingRun draws its own injection from the run's seed, the same way.)

// --- Why the two losses should differ --------------------------------------------------------
// With a batch of N pairs and p_ij the softmax of S / tau (Eq. 1-2), CL minimises
//   -(1/N) sum_i [log p^{v2t}_ii + log p^{t2v}_ii]                      (Eq. 8)
// and so pulls every given pair together, the 3,595 wrong ones as hard as the right ones: once
// the model has learnt what the clean pairs agree on, it starts memorising the wrong pairs, and
// the dev split, whose pairs are all correct, gets worse. CCL instead pushes apart the pairs
// the batch says are NOT matched:
//   (1/N) sum_i sum_{j != i} [-log(1 - p^{v2t}_ij) - log(1 - p^{t2v}_ij)]   (Eq. 14-15)
// "caption j does not describe image i" is true for every j of the batch except, rarely, a
// caption of i's true image, even when the given pair (i, i) is wrong: the complementary labels
// stay almost clean at any mismatch rate. A given pair is pulled only indirectly, as its row's
// negatives are pushed down, in proportion to p_ii: hardly at all for a wrong pair the model does
// not believe (notebook 03 shows the gradients on one batch). The price: CCL's gradients are
// small, so it starts slower.

// --- The runs --------------------------------------------------------------------------------
// RCL's release settings (Adam 2e-4, batch 128, tau 0.05, gradient clipping at 2) with MLP towers
// 256 -> 256, 10 epochs (the learning-rate decay, at epoch 15, never comes), seed 0. Each run is
// a folder under target/notebooks/05-runs/ (log.jsonl, checkpoints, results.json), replaced on
// every run of the notebook; after each epoch the dev split is ranked (pessimistic ties) and its
// rSum = R@1 + R@5 + R@10 of both directions (at most 600; chance 3200 / 150, about 21) recorded.
int EPOCHS = 10;
TrainingConfig config(String loss, double mismatch, int epochs) {
    return TrainingConfig.defaults("rcl").withLoss(loss).withEpochs(epochs, 0)
            .withEncoder(new EncoderSpec("mlp", new int[] {256}, 256)).withSeed(0)
            .withMismatch(mismatch, Mismatch.Protocol.IMAGE);
}
TrainingRun.Result run(String name, TrainingConfig c) throws IOException {
    long t0 = System.nanoTime();
    TrainingRun.Result r = TrainingRun.train(c, data, out.resolve("05-runs").resolve(name), TrainingRun.Start.FORCE,
            TrainingListener.NONE);
    printf("%-12s %d epochs in %4.1f s, %4d mismatched pairs, best dev rSum %.1f (epoch %d), last %.1f%n", name,
            c.epochs(), (System.nanoTime() - t0) * 1e-9, r.injection().mismatched(), r.bestValidation().rsum(),
            r.bestEpoch() + 1, r.lastValidation().rsum());
    return r;
}
double[] curve(TrainingRun.Result r) {
    return r.records().stream().mapToDouble(e -> e.validation().rsum()).toArray();
}
TrainingRun.Result cl6 = run("cl-0.6", config("infonce", 0.6, EPOCHS));
TrainingRun.Result ccl6 = run("ccl-0.6", config("ccl-log", 0.6, EPOCHS));
TrainingRun.Result cl0 = run("cl-clean", config("infonce", 0.0, EPOCHS));
TrainingRun.Result ccl0 = run("ccl-clean", config("ccl-log", 0.0, EPOCHS));
double[] cl = curve(cl6), ccl = curve(ccl6), clClean = curve(cl0), cclClean = curve(ccl0);
check(Arrays.equals(cl6.injection().pairImage(), ccl6.injection().pairImage()) && cl0.injection().mismatched() == 0,
        "both 0.6 runs train on the same noisy pairing (the run's seed draws it); the clean runs on none");

// The table: dev rSum after each epoch, * at each run's best.
printf("%nepoch   CL 0.6   CCL 0.6   CL clean   CCL clean%n");
String cell(double[] c, int e, int width) {
    double best = Arrays.stream(c).max().getAsDouble();
    return String.format(Locale.ROOT, "%" + width + ".1f%s", c[e], c[e] == best ? "*" : " ");
}
for (int e = 0; e < EPOCHS; e++) {
    printf("%5d %s %s %s %s%n", e + 1, cell(cl, e, 7), cell(ccl, e, 8), cell(clClean, e, 9), cell(cclClean, e, 10));
}

// --- What the curves show ----------------------------------------------------------------------
// At 0.6, CL learns fastest at first (its first epoch is the better one: InfoNCE's gradients are
// large), peaks within the first few epochs, and then falls for the rest of the run: it is
// fitting the wrong pairs. Measured with this seed: best about 324 at epoch 3, last about 247.
double clBest = Arrays.stream(cl).max().getAsDouble(), cclBest = Arrays.stream(ccl).max().getAsDouble();
double clLast = cl[EPOCHS - 1], cclLast = ccl[EPOCHS - 1];
printf("%nmismatch 0.6: CL best %.1f (epoch %d), last %.1f (%.1f down); CCL best %.1f (epoch %d), last %.1f%n",
        clBest, cl6.bestEpoch() + 1, clLast, clBest - clLast, cclBest, ccl6.bestEpoch() + 1, cclLast);
check(cl[0] > ccl[0], "after epoch 1 CL is ahead of CCL (CCL's small gradients start slower)");
check(cl6.bestEpoch() < 4, "CL peaks within the first 4 epochs");
check(clLast < clBest - 40, "CL degrades: its last epoch is over 40 rSum below its best");
boolean clStaysDown = true;
for (int e = 5; e < EPOCHS; e++) clStaysDown &= cl[e] < clBest - 25;
check(clStaysDown, "CL's epochs 6 to 10 all lie over 25 below its best: not a dip, a decline");
// CCL overtakes CL by epoch 2 and stays above it. It too passes a peak (the indirect pull on the
// wrong pairs grows as the model starts to believe some of them), but gently: its last epoch
// keeps over 90% of its best, and beats CL's last by over 80 rSum (about 107 here) and even CL's
// best.
boolean cclAbove = true;
for (int e = 1; e < EPOCHS; e++) cclAbove &= ccl[e] > cl[e];
check(cclAbove, "from epoch 2 on, CCL's dev rSum is above CL's at every epoch");
check(cclLast > 0.9 * cclBest, "CCL holds: its last epoch keeps over 90% of its best");
check(cclLast > clLast + 80, "CCL's last epoch beats CL's last by over 80 rSum");
check(cclBest > clBest + 25 && cclLast > clBest, "CCL's best beats CL's best by over 25, and CCL's last beats it too");

// Without mismatch there is nothing to be robust to: both are still climbing at epoch 10 (each
// run's last epoch within 1% of its best) and end within 15 rSum of each other (about 458 and
// 452), far above where either ends at 0.6. The wrong pairs cost CL's last epoch about twice
// what they cost CCL's.
double clCleanLast = clClean[EPOCHS - 1], cclCleanLast = cclClean[EPOCHS - 1];
printf("clean: CL last %.1f, CCL last %.1f; lost to mismatch 0.6 at the last epoch: CL %.1f, CCL %.1f%n",
        clCleanLast, cclCleanLast, clCleanLast - clLast, cclCleanLast - cclLast);
check(clCleanLast > 0.99 * Arrays.stream(clClean).max().getAsDouble() &&
        cclCleanLast > 0.99 * Arrays.stream(cclClean).max().getAsDouble(),
        "clean: each run's last epoch is within 1% of its best");
check(Math.abs(clCleanLast - cclCleanLast) < 15, "clean: CL and CCL end within 15 rSum of each other");
check(clCleanLast > clLast + 150 && cclCleanLast > cclLast + 50, "mismatch 0.6 costs CL over 150, CCL over 50");
check(clCleanLast - clLast > 1.8 * (cclCleanLast - cclLast), "CL loses over 1.8 times what CCL loses");

// The test split tells the same story (each run tests its best-validation checkpoint and its last
// epoch); these are docs/training.md's 0.6 numbers (298.0 / 231.1 and 336.3 / 323.3).
printf("test rSum at 0.6, best-validation / last epoch: CL %.1f / %.1f, CCL %.1f / %.1f%n",
        cl6.testBest().rsum(), cl6.testLast().rsum(), ccl6.testBest().rsum(), ccl6.testLast().rsum());
check(ccl6.testLast().rsum() > cl6.testLast().rsum() + 60 && cl6.testBest().rsum() > cl6.testLast().rsum() + 40,
        "test: CCL's last beats CL's last by over 60; CL's best-validation checkpoint beats its last by over 40");

// Reproducible from the seed: the same CL configuration for 2 epochs gives the first two epochs'
// dev rSum of the 10-epoch run exactly (the batches, the initial weights and the injection come
// from named streams of the seed; the CPU sums in a fixed order on any number of cores).
TrainingRun.Result again = run("cl-0.6-again", config("infonce", 0.6, 2));
check(curve(again)[0] == cl[0] && curve(again)[1] == cl[1], "a second run of CL at 0.6 repeats epochs 1-2 bit for bit");

// --- The picture ---------------------------------------------------------------------------------
double[] epochs = new double[EPOCHS];
for (int e = 0; e < EPOCHS; e++) epochs[e] = e + 1;
Map<String, Charts.Series> curves = new LinkedHashMap<>();
curves.put("CL, mismatch 0.6", new Charts.Series(epochs, cl, null));
curves.put("CCL, mismatch 0.6", new Charts.Series(epochs, ccl, null));
curves.put("CL, clean", new Charts.Series(epochs, clClean, null));
curves.put("CCL, clean", new Charts.Series(epochs, cclClean, null));
Path png = out.resolve("05-validation-rsum.png");
Charts.save(Charts.lines("Dev rSum per epoch: CL (InfoNCE) vs CCL (log)", "epoch", "dev rSum (of 600)", curves,
        false, true), png);
System.out.println("wrote " + png);
/exit

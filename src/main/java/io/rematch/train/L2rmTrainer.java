package io.rematch.train;

import io.rematch.cost.KeyPointTraining;
import io.rematch.cost.KeyPoints;
import io.rematch.cost.LearnableCost;
import io.rematch.cost.MonotoneElementwiseCost;
import io.rematch.cost.RowLinearCost;
import io.rematch.data.Mismatch;
import io.rematch.data.Split;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Losses;
import io.rematch.loss.ScoreLoss;
import io.rematch.loss.TargetedLoss;
import io.rematch.loss.TripletRankingLoss;
import io.rematch.model.TwoTower;
import io.rematch.numeric.RestorableRandom;
import io.rematch.optim.Adam;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.Stopping;
import io.rematch.rematch.Rematching;
import io.rematch.split.CleanNoisySplit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;

/**
 * L2RM's training (Han et al., CVPR 2024, Section 3; the release's {@code main_L2RM.py}), and
 * the hybrid of this project (CCL on the clean part, L2RM's rematching on the noisy part).
 *
 * <p><b>Warm-up</b> ({@code --warmup} epochs): shuffled batches of all pairs with the RCE loss
 * (L2RM) or the configured CCL loss (hybrid), as {@link RclTrainer}.
 *
 * <p><b>Every later epoch</b>:
 * <ol>
 *   <li><i>Split.</i> The model scores every training pair in sequential batches of B; each pair's
 *   loss is the hinge triplet loss against the other pairs of its batch, margin 0.2, averaged
 *   (the release's {@code eval_loss}: {@link TripletRankingLoss#perPairLoss}); the losses are
 *   min-max normalised and split by a two-component Beta mixture (or NCR's Gaussian one) into
 *   clean and noisy ({@link CleanNoisySplit}).</li>
 *   <li><i>Batches.</i> The clean pairs, shuffled, make the epoch's batches (the last partial
 *   one dropped); a shuffled noisy batch is drawn alongside each, the noisy pairs cycling.</li>
 *   <li><i>Cost step</i> (model frozen): the image queue is the previous noisy batch's images;
 *   k random clean pairs are planted in it ({@link KeyPoints}), and one Adam step lowers
 *   \(\sum Y \odot C(S)\) for their similarities to the clean captions ({@link KeyPointTraining},
 *   Eq. 8; learning rate 2e-6 with the model's decay).</li>
 *   <li><i>Model step</i>: the clean batch's hardest-negative triplet loss (L2RM) or CCL
 *   (hybrid), plus on the noisy batch \(S\) the rematch loss (symmetric KL by default, Eq. 12)
 *   between its softmax and the plan of the masked partial OT on the learned cost (reg 0.07, mass
 *   0.1, diagonal forbidden; {@link Rematching}), weight 1; both gradients summed, clipped, Adam.</li>
 * </ol>
 *
 * <p>The release's cost {@link RowLinearCost} maps a row of exactly B similarities: its queue must
 * equal the batch, as here (the release's {@code queue_length} defaults to the batch size).
 * {@link MonotoneElementwiseCost} ({@code --cost elementwise}) is permutation-equivariant and
 * takes any shape.
 *
 * <p>The run knows the injected truth, which training never reads: each epoch it reports the
 * split's precision and recall against the truly clean pairs, the rematch precision (the share of
 * plan mass that lands on each caption's true image) and its ceiling (the share of noisy captions
 * whose true image is in their batch at all: with random batches it is small).
 */
public final class L2rmTrainer implements Trainer {

    private final ModelOptimiser optimiser;
    private final RclTrainer warmup;
    private final ScoreLoss cleanLoss;
    private final TargetedLoss rematchLoss;
    private final TripletRankingLoss evalLoss;
    private final LearnableCost cost;
    private final Adam costAdam;
    private final double costLearningRate;
    private final Rematching rematching;
    private final TrainingConfig config;
    private final Split train;
    private final int[] pairImage;
    private final boolean[] trulyClean;
    private final RestorableRandom shuffle;
    private final RestorableRandom keyPoints;
    private final Batches clean;
    private final Batches noisy;
    private final Batches keys;
    private final LossWorkspace workspace = new LossWorkspace();
    private final LossWorkspace rematchWorkspace = new LossWorkspace();
    private final int[] queue;   // image rows of the previous noisy batch
    private final boolean hybrid;

    /**
     * @param injection the training pairs (its truth is used for the diagnostics only)
     * @throws IllegalArgumentException naming {@code --batch} when it exceeds the training pairs
     */
    public L2rmTrainer(TwoTower model, TrainingConfig config, Split train, Mismatch.Injection injection,
                       Streams streams) {
        RclTrainer.checkBatch(config.batch(), train.pairCount());
        this.hybrid = config.method().equals("hybrid");
        this.config = config;
        this.optimiser = new ModelOptimiser(model, config.learningRate(), config.clip());
        this.warmup = new RclTrainer(optimiser, RclTrainer.loss(config, hybrid ? config.loss() : "rce", streams),
                config.batch(), train, injection.pairImage(), streams);
        this.cleanLoss = RclTrainer.loss(config, hybrid ? config.loss() : "tr-hn", streams);
        Losses.Settings settings = Losses.Settings.defaults().withTau(config.tau()).withMode(config.mode());
        this.rematchLoss = Losses.createTargeted(config.rematchLoss(), settings);
        this.evalLoss = new TripletRankingLoss(config.margin(), TripletRankingLoss.Aggregation.MEAN);
        int b = config.batch();
        this.cost = newCost(config);
        this.costLearningRate = config.costLearningRate();
        this.costAdam = new Adam(cost.parameters().length, Adam.Settings.withLearningRate(costLearningRate));
        this.rematching = newRematching(config, cost);
        this.train = train;
        this.pairImage = injection.pairImage();
        this.trulyClean = injection.cleanMask(train);
        this.shuffle = streams.get("shuffle");
        this.keyPoints = streams.get("keypoints");
        this.clean = new Batches(b);
        this.noisy = new Batches(b);
        this.keys = new Batches(b);
        // The release fills the first queue with random training images.
        this.queue = new int[b];
        int[] pick = Batches.permutation(train.imageCount(), keyPoints);
        for (int r = 0; r < b; r++) {
            queue[r] = pick[r % pick.length];
        }
    }

    private static LearnableCost newCost(TrainingConfig config) {
        return config.cost().equals("row-linear") ? new RowLinearCost(config.batch()) : new MonotoneElementwiseCost();
    }

    private static Rematching newRematching(TrainingConfig config, LearnableCost cost) {
        // The plan is a soft target: feasible to 1e-6 is plenty; at most 1000 iterations as the release.
        return new Rematching(cost, new MaskedPartialTransport(config.reg(), config.mass(), config.mode(),
                Stopping.marginals().withTolerance(1e-6).withMaxIterations(1000)));
    }

    /**
     * The rematching of a committed epoch: the learned cost of {@code checkpoint} (a checkpoint of
     * an l2rm or hybrid run with {@code config}) under the training's partial OT.
     */
    public static Rematching learned(TrainingConfig config, Checkpoint checkpoint) {
        LearnableCost c = newCost(config);
        c.setParameters(checkpoint.array("cost", c.parameters().length));
        return newRematching(config, c);
    }

    @Override
    public TwoTower model() {
        return optimiser.model;
    }

    @Override
    public EpochResult trainEpoch(int epoch, double learningRate, TrainingListener listener) {
        if (epoch < config.warmup()) {
            return warmup.trainEpoch(epoch, learningRate, listener);
        }
        int after = epoch - config.warmup();
        optimiser.adam.setLearningRate(learningRate);
        costAdam.setLearningRate(costLearningRate * Math.pow(0.1, after / config.lrDecayEvery()));
        Map<String, Double> diagnostics = new LinkedHashMap<>();
        boolean[] judgedClean = split(diagnostics);

        int b = clean.size;
        int[] cleanPairs = indices(judgedClean, true);
        int[] noisyPairs = indices(judgedClean, false);
        shuffleInPlace(cleanPairs);
        shuffleInPlace(noisyPairs);
        int batches = cleanPairs.length / b;
        boolean rematch = noisyPairs.length >= b;
        int noisyAt = 0;
        double cleanSum = 0;
        double rematchSum = 0;
        double costSum = 0;
        double massOnTruth = 0;
        double mass = 0;
        int unconverged = 0;
        double reachable = 0;
        for (int k = 0; k < batches; k++) {
            clean.select(cleanPairs, k * b, b, pairImage, train.pairCaption());
            if (rematch) {
                if (noisyAt + b > noisyPairs.length) {
                    shuffleInPlace(noisyPairs);   // the release re-iterates its noisy loader
                    noisyAt = 0;
                }
                noisy.select(noisyPairs, noisyAt, b, pairImage, train.pairCaption());
                noisyAt += b;
                costSum += costStep();
                System.arraycopy(noisy.imageRows, 0, queue, 0, b);
            }
            optimiser.zeroGradients();
            model().scores(train.images(), clean.imageRows, b, train.captions(), clean.captionRows, b, clean.scores);
            LossValue c = RclTrainer.usable(cleanLoss.evaluate(DMatrixRMaj.wrap(b, b, clean.scores), workspace),
                    cleanLoss.name(), epoch, k);
            optimiser.accumulate(c);
            cleanSum += c.value();
            double total = c.value();
            if (rematch) {
                model().scores(train.images(), noisy.imageRows, b, train.captions(), noisy.captionRows, b,
                        noisy.scores);
                DMatrixRMaj s = DMatrixRMaj.wrap(b, b, noisy.scores);
                Rematching.Result plan = rematching.rematch(s);
                unconverged += plan.transport().converged() ? 0 : 1;
                LossValue r = RclTrainer.usable(rematchLoss.evaluate(s, plan.plan(), rematchWorkspace),
                        rematchLoss.name(), epoch, k);
                if (config.rematchWeight() != 1) {
                    org.ejml.dense.row.CommonOps_DDRM.scale(config.rematchWeight(), r.gradient());
                }
                optimiser.accumulate(r);
                rematchSum += r.value();
                total += config.rematchWeight() * r.value();
                double[] m = truthMass(plan.plan());
                massOnTruth += m[0];
                mass += m[1];
                reachable += m[2];
            }
            optimiser.apply();
            listener.batchEnded(epoch, k, total);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("clean", batches == 0 ? 0 : cleanSum / batches);
        if (rematch) {
            losses.put("rematch", rematchSum / batches);
            losses.put("cost", costSum / batches);
            diagnostics.put("rematch_precision", mass > 0 ? massOnTruth / mass : 0);
            diagnostics.put("rematch_ceiling", reachable / batches);
            diagnostics.put("ot_unconverged", (double) unconverged);
        }
        diagnostics.put("clean_batches", (double) batches);
        return new EpochResult(losses, diagnostics, batches * b * (rematch ? 2 : 1));
    }

    /** Step 1: per-pair losses, the mixture, the diagnostics against the truth; the judged-clean mask. */
    private boolean[] split(Map<String, Double> diagnostics) {
        int n = train.pairCount();
        int b = clean.size;
        double[] losses = new double[n];
        int[] sequential = Mismatch.identityOrder(n);
        double[] s = new double[b * b];
        for (int from = 0; from < n; from += b) {
            int rows = Math.min(b, n - from);   // the last batch may be partial: every pair needs a loss
            keys.select(sequential, from, rows, pairImage, train.pairCaption());
            model().scores(train.images(), keys.imageRows, rows, train.captions(), keys.captionRows, rows, s);
            double[] perPair = evalLoss.perPairLoss(DMatrixRMaj.wrap(rows, rows, s));
            System.arraycopy(perPair, 0, losses, from, rows);
        }
        boolean[] judged;
        try {
            judged = CleanNoisySplit.split(losses, config.split()).clean();
        } catch (IllegalArgumentException degenerate) {   // all losses equal: nothing to tell apart
            judged = new boolean[n];
            java.util.Arrays.fill(judged, true);
        }
        int tp = 0;
        int judgedCount = 0;
        int cleanCount = 0;
        for (int p = 0; p < n; p++) {
            judgedCount += judged[p] ? 1 : 0;
            cleanCount += trulyClean[p] ? 1 : 0;
            tp += judged[p] && trulyClean[p] ? 1 : 0;
        }
        diagnostics.put("split_clean_share", (double) judgedCount / n);
        diagnostics.put("split_precision", judgedCount == 0 ? 0 : (double) tp / judgedCount);
        diagnostics.put("split_recall", cleanCount == 0 ? 1 : (double) tp / cleanCount);
        return judged;
    }

    /** Step 3: plant key points in the queue, one Adam step of the cost; the key-point loss before it. */
    private double costStep() {
        int b = clean.size;
        KeyPoints kp = KeyPoints.draw(b, b, keyPoints);
        System.arraycopy(queue, 0, keys.imageRows, 0, b);
        for (int t = 0; t < kp.count(); t++) {
            keys.imageRows[kp.slots()[t]] = clean.imageRows[kp.cleanIndices()[t]];
        }
        double[] s = keys.scores;
        model().scores(train.images(), keys.imageRows, b, train.captions(), clean.captionRows, b, s);   // frozen
        return KeyPointTraining.step(cost, DMatrixRMaj.wrap(b, b, s), kp.supervision(), costAdam);
    }

    /**
     * Plan mass on (image, caption) entries where the image has the caption's true id, mass in
     * all, and the share of captions whose true image is in the batch at all (off the diagonal):
     * the most a plan could get right, since the true image of a mismatched caption is usually
     * in another batch.
     */
    private double[] truthMass(DMatrixRMaj plan) {
        int b = noisy.size;
        double on = 0;
        double all = 0;
        boolean[] reachable = new boolean[b];
        for (int i = 0; i < b; i++) {
            long imageId = train.imageIds()[noisy.imageRows[i]];
            for (int j = 0; j < b; j++) {
                double v = plan.data[i * b + j];
                all += v;
                if (train.captionIds()[noisy.captionRows[j]] == imageId) {
                    on += v;
                    reachable[j] |= i != j;
                }
            }
        }
        int count = 0;
        for (boolean r : reachable) {
            count += r ? 1 : 0;
        }
        return new double[] {on, all, (double) count / b};
    }

    private static int[] indices(boolean[] mask, boolean value) {
        int count = 0;
        for (boolean m : mask) {
            count += m == value ? 1 : 0;
        }
        int[] out = new int[count];
        for (int p = 0, t = 0; p < mask.length; p++) {
            if (mask[p] == value) {
                out[t++] = p;
            }
        }
        return out;
    }

    private void shuffleInPlace(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public void save(Checkpoint out) {
        optimiser.save(out);
        warmup.saveLoss(out, "warmup_negatives_state");
        Losses.randomNegatives(cleanLoss).ifPresent(n -> out.putLong("clean_negatives_state", n.state()));
        out.putArray("cost", cost.parameters());
        Adam.State s = costAdam.state();
        out.putArray("cost_adam_m", s.firstMoment());
        out.putArray("cost_adam_v", s.secondMoment());
        out.putLong("cost_adam_steps", s.steps());
        out.putDouble("cost_adam_lr", s.learningRate());
        double[] q = new double[queue.length];
        for (int r = 0; r < q.length; r++) {
            q[r] = queue[r];
        }
        out.putArray("queue", q);
    }

    @Override
    public void restore(Checkpoint in) {
        optimiser.restore(in);
        warmup.restoreLoss(in, "warmup_negatives_state");
        Losses.randomNegatives(cleanLoss).ifPresent(n -> n.restore(in.getLong("clean_negatives_state")));
        int p = cost.parameters().length;
        cost.setParameters(in.array("cost", p));
        costAdam.restore(new Adam.State(in.array("cost_adam_m", p), in.array("cost_adam_v", p),
                in.getLong("cost_adam_steps"), in.getDouble("cost_adam_lr")));
        double[] q = in.array("queue", queue.length);
        for (int r = 0; r < q.length; r++) {
            if (!(q[r] >= 0 && q[r] < train.imageCount())) {
                throw new IllegalArgumentException("the checkpoint's queue.npy holds image " + q[r] + ", outside the "
                        + train.imageCount() + " training images");
            }
            queue[r] = (int) q[r];
        }
    }
}

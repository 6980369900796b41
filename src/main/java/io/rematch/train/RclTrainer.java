package io.rematch.train;

import io.rematch.data.Split;
import io.rematch.loss.LossValue;
import io.rematch.loss.LossWorkspace;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.loss.ScoreLoss;
import io.rematch.model.TwoTower;
import io.rematch.numeric.RestorableRandom;
import java.util.Map;
import java.util.Optional;
import org.ejml.data.DMatrixRMaj;

/**
 * RCL's training (Hu et al., TPAMI 2023, Section 3): every epoch, shuffled batches of the
 * given (possibly mismatched) pairs; per batch the score matrix \(S = f_V(V) f_T(T)^T\) with the
 * given pairs on its diagonal, one loss of the library on it (CCL with any bound, Eq. 14-18, or
 * a baseline: InfoNCE Eq. 6-8, TR, TR-HN, NL), its gradient back through both towers, clipping
 * and Adam. The loss never sees which pairs are mismatched.
 *
 * <p>L2RM's warm-up epochs are this loop with the RCE loss ({@link L2rmTrainer}).
 */
public final class RclTrainer implements Trainer {

    private final ModelOptimiser optimiser;
    private final ScoreLoss loss;
    private final Optional<Negatives> negatives;
    private final Split train;
    private final int[] pairImage;
    private final RestorableRandom shuffle;
    private final Batches batches;
    private final LossWorkspace workspace = new LossWorkspace();

    /**
     * @param train     the training split (its features and captions)
     * @param pairImage the image given with each pair's caption (after mismatch injection)
     * @param streams   the run's random streams ({@code shuffle}; {@code negatives} seeds the loss's)
     * @throws IllegalArgumentException naming {@code --batch} if it exceeds the training pairs
     */
    public RclTrainer(TwoTower model, TrainingConfig config, Split train, int[] pairImage, Streams streams) {
        this(new ModelOptimiser(model, config.learningRate(), config.clip()), loss(config, config.loss(), streams),
                config.batch(), train, pairImage, streams);
    }

    RclTrainer(ModelOptimiser optimiser, ScoreLoss loss, int batch, Split train, int[] pairImage, Streams streams) {
        checkBatch(batch, train.pairCount());
        this.optimiser = optimiser;
        this.loss = loss;
        this.negatives = Losses.randomNegatives(loss);
        this.train = train;
        this.pairImage = pairImage;
        this.shuffle = streams.get("shuffle");
        this.batches = new Batches(batch);
    }

    static void checkBatch(int batch, int pairs) {
        if (batch > pairs) {
            throw new IllegalArgumentException("--batch " + batch + " is larger than the training set (" + pairs
                    + " pairs)");
        }
    }

    /** The loss {@code name} with the configuration's hyper-parameters, its random negatives seeded from the run. */
    static ScoreLoss loss(TrainingConfig config, String name, Streams streams) {
        long seed = streams.get("negatives").nextLong();
        Losses.Settings settings = Losses.Settings.defaults().withTau(config.tau()).withQ(config.q())
                .withMargin(config.margin()).withMode(config.mode()).withSeed(seed)
                .withNegatives(Negatives.parse(config.negatives(), seed));
        return Losses.create(name, settings);
    }

    /** A loss value that training can use: finite, or an error naming the epoch, batch and loss. */
    static LossValue usable(LossValue v, String loss, int epoch, int batch) {
        if (!v.isFinite()) {
            throw new ArithmeticException("epoch " + (epoch + 1) + ", batch " + (batch + 1) + ": the loss " + loss
                    + " is not finite" + (v.warning() != null ? " (" + v.warning() + ")" : "")
                    + "; training stopped, the last checkpoint is intact");
        }
        return v;
    }

    @Override
    public TwoTower model() {
        return optimiser.model;
    }

    @Override
    public EpochResult trainEpoch(int epoch, double learningRate, TrainingListener listener) {
        optimiser.adam.setLearningRate(learningRate);
        int b = batches.size;
        int[] order = Batches.permutation(train.pairCount(), shuffle);
        int count = train.pairCount() / b;
        double sum = 0;
        for (int k = 0; k < count; k++) {
            batches.select(order, k * b, b, pairImage, train.pairCaption());
            model().scores(train.images(), batches.imageRows, b, train.captions(), batches.captionRows, b,
                    batches.scores);
            LossValue v = usable(loss.evaluate(DMatrixRMaj.wrap(b, b, batches.scores), workspace), loss.name(),
                    epoch, k);
            optimiser.step(v);
            sum += v.value();
            listener.batchEnded(epoch, k, v.value());
        }
        return new EpochResult(Map.of(loss.name(), sum / count), Map.of(), count * b);
    }

    /** The random state of this loop's loss, under {@code key}. */
    void saveLoss(Checkpoint out, String key) {
        negatives.ifPresent(n -> out.putLong(key, n.state()));
    }

    void restoreLoss(Checkpoint in, String key) {
        negatives.ifPresent(n -> n.restore(in.getLong(key)));
    }

    @Override
    public void save(Checkpoint out) {
        optimiser.save(out);
        saveLoss(out, "negatives_state");
    }

    @Override
    public void restore(Checkpoint in) {
        optimiser.restore(in);
        restoreLoss(in, "negatives_state");
    }
}

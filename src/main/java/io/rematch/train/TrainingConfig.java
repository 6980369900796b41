package io.rematch.train;

import io.rematch.check.Checks;
import io.rematch.data.Mismatch;
import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.loss.Losses;
import io.rematch.loss.Negatives;
import io.rematch.model.EncoderSpec;
import io.rematch.model.Precision;
import io.rematch.numeric.Mode;
import io.rematch.split.CleanNoisySplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyper-parameter of a training run, validated, and its JSON form (the {@code run.json} of
 * a run folder; {@link #toJson()} and {@link #fromJson} round-trip exactly).
 *
 * <p>Defaults ({@link #defaults(String)}) are the releases': RCL trains 30 epochs with Adam 2e-4,
 * decayed x0.1 at epoch 15 (its Flickr30K script), tau 0.05, batch 128, clipping at 2.0; L2RM adds
 * 5 warm-up epochs before 35, reg 0.07, mass 0.1 and a cost learning rate of 2e-6. The hybrid (in
 * neither paper) warms up 5 epochs and trains 25, the 30 epochs of RCL in all, with the rematch
 * loss weighted {@link #HYBRID_REMATCH_WEIGHT}.
 *
 * @param method           {@code rcl}, {@code l2rm} or {@code hybrid}
 * @param loss             the RCL loss (for {@code rcl}) or the clean-part loss (for {@code hybrid})
 * @param negatives        {@code all}, {@code ratio:R} or {@code single} for the ccl losses
 * @param tau              softmax temperature
 * @param q                GCE exponent
 * @param margin           triplet margin
 * @param mismatch         the injected rate in [0, 1); ignored when {@code noiseIndex} is given
 * @param protocol         injection protocol
 * @param noiseIndex       a noise-index file (RCL's or L2RM's format), or {@code null}
 * @param epochs           training epochs after the warm-up
 * @param warmup           warm-up epochs on all pairs before the split (L2RM: RCE; the hybrid: its
 *                         {@code loss}); 0 for {@code rcl}
 * @param batch            pairs per batch (the last partial batch is dropped)
 * @param learningRate     Adam's initial learning rate
 * @param lrDecayEvery     the learning rate is multiplied by 0.1 every this many epochs
 * @param clip             gradient-norm clipping threshold
 * @param encoder          both towers' shape
 * @param precision        the towers' arithmetic (float64 or float32)
 * @param seed             the run's seed, split into named streams ({@link Streams})
 * @param mode             arithmetic of the losses and solvers
 * @param rematchLoss      L2RM's loss on the transport plan ({@code sym-kl} by default)
 * @param reg              entropic regularisation of the partial OT
 * @param mass             mass s the partial OT moves
 * @param cost             {@code row-linear} (the release's, queue = batch) or {@code elementwise}
 * @param costLearningRate Adam's learning rate for the cost function
 * @param split            {@code beta} (L2RM) or {@code gaussian} (NCR)
 */
public record TrainingConfig(String method, String loss, String negatives, double tau, double q, double margin,
                             double mismatch, Mismatch.Protocol protocol, String noiseIndex, int epochs, int warmup,
                             int batch, double learningRate, int lrDecayEvery, double clip, EncoderSpec encoder,
                             Precision precision, long seed, Mode mode, String rematchLoss, double rematchWeight, double reg, double mass, String cost,
                             double costLearningRate, CleanNoisySplit.Method split) {

    /** The trainers. */
    public static final List<String> METHODS = List.of("rcl", "l2rm", "hybrid");
    /**
     * The hybrid's default weight of the rematch loss. L2RM's clean loss, the hardest-negative
     * triplet loss, is a sum over the B = 128 anchors of a batch; CCL is a mean over them. With
     * weight 1 the rematch loss then outweighs CCL about B times more than it outweighs L2RM's
     * clean loss, and the model collapses (synthetic set, 1,500 images, 2 + 8 epochs: test rsum
     * 120 by the last epoch, clean data). A weight near 1/B keeps L2RM's balance: measured 0.1 -> 414
     * clean / 357 at mismatch 0.6, 0.01 -> 430 / 387, against CCL alone's 433 / 323 (docs/training.md).
     */
    public static final double HYBRID_REMATCH_WEIGHT = 0.01;

    /** The learnable costs of L2RM. */
    public static final List<String> COSTS = List.of("row-linear", "elementwise");

    public TrainingConfig {
        method = method == null ? null : method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("--method must be one of " + String.join(", ", METHODS) + ", got '"
                    + method + "'");
        }
        loss = Losses.canonical("--loss", loss);
        if (Losses.needsTargets(loss)) {
            throw new IllegalArgumentException("--loss " + loss + " needs a transport plan; it is L2RM's rematch loss:"
                    + " use --method l2rm with --rematch-loss " + loss);
        }
        Negatives.parse(negatives, 0);   // validates the spelling
        Checks.positive("--tau", tau);
        Checks.inHalfOpen("--q", q, 0.0, 1.0);
        Checks.nonNegative("--margin", margin);
        if (!(mismatch >= 0 && mismatch < 1)) {
            throw new IllegalArgumentException("--mismatch must be in [0, 1), got " + mismatch
                    + (mismatch >= 1 && mismatch < 100 ? " (a fraction: 0.6 for 60%)" : ""));
        }
        Checks.present("--protocol", protocol);
        Checks.atLeast("--epochs", epochs, 1);
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 (in-batch negatives), got " + batch);
        }
        Checks.positive("--lr", learningRate);
        Checks.atLeast("--lr-decay-every", lrDecayEvery, 1);
        Checks.positive("--clip", clip);
        Checks.present("--encoder", encoder);
        Checks.present("--precision", precision);
        Checks.present("--mode", mode);
        rematchLoss = Losses.canonical("--rematch-loss", rematchLoss);
        if (!Losses.needsTargets(rematchLoss)) {
            throw new IllegalArgumentException("--rematch-loss must be one of " + String.join(", ",
                    Losses.TARGETED_NAMES) + ", got '" + rematchLoss + "'");
        }
        Checks.nonNegative("--rematch-weight", rematchWeight);
        Checks.positive("--reg", reg);
        if (!(mass > 0 && mass <= 1)) {
            throw new IllegalArgumentException("--mass must be in (0, 1], got " + mass);
        }
        if (!COSTS.contains(cost)) {
            throw new IllegalArgumentException("--cost must be one of " + String.join(", ", COSTS) + ", got '" + cost
                    + "'");
        }
        Checks.positive("--cost-lr", costLearningRate);
        Checks.present("--split", split);
    }

    /** The release defaults of {@code method} (see the class comment), seed 0, linear 256-d towers. */
    public static TrainingConfig defaults(String method) {
        boolean l2rm = "l2rm".equalsIgnoreCase(method);
        boolean hybrid = "hybrid".equalsIgnoreCase(method);
        return new TrainingConfig(method, l2rm ? "tr-hn" : "ccl-log", "all", 0.05, 0.5, 0.2, 0.0,
                Mismatch.Protocol.IMAGE, null, l2rm ? 35 : hybrid ? 25 : 30, l2rm || hybrid ? 5 : 0, 128, 2e-4, 15, 2.0,
                new EncoderSpec("linear", null, 256), Precision.FLOAT64, 0L, Mode.STABLE, "sym-kl", hybrid ? HYBRID_REMATCH_WEIGHT : 1.0, 0.07, 0.1, "row-linear", 2e-6,
                CleanNoisySplit.Method.BETA);
    }

    /** The learning rate of epoch {@code epoch} (0-based, counted after the warm-up): RCL's step schedule. */
    public double learningRateAt(int epoch) {
        return learningRate * Math.pow(0.1, epoch / lrDecayEvery);
    }

    /** The total number of epochs, warm-up included. */
    public int totalEpochs() {
        return warmup + epochs;
    }

    // ---- with-ers for the fields users change most -------------------------------------------------

    public TrainingConfig withTau(double v) {
        return new TrainingConfig(method, loss, negatives, v, q, margin, mismatch, protocol, noiseIndex, epochs, warmup,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withLoss(String v) {
        return new TrainingConfig(method, v, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs, warmup,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withNegatives(String v) {
        return new TrainingConfig(method, loss, v, tau, q, margin, mismatch, protocol, noiseIndex, epochs, warmup,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withMismatch(double v, Mismatch.Protocol p) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, v, p, noiseIndex, epochs, warmup,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withEpochs(int v, int warm) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, v, warm,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withOptimiser(int batchSize, double lr, int decayEvery) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs,
                warmup, batchSize, lr, decayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withEncoder(EncoderSpec v) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs,
                warmup, batch, learningRate, lrDecayEvery, clip, v, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withPrecision(Precision v) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs,
                warmup, batch, learningRate, lrDecayEvery, clip, encoder, v, seed, mode, rematchLoss, rematchWeight, reg,
                mass, cost, costLearningRate, split);
    }

    public TrainingConfig withSeed(long v) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs,
                warmup, batch, learningRate, lrDecayEvery, clip, encoder, precision, v, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withNoiseIndex(String v) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, v, epochs, warmup,
                batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, cost,
                costLearningRate, split);
    }

    public TrainingConfig withCost(String v) {
        return new TrainingConfig(method, loss, negatives, tau, q, margin, mismatch, protocol, noiseIndex, epochs,
                warmup, batch, learningRate, lrDecayEvery, clip, encoder, precision, seed, mode, rematchLoss, rematchWeight, reg, mass, v,
                costLearningRate, split);
    }

    // ---- JSON ----------------------------------------------------------------------------------------

    /** The configuration as a JSON object (keys in the order of the record). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("loss", loss);
        m.put("negatives", negatives);
        m.put("tau", tau);
        m.put("q", q);
        m.put("margin", margin);
        m.put("mismatch", mismatch);
        m.put("protocol", protocol.spelling());
        m.put("noise_index", noiseIndex);
        m.put("epochs", epochs);
        m.put("warmup", warmup);
        m.put("batch", batch);
        m.put("lr", learningRate);
        m.put("lr_decay_every", lrDecayEvery);
        m.put("clip", clip);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("kind", encoder.kind());
        List<Object> hidden = new ArrayList<>();
        for (int h : encoder.hidden()) {
            hidden.add(h);
        }
        e.put("hidden", hidden);
        e.put("embed", encoder.embed());
        m.put("encoder", e);
        m.put("precision", precision.spelling());
        m.put("seed", Long.toString(seed));   // a string: JSON numbers are doubles, seeds are 64-bit
        m.put("mode", mode.spelling());
        m.put("rematch_loss", rematchLoss);
        m.put("rematch_weight", rematchWeight);
        m.put("reg", reg);
        m.put("mass", mass);
        m.put("cost", cost);
        m.put("cost_lr", costLearningRate);
        m.put("split", split.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /** {@link #toMap()} as one line of JSON. */
    public String toJson() {
        return Json.write(toMap());
    }

    /**
     * Reads {@link #toMap()}'s form back.
     *
     * @throws IllegalArgumentException naming {@code source} and the key when a key is missing or
     *                                  holds the wrong type
     */
    public static TrainingConfig fromJson(Map<String, Object> m, String source) {
        JsonFields f = new JsonFields(m, source);
        Map<String, Object> e = f.object("encoder");
        JsonFields ef = new JsonFields(e, source + " encoder");
        List<Object> hiddenList = ef.list("hidden");
        int[] hidden = new int[hiddenList.size()];
        for (int k = 0; k < hidden.length; k++) {
            hidden[k] = (int) JsonFields.whole(hiddenList.get(k), source + " encoder.hidden");
        }
        long seed = f.longString("seed");
        return new TrainingConfig(f.string("method"), f.string("loss"), f.string("negatives"), f.number("tau"),
                f.number("q"), f.number("margin"), f.number("mismatch"),
                Mismatch.Protocol.parse(source + ": 'protocol'", f.string("protocol")), f.optionalString("noise_index"),
                f.integer("epochs"), f.integer("warmup"), f.integer("batch"), f.number("lr"),
                f.integer("lr_decay_every"), f.number("clip"),
                new EncoderSpec(ef.string("kind"), hidden, ef.integer("embed")),
                Precision.parse(source + ": 'precision'", f.string("precision")), seed,
                Mode.parse(source + ": 'mode'", f.string("mode")), f.string("rematch_loss"), f.number("rematch_weight"), f.number("reg"), f.number("mass"),
                f.string("cost"), f.number("cost_lr"),
                splitMethod(source + ": 'split'", f.string("split")));
    }

    /** The split method spelled {@code text} ({@code beta} or {@code gaussian}, any case), naming {@code option}. */
    public static CleanNoisySplit.Method splitMethod(String option, String text) {
        for (CleanNoisySplit.Method m : CleanNoisySplit.Method.values()) {
            if (m.name().equalsIgnoreCase(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException(option + " must be beta or gaussian, got '" + text + "'");
    }

    /** Keys whose values differ between this and {@code other}, e.g. {@code [loss, tau]}. */
    public List<String> differences(TrainingConfig other) {
        Map<String, Object> a = toMap();
        Map<String, Object> b = other.toMap();
        List<String> out = new ArrayList<>();
        for (String k : a.keySet()) {
            if (!String.valueOf(a.get(k)).equals(String.valueOf(b.get(k)))) {
                out.add(k);
            }
        }
        return out;
    }
}

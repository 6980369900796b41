package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.data.DatasetFolder;
import io.rematch.data.Mismatch;
import io.rematch.data.SyntheticData;
import io.rematch.model.EncoderSpec;
import io.rematch.train.TrainingConfig;
import io.rematch.train.TrainingListener;
import io.rematch.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Exercise 5, tune tau: the temperature \(\tau\) of the matching probabilities (RCL Eq. 1-2)
 * decides how sharply CCL tells a hard negative from an easy one. Pick it for CCL with the log
 * bound on a small synthetic set with 60% of the training pairs mismatched, by the validation
 * rsum, as one tunes any hyperparameter: sweep, look, choose.
 *
 * <p>The set and the run are fixed ({@link #config(double)}, {@link #data}): 1,000 synthetic images
 * (800 train, 100 dev, 100 test; 5 captions each, 64- and 48-d features, 12 clusters, seed 5), MLP
 * 128 towers, 8 epochs, seed 0. The check trains at the answer's \(\tau\) and at half and twice
 * it, and passes when the answer's validation rsum is within 2% of the better neighbour's or
 * above it: a local optimum of the sweep up to the noise of a 100-image validation split,
 * whatever grid the student used.
 */
public final class TemperatureExercise implements Exercise {

    /** What the student answers. */
    public interface Answer {
        /** The chosen temperature, in [0.005, 1]. */
        double tau();
    }

    /**
     * How much worse than the better neighbour the answer may be, as a fraction: the rsum of
     * neighbouring temperatures on the plateau of this set varies by about that much.
     */
    static final double SLACK = 0.02;

    @Override
    public int number() {
        return 5;
    }

    @Override
    public String title() {
        return "Tune tau: choose CCL's temperature by validation at 60% mismatch";
    }

    @Override
    public int timeLimitSeconds() {
        return 300;
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    /** The run the exercise fixes, at temperature {@code tau}. */
    public static TrainingConfig config(double tau) {
        return TrainingConfig.defaults("rcl").withLoss("ccl-log").withTau(tau).withEpochs(8, 0)
                .withEncoder(new EncoderSpec("mlp", new int[] {128}, 128)).withSeed(0)
                .withMismatch(0.6, Mismatch.Protocol.IMAGE);
    }

    /** The exercise's synthetic set, written under {@code dir} once. */
    public static DatasetFolder data(Path dir) {
        try {
            if (!Files.isRegularFile(dir.resolve("synthetic.json"))) {
                new SyntheticData(1000, 5, 64, 48, 12, 5).write(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DatasetFolder.open(dir, "the exercise's data");
    }

    /** The best validation rsum of the fixed run at temperature {@code tau}. */
    public static double validationRsum(double tau, Path work) {
        try {
            Path out = Files.createTempDirectory(work, "tau-");
            return TrainingRun.train(config(tau), data(work.resolve("data")), out, TrainingRun.Start.NEW,
                    TrainingListener.NONE).bestValidation().rsum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Verdict check(Object answer) {
        double tau = ((Answer) answer).tau();
        Verdict v = new Verdict();
        boolean inRange = tau >= 0.005 && tau <= 1;
        v.require(inRange, "tau() is in [0.005, 1]", f("tau = %s", tau));
        if (!inRange) {
            return v;
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("rematch-exercise-5-");
            double mine = validationRsum(tau, work);
            double lower = validationRsum(tau / 2, work);
            double upper = validationRsum(tau * 2, work);
            boolean best = mine >= (1 - SLACK) * Math.max(lower, upper);
            v.require(best, "validation rsum at tau is at least that at tau/2 and at 2 tau (within 2%)",
                    f("rsum %.1f at tau/2 = %s, %.1f at tau = %s, %.1f at 2 tau = %s%s", lower, tau / 2, mine, tau, upper,
                            tau * 2, best ? "" : lower > upper ? ": try a smaller tau" : ": try a larger tau"));
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Grading.deleteTree(work);
        }
    }
}

package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.data.Dataset;
import io.rematch.data.Features;
import io.rematch.data.Split;
import io.rematch.data.TfIdf;
import io.rematch.data.emoji.EmojiDataset;
import io.rematch.data.emoji.ImageFeatures;
import io.rematch.experiment.Recipe;
import io.rematch.train.TrainingConfig;
import io.rematch.train.TrainingListener;
import io.rematch.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exercise 7, train on your own features: replace the emoji set's image features (the library's
 * {@link ImageFeatures}: block colours, a colour histogram and edge orientations, 392 dims) with a
 * feature extractor of the student's own, from the 32 x 32 pixels, and train on them.
 *
 * <p>The check computes the answer's features for every rendering of {@code data-small/emoji},
 * standardises each dimension with the training images' mean and standard deviation (as the
 * library does), keeps the texts' TF-IDF vectors, and trains CCL-log as the demo does
 * ({@link Recipe#DEMO} cut to {@value #EPOCHS} epochs, clean data, seed 0). It passes when the
 * features are well formed and the test rsum is at least {@value #PASS_RSUM}, about four times
 * chance (11).
 */
public final class FeaturesExercise implements Exercise {

    /** What the student implements. */
    public interface Answer {
        /** The length of every feature vector, 1 to 4,096. */
        int dimensions();

        /**
         * The features of one 32 x 32 image, {@code argb[32 * y + x]} = alpha, red, green, blue in
         * bits 31-24, 23-16, 15-8, 7-0 (transparent where the emoji is not drawn).
         */
        float[] features(int[] argb);
    }

    /** The epochs of the check's run. */
    static final int EPOCHS = 4;
    /** The test rsum that passes: about four times chance. */
    static final double PASS_RSUM = 45;

    @Override
    public int number() {
        return 7;
    }

    @Override
    public String title() {
        return "Train on your own features: an image feature extractor for the emoji set, trained with CCL";
    }

    @Override
    public int timeLimitSeconds() {
        return 300;
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public List<String> forbidden() {
        return List.of("ImageFeatures");
    }

    /** The check's run. */
    public static TrainingConfig config() {
        return Recipe.DEMO.withEpochs(EPOCHS).config("CCL-log", 0.0, 0);
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        Path folder = Course.home().resolve("data-small").resolve("emoji");
        EmojiDataset emoji = EmojiDataset.open(folder, "the emoji set");
        int d = a.dimensions();
        v.require(d >= 1 && d <= 4096, "dimensions() is in [1, 4096]", f("%d", d));
        if (d < 1 || d > 4096) {
            return v;
        }
        try {
            // well formed: length, finite, deterministic, not the same for every image
            int[] first = emoji.rendering(0, 0), second = emoji.rendering(1, 1);
            float[] f1 = a.features(first.clone()), f1again = a.features(first.clone()), f2 = a.features(second.clone());
            String problem = formProblem(f1, d);
            if (problem == null) {
                problem = formProblem(f2, d);
            }
            if (problem == null && !java.util.Arrays.equals(f1, f1again)) {
                problem = "two calls on the same image gave different features; make them deterministic";
            }
            v.require(problem == null, "features(argb) has dimensions() finite entries, the same on every call",
                    problem == null ? "checked on two images" : problem);
            if (problem != null) {
                return v;
            }
            OwnFeatures data = new OwnFeatures(emoji, a, d);
            double spread = data.spread();
            v.require(spread > 0, "the features tell images apart (some dimension varies over the training images)",
                    spread > 0 ? f("%d of %d dimensions vary", data.varying, d) : "every training image has the same features");
            if (!(spread > 0)) {
                return v;
            }
            Path out = Files.createTempDirectory("rematch-exercise-7-");
            try {
                TrainingRun.Result r = TrainingRun.train(config(), data, out, TrainingRun.Start.NEW, TrainingListener.NONE);
                double rsum = r.testLast().rsum();
                v.require(rsum >= PASS_RSUM, f("CCL-log on your features reaches a test rsum of %.0f (chance: about 11)",
                        PASS_RSUM), f("test rsum %.1f after %d epochs", rsum, EPOCHS));
            } finally {
                Grading.deleteTree(out);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String formProblem(float[] x, int d) {
        if (x == null) {
            return "features(argb) returned null";
        }
        if (x.length != d) {
            return f("features(argb) has %d entries but dimensions() is %d", x.length, d);
        }
        for (int k = 0; k < d; k++) {
            if (!Float.isFinite(x[k])) {
                return f("features(argb)[%d] is %s; expected a finite number", k, x[k]);
            }
        }
        return null;
    }

    /**
     * The emoji set with the answer's image features, standardised with the training images'
     * statistics; texts, ids and pairs as the library's.
     */
    static final class OwnFeatures implements Dataset {
        private final EmojiDataset emoji;
        private final Answer answer;
        private final int d;
        private final Map<String, Split> splits = new HashMap<>();
        private double[] mean;
        private double[] sd;
        int varying;

        OwnFeatures(EmojiDataset emoji, Answer answer, int d) {
            this.emoji = emoji;
            this.answer = answer;
            this.d = d;
        }

        /** The largest standard deviation of a dimension over the training images (fits the standardisation). */
        double spread() throws IOException {
            float[] raw = raw(emoji.split("train"));
            int n = raw.length / d;
            mean = new double[d];
            sd = new double[d];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < d; c++) {
                    mean[c] += raw[r * d + c] / (double) n;
                }
            }
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < d; c++) {
                    double x = raw[r * d + c] - mean[c];
                    sd[c] += x * x / n;
                }
            }
            double largest = 0;
            for (int c = 0; c < d; c++) {
                sd[c] = Math.sqrt(sd[c]);
                largest = Math.max(largest, sd[c]);
                if (sd[c] > 1e-12) {
                    varying++;
                } else {
                    sd[c] = 1; // a constant dimension stays 0 after centring
                }
            }
            return largest;
        }

        private float[] raw(Split s) throws IOException {
            int v = emoji.vendors().size();
            float[] out = new float[s.imageCount() * d];
            for (int r = 0; r < s.imageCount(); r++) {
                float[] x = answer.features(emoji.rendering((int) s.imageIds()[r], r % v));
                String problem = formProblem(x, d);
                if (problem != null) {
                    throw new IllegalStateException("on image " + r + " of the " + s.name() + " split: " + problem);
                }
                System.arraycopy(x, 0, out, r * d, d);
            }
            return out;
        }

        @Override
        public Path dir() {
            return emoji.dir();
        }

        @Override
        public boolean has(String name) {
            return emoji.has(name);
        }

        @Override
        public synchronized Split split(String name) throws IOException {
            Split cached = splits.get(name);
            if (cached == null) {
                if (mean == null) {
                    spread();
                }
                Split base = emoji.split(name);
                float[] x = raw(base);
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) ((x[k] - mean[k % d]) / sd[k % d]);
                }
                cached = new Split(name, Features.ofFloats(base.imageCount(), d, x), base.captions(), base.imageIds(),
                        base.captionIds(), base.pairImage(), base.pairCaption(), base.captionsPerImage());
                splits.put(name, cached);
            }
            return cached;
        }

        @Override
        public TfIdf vocabulary() throws IOException {
            return emoji.vocabulary();
        }

        @Override
        public void useVocabulary(TfIdf fixed) {
            emoji.useVocabulary(fixed);
            splits.clear();
        }

        @Override
        public String fingerprint() throws IOException {
            return emoji.fingerprint() + "-own-features-" + d;
        }
    }
}

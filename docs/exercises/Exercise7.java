import io.rematch.course.NotImplementedYet;
import io.rematch.course.FeaturesExercise;

/**
 * Exercise 7: an image feature extractor of your own for the emoji set, trained with CCL.
 * See docs/exercises.md. Check with:  bin/rematch check exercise-7   (about 30 s)
 */
public class Exercise7 implements FeaturesExercise.Answer {

    /** The length of your feature vectors. */
    @Override
    public int dimensions() {
        throw new NotImplementedYet("write dimensions()");
    }

    /** The features of one 32 x 32 ARGB image: argb[32 * y + x], alpha in bits 31-24. */
    @Override
    public float[] features(int[] argb) {
        throw new NotImplementedYet("write features(argb)");
    }
}

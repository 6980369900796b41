import io.rematch.course.NotImplementedYet;
import io.rematch.course.TheoremExercise;

/**
 * Exercise 3: Theorem 1 of RCL (Eq. 9-10) enumerated for the squared error.
 * See docs/exercises.md. Check with:  bin/rematch check exercise-3
 */
public class Exercise3 implements TheoremExercise.Answer {

    /** The ordinary loss: sum_k ([k == y] - p[k])^2. */
    @Override
    public double loss(double[] p, int y) {
        throw new NotImplementedYet("write loss(p, y)");
    }

    /** Eq. 10's complementary loss for every size-c subset of the labels other than trueLabel. */
    @Override
    public double[] complementaryLosses(double[] p, int trueLabel, int c) {
        throw new NotImplementedYet("write complementaryLosses(p, trueLabel, c)");
    }
}

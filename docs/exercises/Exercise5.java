import io.rematch.course.NotImplementedYet;
import io.rematch.course.TemperatureExercise;

/**
 * Exercise 5: choose CCL's temperature by validation at 60% mismatch. See docs/exercises.md for
 * the sweep to run. Check with:  bin/rematch check exercise-5
 */
public class Exercise5 implements TemperatureExercise.Answer {

    /** Your temperature, in [0.005, 1]; record your sweep in this comment. */
    @Override
    public double tau() {
        throw new NotImplementedYet("run the sweep, then return your tau");
    }
}

import io.rematch.course.NotImplementedYet;
import io.rematch.course.BoundExercise;

/**
 * Exercise 1: implement RCL's GCE bound (Eq. 17) and its derivative. See docs/exercises.md.
 * Check with:  bin/rematch check exercise-1
 */
public class Exercise1 implements BoundExercise.Answer {

    /** phi_q(p) = (1 - (1-p)^q) / q, accurate for q as small as 1e-10. */
    @Override
    public double value(double p, double q) {
        throw new NotImplementedYet("write value(p, q)");
    }

    /** d phi_q / dp at p. */
    @Override
    public double derivative(double p, double q) {
        throw new NotImplementedYet("write derivative(p, q)");
    }
}

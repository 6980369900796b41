import io.rematch.course.NotImplementedYet;
import io.rematch.course.SinkhornExercise;

/**
 * Exercise 4: a Sinkhorn variant of your choice (Greenkhorn, epsilon-scaling, ...) that finds the
 * entropic optimal transport plan. See docs/exercises.md. Check with:  bin/rematch check exercise-4
 */
public class Exercise4 implements SinkhornExercise.Answer {

    /** argmin over P >= 0 with P 1 = a and P^T 1 = b of <P, cost> - reg H(P). */
    @Override
    public double[][] plan(double[][] cost, double[] a, double[] b, double reg) {
        throw new NotImplementedYet("write plan(cost, a, b, reg)");
    }
}

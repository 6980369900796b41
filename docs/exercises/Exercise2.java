import io.rematch.course.NotImplementedYet;
import io.rematch.course.GradientExercise;

/**
 * Exercise 2: CCL with the log bound (RCL Eq. 1-2, 15) and its gradient, derived by hand.
 * See docs/exercises.md. Check with:  bin/rematch check exercise-2
 */
public class Exercise2 implements GradientExercise.Answer {

    /**
     * L = (1/N) sum_k sum_{i != k} [ -log(1 - p_v2t[k][i]) - log(1 - p_t2v[k][i]) ], where
     * p_v2t[k][i] is the softmax of row k of s / tau at column i and p_t2v[k][i] the softmax of
     * column k of s / tau at row i.
     */
    @Override
    public double loss(double[][] s, double tau) {
        throw new NotImplementedYet("write loss(s, tau)");
    }

    /** dL / ds[i][j], as a new N x N array. */
    @Override
    public double[][] gradient(double[][] s, double tau) {
        throw new NotImplementedYet("write gradient(s, tau)");
    }
}

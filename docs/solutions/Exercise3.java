import io.rematch.course.TheoremExercise;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference solution of exercise 3: Theorem 1 (RCL Eq. 9-10) enumerated for the squared error.
 *
 * Why it holds for any base loss: a uniformly drawn C-subset of the N - 1 wrong labels contains a
 * given wrong label with probability C / (N - 1). In Eq. 10 that label then has coefficient
 * -(N - C - 1)/C, and otherwise (probability (N - 1 - C)/(N - 1)) coefficient +1, so its expected
 * coefficient is -(N-C-1)/(N-1) + (N-1-C)/(N-1) = 0. The true label is never in the set: its
 * coefficient is always 1. The expectation is the true label's loss.
 */
public class Exercise3 implements TheoremExercise.Answer {

    @Override
    public double loss(double[] p, int y) {
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            double d = (k == y ? 1 : 0) - p[k];
            sum += d * d;
        }
        return sum;
    }

    @Override
    public double[] complementaryLosses(double[] p, int trueLabel, int c) {
        int n = p.length;
        double[] losses = new double[n];
        for (int y = 0; y < n; y++) {
            losses[y] = loss(p, y);
        }
        List<Double> out = new ArrayList<>();
        // every subset of the labels as a bit mask; keep those of size c without the true label
        for (int mask = 0; mask < 1 << n; mask++) {
            if ((mask >> trueLabel & 1) == 1 || Integer.bitCount(mask) != c) {
                continue;
            }
            double in = 0, rest = 0;
            for (int y = 0; y < n; y++) {
                if ((mask >> y & 1) == 1) {
                    in += losses[y];
                } else {
                    rest += losses[y];
                }
            }
            out.add(-(double) (n - c - 1) / c * in + rest); // Eq. 10
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

import io.rematch.course.CostExercise;

/**
 * Reference solution of exercise 8: a logistic cost, C = -log sigmoid((S - 0.3) / 0.1), the
 * negative log-likelihood that a pair is true under a model that calls a pair with similarity
 * above 0.3 more likely true than not (true pairs here score 0.3 to 0.7, wrong ones about 0.15).
 *
 * Entropic OT weighs an entry by exp(-C_ij / reg). With ReLU(1 - S) the gap between a true pair
 * (S about 0.5) and a wrong one (about 0.15) is 0.35 in cost, exp(0.35 / 0.07) = 150 in weight.
 * The logistic cost spreads the same two similarities to 0.13 and 1.7: a gap of 1.6, so the plan
 * is far more certain. It falls steeply where true and wrong pairs meet and flattens where the
 * call is clear. (A mere rescaling, 2 (1 - S), does much the same: what matters is the gap in
 * units of reg. A cost that is flat in the middle, such as exp(-S / 0.3), does worse.)
 */
public class Exercise8 implements CostExercise.Answer {

    @Override
    public double[][] cost(double[][] s) {
        double[][] c = new double[s.length][];
        for (int i = 0; i < s.length; i++) {
            c[i] = new double[s[i].length];
            for (int j = 0; j < s[i].length; j++) {
                double z = (s[i][j] - 0.3) / 0.1;
                c[i][j] = Math.log1p(Math.exp(-z)); // -log sigmoid(z) = log(1 + e^-z)
            }
        }
        return c;
    }
}

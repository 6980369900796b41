import io.rematch.course.BoundExercise;

/** Reference solution of exercise 1: RCL's GCE bound (Eq. 17) and its derivative. */
public class Exercise1 implements BoundExercise.Answer {

    // phi_q(p) = (1 - (1-p)^q) / q. Written as printed, 1 - (1-p)^q subtracts two numbers close to 1
    // when q is small, and loses about log10(1/q) digits. With (1-p)^q = exp(q log(1-p)):
    //   1 - (1-p)^q = -expm1(q log1p(-p)),
    // and expm1 and log1p are accurate near 0, so nothing cancels.
    @Override
    public double value(double p, double q) {
        return -Math.expm1(q * Math.log1p(-p)) / q;
    }

    // d/dp of (1 - (1-p)^q)/q = (1/q) * q (1-p)^(q-1) = (1-p)^(q-1).
    @Override
    public double derivative(double p, double q) {
        return Math.exp((q - 1) * Math.log1p(-p));
    }
}

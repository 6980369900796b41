package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.loss.ComplementaryBound;

/**
 * Exercise 1, implement a bound: RCL's GCE bound (Hu et al., TPAMI 2023, Eq. 17),
 * \(\phi_q(p) = (1 - (1-p)^q)/q\) for \(q \in (0, 1]\), and its derivative
 * \(\phi_q'(p) = (1-p)^{q-1}\), accurate for every \(q\), the smallest included.
 *
 * <p>Checked against {@link ComplementaryBound#gce(double)} on a grid of \(p \in [0, 0.999]\) and
 * \(q\) from \(10^{-10}\) to 1, against the bound's sandwich \(p \le \phi_q(p) \le -\log(1-p)\)
 * (MAE below, the log bound of Eq. 15 above, the two limits \(q = 1\) and \(q \to 0\)), and the
 * derivative against central differences of the answer's own value.
 */
public final class BoundExercise implements Exercise {

    /** What the student implements. */
    public interface Answer {
        /** \(\phi_q(p) = (1 - (1-p)^q)/q\), for {@code 0 <= p < 1} and {@code 0 < q <= 1}. */
        double value(double p, double q);

        /** \(d\phi_q/dp\) at {@code p}. */
        double derivative(double p, double q);
    }

    static final double[] PS = {0, 1e-6, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999};
    static final double[] QS = {1e-10, 1e-6, 0.01, 0.2, 0.5, 0.9, 1};

    @Override
    public int number() {
        return 1;
    }

    @Override
    public String title() {
        return "Implement a bound: GCE (RCL Eq. 17) and its derivative, accurate at small q";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public java.util.List<String> forbidden() {
        return java.util.List.of("ComplementaryBound", "LiteralCcl");
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        // 1. the value, against the library's form, relative 1e-9
        double worst = 0;
        double wp = 0, wq = 0, wGot = 0, wWant = 0;
        for (double q : QS) {
            for (double p : PS) {
                double want = ComplementaryBound.gce(q).value(p);
                double got = a.value(p, q);
                double err = p == 0 ? (got == 0 ? 0 : Double.POSITIVE_INFINITY) : Grading.relative(got, want, 1e-300);
                if (!(err <= worst)) {
                    worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                    wp = p;
                    wq = q;
                    wGot = got;
                    wWant = want;
                }
            }
        }
        String hint = wq <= 1e-6 ? "; 1 - (1-p)^q loses digits when q is small: rewrite it with Math.expm1 and Math.log1p" : "";
        v.require(worst <= 1e-9, "value(p, q) = (1 - (1-p)^q)/q to 1e-9 relative on 77 points",
                worst <= 1e-9 ? f("largest relative error %.1e", worst)
                        : f("at p = %s, q = %s: expected %.17g, got %.17g (relative error %.1e)%s", wp, wq, wWant, wGot,
                                worst, hint));
        // 2. the sandwich: MAE <= GCE <= log
        String outside = null;
        for (double q : QS) {
            for (double p : PS) {
                double got = a.value(p, q);
                double upper = -Math.log1p(-p);
                if (!(got >= p * (1 - 1e-12) && got <= upper * (1 + 1e-12))) {
                    outside = f("at p = %s, q = %s: %.17g is not in [p, -log(1-p)] = [%s, %.17g]", p, q, got, p, upper);
                    break;
                }
            }
            if (outside != null) {
                break;
            }
        }
        v.require(outside == null, "p <= value(p, q) <= -log(1-p): between MAE (q = 1) and the log bound (q -> 0)",
                outside == null ? "holds on the grid" : outside);
        // 3. the derivative, against (1-p)^(q-1)
        double worstD = 0;
        String atD = "";
        for (double q : QS) {
            for (double p : PS) {
                double want = Math.exp((q - 1) * Math.log1p(-p));
                double got = a.derivative(p, q);
                double err = Grading.relative(got, want, 1e-300);
                if (!(err <= worstD)) {
                    worstD = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                    atD = f("at p = %s, q = %s: expected %.17g, got %.17g", p, q, want, got);
                }
            }
        }
        v.require(worstD <= 1e-9, "derivative(p, q) = (1-p)^(q-1) to 1e-9 relative",
                worstD <= 1e-9 ? f("largest relative error %.1e", worstD) : atD + f(" (relative error %.1e)", worstD));
        // 4. the derivative against central differences of the answer's own value
        double worstF = 0;
        String atF = "";
        for (double q : QS) {
            for (double p : new double[] {0.05, 0.3, 0.5, 0.7, 0.9}) {
                double h = 1e-5;
                double fd = (a.value(p + h, q) - a.value(p - h, q)) / (2 * h);
                double err = Grading.relative(a.derivative(p, q), fd, 1e-300);
                if (!(err <= worstF)) {
                    worstF = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                    atF = f("at p = %s, q = %s: derivative %.10g, finite difference of value %.10g", p, q,
                            a.derivative(p, q), fd);
                }
            }
        }
        v.require(worstF <= 1e-6, "derivative(p, q) agrees with (value(p+h) - value(p-h)) / 2h, h = 1e-5",
                worstF <= 1e-6 ? f("largest relative gap %.1e", worstF) : atF);
        return v;
    }
}

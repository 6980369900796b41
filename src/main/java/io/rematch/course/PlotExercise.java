package io.rematch.course;

import static io.rematch.course.Grading.f;

import io.rematch.loss.ComplementaryBound;
import io.rematch.loss.LiteralCcl;
import java.util.List;
import java.util.Locale;

/**
 * Exercise 6, explain a plot: notebook 04's picture of the derivatives \(\phi'(p)\) of MAE and
 * its four bounds (RCL Eq. 14-18), read as "how hard gradient descent pushes a negative whose
 * probability is \(p\)". Four questions whose answers are numbers or names, graded against the
 * derivatives themselves ({@link LiteralCcl#phiPrime}), and one sentence of explanation, shown
 * back but not graded.
 */
public final class PlotExercise implements Exercise {

    /** What the student answers. Names are {@code mae}, {@code log}, {@code exp}, {@code gce}, {@code tan}. */
    public interface Answer {
        /** For the log bound: the push on a hard negative (p = 0.9) over that on an easy one (p = 0.1). */
        double logHardOverEasy();

        /** Which of the five terms (GCE at q = 0.5) pushes a negative at p = 0.9 hardest. */
        String hardestPushAtNineTenths();

        /** Which bound pushes less than MAE at every p in [0, 0.95]. */
        String weakerThanMaeEverywhere();

        /** The q for which GCE pushes a negative at p = 0.9 exactly twice as hard as one at p = 0. */
        double gceQForTwiceThePush();

        /** In one or two sentences: why does the log bound help when a batch holds mismatched pairs? */
        String explanation();
    }

    /** The names the answers use. */
    static final List<String> NAMES = List.of("mae", "log", "exp", "gce", "tan");

    private static final List<ComplementaryBound> TERMS = List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
            ComplementaryBound.exp(), ComplementaryBound.gce(0.5), ComplementaryBound.tan());

    @Override
    public int number() {
        return 6;
    }

    @Override
    public String title() {
        return "Explain a plot: the bounds' derivatives (notebook 04) and the push on hard negatives";
    }

    @Override
    public Class<?> answerType() {
        return Answer.class;
    }

    @Override
    public Verdict check(Object answer) {
        Answer a = (Answer) answer;
        Verdict v = new Verdict();
        double ratio = LiteralCcl.phiPrime(ComplementaryBound.log(), 0.9) / LiteralCcl.phiPrime(ComplementaryBound.log(), 0.1);
        double got = a.logHardOverEasy();
        v.require(Grading.relative(got, ratio, 1e-300) <= 0.01, "log bound: phi'(0.9) / phi'(0.1), to 1%",
                Grading.relative(got, ratio, 1e-300) <= 0.01 ? f("%.4g", got)
                        : f("got %.4g; read the log curve at p = 0.9 and at p = 0.1 (the notebook's table uses 0.01)", got));

        String hardest = null;
        double best = -1;
        for (ComplementaryBound b : TERMS) {
            double d = LiteralCcl.phiPrime(b, 0.9);
            if (d > best) {
                best = d;
                hardest = b.shortName();
            }
        }
        String name = normal(a.hardestPushAtNineTenths());
        v.require(hardest.equals(name), "the term that pushes hardest at p = 0.9",
                hardest.equals(name) ? name : f("got '%s'; %s", name, NAMES.contains(name)
                        ? "compare the five curves at p = 0.9 (GCE with q = 0.5)" : "answer with one of " + NAMES));

        String weaker = null;
        for (ComplementaryBound b : TERMS.subList(1, TERMS.size())) {
            boolean below = true;
            for (int k = 0; k <= 95; k++) {
                below &= LiteralCcl.phiPrime(b, k / 100.0) < 1;
            }
            if (below) {
                weaker = b.shortName();
            }
        }
        String w = normal(a.weakerThanMaeEverywhere());
        v.require(w.equals(weaker), "the bound whose push is below MAE's on all of [0, 0.95]",
                w.equals(weaker) ? w : f("got '%s'; %s", w, NAMES.contains(w) ? "MAE's derivative is the flat line at 1"
                        : "answer with one of " + NAMES));

        double q = a.gceQForTwiceThePush();
        boolean qOk = q > 0 && q <= 1 && Math.abs(LiteralCcl.phiPrime(ComplementaryBound.gce(q), 0.9)
                / LiteralCcl.phiPrime(ComplementaryBound.gce(q), 0) - 2) <= 0.01;
        v.require(qOk, "GCE's q with phi'(0.9) = 2 phi'(0), to 1%",
                qOk ? f("q = %.4f", q) : f("got q = %s; GCE's push at p = 0 is 1 for every q: where must its push at 0.9 be 2?", q));

        String why = a.explanation();
        v.require(why != null && why.trim().length() >= 20, "an explanation of one or two sentences",
                why == null || why.trim().length() < 20 ? "explanation() is empty or shorter than a sentence (20 characters)"
                        : "given (not graded): " + why.trim());
        return v;
    }

    private static String normal(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }
}

import io.rematch.course.PlotExercise;

/** Reference answers of exercise 6, read off notebook 04's plot of phi'(p) and checked by hand. */
public class Exercise6 implements PlotExercise.Answer {

    // log: phi'(p) = 1/(1-p): 1/0.1 = 10 at p = 0.9, 1/0.9 = 1.111 at p = 0.1, ratio 9.
    @Override
    public double logHardOverEasy() {
        return (1 / (1 - 0.9)) / (1 / (1 - 0.1));
    }

    // At p = 0.9: mae 1, log 10, exp e^-0.1 = 0.905, gce (q = 0.5) 0.1^-0.5 = 3.16, tan 1/cos^2(0.9) = 2.63.
    @Override
    public String hardestPushAtNineTenths() {
        return "log";
    }

    // exp's derivative e^-(1-p) is below 1 on all of [0, 1): it rises from 0.37 to 0.95 at p = 0.95.
    @Override
    public String weakerThanMaeEverywhere() {
        return "exp";
    }

    // phi'(p) = (1-p)^(q-1): phi'(0) = 1, so solve 0.1^(q-1) = 2: q = 1 - log 2 / log 10 = 0.699.
    @Override
    public double gceQForTwiceThePush() {
        return 1 - Math.log(2) / Math.log(10);
    }

    @Override
    public String explanation() {
        return "A mismatched pair's true partner sits among its negatives with a high p; the log bound's push"
                + " 1/(1-p) grows with p, so CCL pushes hardest on the negatives the model confuses, while never"
                + " pulling the (possibly wrong) given pair together as InfoNCE does.";
    }
}

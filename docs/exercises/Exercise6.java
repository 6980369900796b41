import io.rematch.course.NotImplementedYet;
import io.rematch.course.PlotExercise;

/**
 * Exercise 6: read notebook 04's plot of the derivatives phi'(p) (target/notebooks/04-derivatives.png
 * after bin/notebook 04). Names: mae, log, exp, gce, tan. See docs/exercises.md.
 * Check with:  bin/rematch check exercise-6
 */
public class Exercise6 implements PlotExercise.Answer {

    @Override
    public double logHardOverEasy() {
        throw new NotImplementedYet("answer logHardOverEasy()");
    }

    @Override
    public String hardestPushAtNineTenths() {
        throw new NotImplementedYet("answer hardestPushAtNineTenths()");
    }

    @Override
    public String weakerThanMaeEverywhere() {
        throw new NotImplementedYet("answer weakerThanMaeEverywhere()");
    }

    @Override
    public double gceQForTwiceThePush() {
        throw new NotImplementedYet("answer gceQForTwiceThePush()");
    }

    @Override
    public String explanation() {
        throw new NotImplementedYet("answer explanation()");
    }
}

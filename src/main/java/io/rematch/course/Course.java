package io.rematch.course;

import java.nio.file.Path;
import java.util.List;

/**
 * The graded exercises of {@code docs/exercises.md} and how one is checked: compile the student's
 * file, run the exercise's checks, and turn an exception thrown by the answer (a template's
 * {@link UnsupportedOperationException} included) into a failed requirement that says where.
 */
public final class Course {

    private static final List<Exercise> EXERCISES = List.of(new BoundExercise(), new GradientExercise(),
            new TheoremExercise(), new SinkhornExercise(), new TemperatureExercise(), new PlotExercise(),
            new FeaturesExercise(), new CostExercise());

    private Course() {
    }

    /** The exercises, in order. */
    public static List<Exercise> exercises() {
        return EXERCISES;
    }

    /**
     * The exercise called {@code name} ({@code exercise-3}, or just {@code 3}).
     *
     * @throws IllegalArgumentException naming {@code option} and the names there are
     */
    public static Exercise find(String name, String option) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        for (Exercise e : EXERCISES) {
            if (n.equals(e.name()) || n.equals(Integer.toString(e.number()))) {
                return e;
            }
        }
        throw new IllegalArgumentException(option + " must be one of exercise-1 .. exercise-" + EXERCISES.size()
                + ", got '" + name + "'");
    }

    /** The project folder: where {@code bin/rematch} lives ({@code rematch.home}), else the working directory. */
    public static Path home() {
        String home = System.getProperty("rematch.home");
        return home == null || home.isBlank() ? Path.of("") : Path.of(home);
    }

    /** The template a student fills in: {@code docs/exercises/ExerciseN.java} under {@link #home()}. */
    public static Path template(Exercise e) {
        return home().resolve("docs").resolve("exercises").resolve(e.className() + ".java");
    }

    /** Compiles {@code source} and checks it. */
    public static Verdict check(Exercise exercise, Path source, String option) {
        SolutionLoader.Loaded loaded = SolutionLoader.load(exercise, source, option);
        if (loaded.problem() != null) {
            return new Verdict().fail("the answer compiles and loads", loaded.problem());
        }
        return checkAnswer(exercise, loaded.answer());
    }

    /** Checks an answer already loaded (the tests' way in). */
    public static Verdict checkAnswer(Exercise exercise, Object answer) {
        try {
            return exercise.check(answer);
        } catch (UnsupportedOperationException e) {
            return new Verdict().fail("the answer is implemented", "not implemented yet: " + e.getMessage()
                    + where(e, exercise));
        } catch (RuntimeException | StackOverflowError e) {
            return new Verdict().fail("the answer runs", "it threw " + e + where(e, exercise));
        }
    }

    /** " (at Exercise3.java:42)" for the first frame in the student's class, if any. */
    private static String where(Throwable e, Exercise exercise) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().equals(exercise.className()) || f.getClassName().startsWith(exercise.className() + "$")) {
                return " (at " + exercise.className() + ".java:" + f.getLineNumber() + ", in " + f.getMethodName() + ")";
            }
        }
        return "";
    }
}

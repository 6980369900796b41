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
        return check(exercise, source, option, exercise.timeLimitSeconds());
    }

    /** As {@link #check(Exercise, Path, String)} with a time limit of {@code seconds}. */
    static Verdict check(Exercise exercise, Path source, String option, int seconds) {
        SolutionLoader.Loaded loaded = SolutionLoader.load(exercise, source, option);
        if (loaded.problem() != null) {
            return new Verdict().fail("the answer compiles and loads", loaded.problem());
        }
        String fileName = source.getFileName().toString();
        return timed(exercise, () -> {
            Verdict problems = new Verdict();
            Object answer = SolutionLoader.instantiate(exercise, loaded.type(), fileName, problems);
            return answer == null ? problems : checkNow(exercise, answer, fileName);
        }, seconds, fileName);
    }

    /**
     * Checks an answer already loaded (the tests' way in), on a thread of its own so that an
     * answer that never returns fails after {@link Exercise#timeLimitSeconds()} instead of hanging.
     */
    public static Verdict checkAnswer(Exercise exercise, Object answer) {
        return checkAnswer(exercise, answer, exercise.timeLimitSeconds(), exercise.className() + ".java");
    }

    static Verdict checkAnswer(Exercise exercise, Object answer, int seconds, String fileName) {
        return timed(exercise, () -> checkNow(exercise, answer, fileName), seconds, fileName);
    }

    /** Runs {@code work} on a daemon thread of its own, at most {@code seconds}. */
    private static Verdict timed(Exercise exercise, java.util.concurrent.Callable<Verdict> work, int seconds,
                                 String fileName) {
        java.util.concurrent.FutureTask<Verdict> task = new java.util.concurrent.FutureTask<>(work);
        Thread worker = new Thread(task, "rematch-check-" + exercise.name());
        worker.setDaemon(true); // an endless answer must not keep the JVM alive
        worker.start();
        try {
            return task.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            worker.interrupt();
            return new Verdict().fail("the answer finishes", "the check did not finish in " + seconds
                    + " s: look for a loop that never ends" + where(worker.getStackTrace(), exercise, fileName));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + exercise.name(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();   // an Error, or a checked exception thrown past the compiler
            return new Verdict().fail("the answer runs", "it threw " + cause + where(cause.getStackTrace(), exercise,
                    fileName));
        }
    }

    private static Verdict checkNow(Exercise exercise, Object answer, String fileName) {
        try {
            return exercise.check(answer);
        } catch (NotImplementedYet e) {
            return new Verdict().fail("the answer is implemented", "not implemented yet: " + e.getMessage()
                    + where(e.getStackTrace(), exercise, fileName));
        } catch (UnsupportedOperationException e) {
            return new Verdict().fail("the answer runs", "it threw " + e + where(e.getStackTrace(), exercise, fileName)
                    + "; a list made by List.of, Arrays.asList or toList() cannot be changed: collect into a new"
                    + " ArrayList");
        } catch (RuntimeException | StackOverflowError e) {
            return new Verdict().fail("the answer runs", "it threw " + e + where(e.getStackTrace(), exercise, fileName));
        }
    }

    /** " (at Mine.java:42, in value)" for the first frame in the student's class, if any. */
    static String where(StackTraceElement[] frames, Exercise exercise, String fileName) {
        for (StackTraceElement f : frames) {
            if (f.getClassName().equals(exercise.className()) || f.getClassName().startsWith(exercise.className() + "$")) {
                return " (at " + fileName + ":" + f.getLineNumber() + ", in " + f.getMethodName() + ")";
            }
        }
        return "";
    }
}

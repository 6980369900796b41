package io.rematch.cli;

import io.rematch.course.Course;
import io.rematch.course.Exercise;
import io.rematch.course.Verdict;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rematch check exercise-N}: the self-check of one exercise of docs/exercises.md. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Rematch.Version.class,
        description = {"Check your answer to an exercise of docs/exercises.md: compile it, run the exercise's checks, "
                + "and say pass or fail and why. Without an exercise, list them.",
                "",
                "Exit status: 0 pass, 1 fail (the reasons are printed), 2 bad input."})
final class CheckCommand extends Subcommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "EXERCISE", description = "exercise-1 .. exercise-8 (or 1 .. 8)")
    String exercise;

    @Option(names = "--solution", paramLabel = "FILE",
            description = "Your ExerciseN.java (default: docs/exercises/ExerciseN.java in the project folder).")
    Path solution;

    @Override
    int run() {
        if (exercise == null) {
            if (solution != null) {
                throw new IllegalArgumentException("--solution needs an exercise: rematch check exercise-N --solution FILE");
            }
            out().println("Exercises (docs/exercises.md); check one with: rematch check exercise-N [--solution FILE]");
            for (Exercise e : Course.exercises()) {
                out().printf("  %-11s %s%n", e.name(), e.title());
            }
            return 0;
        }
        Exercise e = Course.find(exercise, "EXERCISE");
        Path file = solution != null ? solution : Course.template(e);
        io.rematch.course.SolutionLoader.read(e, file, "--solution");   // bad input before any output
        out().println(e.name() + ": " + e.title());
        out().println("  checking " + file);
        out().flush();
        Verdict v = Course.check(e, file, "--solution");
        int failed = 0, checked = 0;
        for (Verdict.Line l : v.lines()) {
            String tag = switch (l.outcome()) {
                case PASS -> "[pass]";
                case FAIL -> "[FAIL]";
                case NOTE -> "[note]";
            };
            if (l.outcome() != Verdict.Outcome.NOTE) {
                checked++;
            }
            if (l.outcome() == Verdict.Outcome.FAIL) {
                failed++;
            }
            out().println("  " + tag + " " + l.requirement() + (l.detail() == null ? "" : ": "
                    + l.detail().replace("\n", "\n         ")));
        }
        out().println(e.name() + ": " + (v.passed() ? "PASS" : "FAIL (" + failed + " of " + checked
                + " requirements failed)"));
        return v.passed() ? 0 : 1;
    }
}

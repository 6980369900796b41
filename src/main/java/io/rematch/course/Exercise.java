package io.rematch.course;

import java.util.List;

/**
 * One graded exercise of {@code docs/exercises.md}. A student writes a class (in the default
 * package, named {@link #className()}) that implements {@link #answerType()}; {@code rematch
 * check exercise-N} compiles it ({@link SolutionLoader}) and runs {@link #check}.
 *
 * <p>The checks compare the answer with the library's own implementation (the reference) and with
 * identities that hold whatever the implementation: finite differences, marginals, Theorem 1's
 * expectation. A template that is not filled in throws {@link UnsupportedOperationException},
 * which the check reports as "not implemented yet".
 */
public interface Exercise {

    /** The exercise's number, 1-based: {@code rematch check exercise-N}. */
    int number();

    /** A one-line title. */
    String title();

    /** The interface the student's class implements. */
    Class<?> answerType();

    /** Library classes the answer must not call, because they compute the answer itself. */
    default List<String> forbidden() {
        return List.of();
    }

    /**
     * How long a check may run, in seconds, before it is called a failure (an endless loop in
     * the answer): many times what the reference solution takes.
     */
    default int timeLimitSeconds() {
        return 60;
    }

    /** Checks an instance of {@link #answerType()}. */
    Verdict check(Object answer);

    /** The student's class name: {@code Exercise} followed by the number. */
    default String className() {
        return "Exercise" + number();
    }

    /** The command-line name, {@code exercise-N}. */
    default String name() {
        return "exercise-" + number();
    }
}

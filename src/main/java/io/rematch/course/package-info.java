/**
 * The coursework of {@code docs/exercises.md}: eight graded exercises, each an {@link
 * io.rematch.course.Exercise} whose nested {@code Answer} interface a student implements, and
 * whose check compares the answer with the library and with identities that hold whatever the
 * implementation (finite differences, marginals, Theorem 1's expectation). {@link
 * io.rematch.course.SolutionLoader} compiles the student's file with the JDK's compiler; {@link
 * io.rematch.course.Course} runs the check; {@code rematch check exercise-N} prints the verdict.
 */
package io.rematch.course;

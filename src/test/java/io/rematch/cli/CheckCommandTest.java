package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code rematch check}: the list, a pass, a fail, and bad input. */
class CheckCommandTest {

    @Test
    void withoutAnExerciseItListsThemAll() {
        Cli.Result r = Cli.run("check");
        assertEquals(0, r.code(), r.toString());
        for (int n = 1; n <= 8; n++) {
            assertTrue(r.out().contains("exercise-" + n + " "), r.toString());
        }
    }

    @Test
    void aSolutionPassesWithExitZero() {
        Cli.Result r = Cli.run("check", "exercise-3", "--solution", "docs/solutions/Exercise3.java");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("[pass] their mean is the ordinary loss") && r.out().endsWith("exercise-3: PASS\n"),
                r.toString());
    }

    @Test
    void theTemplateFailsWithExitOneAndSaysWhere() {
        Cli.Result r = Cli.run("check", "3");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("checking docs/exercises/Exercise3.java"), r.toString());
        assertTrue(r.out().contains("[FAIL] the answer is implemented: not implemented yet: write loss(p, y) (at Exercise3.java:"),
                r.toString());
        assertTrue(r.out().contains("exercise-3: FAIL (1 of 1 requirements failed)"), r.toString());
    }

    @Test
    void badInputIsExitTwoNamingTheArgument() {
        Cli.Result unknown = Cli.run("check", "exercise-9");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("EXERCISE must be one of exercise-1 .. exercise-8, got 'exercise-9'"),
                unknown.toString());
        Cli.Result missing = Cli.run("check", "exercise-1", "--solution", "no/such/Exercise1.java");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("--solution no/such/Exercise1.java is not a file"), missing.toString());
        Cli.Result lone = Cli.run("check", "--solution", "x.java");
        assertEquals(2, lone.code(), lone.toString());
        assertTrue(lone.err().contains("--solution needs an exercise"), lone.toString());
        for (Cli.Result r : new Cli.Result[] {unknown, missing, lone}) {
            assertTrue(!r.err().contains(Cli.OUR_STACK_FRAME), r.toString());
        }
    }
}

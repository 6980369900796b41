package io.rematch.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The coursework's contract: every reference solution in docs/solutions passes its check, every
 * template in docs/exercises fails it (not implemented yet), and the typical mistakes each
 * exercise is about fail with a reason that points at them.
 */
class CourseTest {

    static final Path SOLUTIONS = Path.of("docs", "solutions");
    static final Path TEMPLATES = Path.of("docs", "exercises");

    @TempDir
    Path tmp;

    static Stream<Exercise> exercises() {
        return Course.exercises().stream();
    }

    static void print(Exercise e, String what, Verdict v) {
        System.out.println(e.name() + " (" + what + "): " + (v.passed() ? "PASS" : "FAIL"));
        for (Verdict.Line l : v.lines()) {
            System.out.println("  [" + l.outcome() + "] " + l.requirement() + ": " + l.detail());
        }
    }

    @Test
    void thereAreEightExercisesEachWithATemplateAndASolution() {
        assertEquals(8, Course.exercises().size());
        for (Exercise e : Course.exercises()) {
            assertTrue(Files.isRegularFile(TEMPLATES.resolve(e.className() + ".java")), e.name() + " template");
            assertTrue(Files.isRegularFile(SOLUTIONS.resolve(e.className() + ".java")), e.name() + " solution");
            assertEquals(e, Course.find(e.name(), "EXERCISE"));
            assertEquals(e, Course.find(Integer.toString(e.number()), "EXERCISE"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exercises")
    void theReferenceSolutionPasses(Exercise e) {
        Verdict v = Course.check(e, SOLUTIONS.resolve(e.className() + ".java"), "--solution");
        print(e, "solution", v);
        assertTrue(v.passed(), e.name() + ": " + v.firstFailure());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exercises")
    void theTemplateFailsAsNotImplemented(Exercise e) {
        Verdict v = Course.check(e, TEMPLATES.resolve(e.className() + ".java"), "--solution");
        print(e, "template", v);
        assertFalse(v.passed());
        assertTrue(v.firstFailure().detail().startsWith("not implemented yet"), v.firstFailure().detail());
        assertTrue(v.firstFailure().detail().contains("(at " + e.className() + ".java:"), v.firstFailure().detail());
    }

    /** The solution of {@code e} with {@code from} replaced by {@code to}, checked. */
    Verdict mutant(int exercise, String from, String to) throws IOException {
        Exercise e = Course.find(Integer.toString(exercise), "EXERCISE");
        String source = Files.readString(SOLUTIONS.resolve(e.className() + ".java"), StandardCharsets.UTF_8);
        assertTrue(source.contains(from), "the solution of " + e.name() + " contains " + from);
        Path file = tmp.resolve("Mutant" + exercise + ".java"); // any file name: the loader renames the copy
        Files.writeString(file, source.replace(from, to), StandardCharsets.UTF_8);
        Verdict v = Course.check(e, file, "--solution");
        print(e, "mutant", v);
        return v;
    }

    static String failure(Verdict v) {
        assertFalse(v.passed());
        Verdict.Line l = v.firstFailure();
        assertNotNull(l);
        return l.requirement() + ": " + l.detail();
    }

    @Test
    void theBoundAsPrintedLosesDigitsAtSmallQ() throws IOException {
        String why = failure(mutant(1, "-Math.expm1(q * Math.log1p(-p)) / q", "(1 - Math.pow(1 - p, q)) / q"));
        assertTrue(why.contains("value(p, q)") && why.contains("expm1"), why);
    }

    @Test
    void aGradientOffByAConstantFactorIsNamedSo() throws IOException {
        String why = failure(mutant(2, "g[i][j] = (rowPart[i][j] + colPart[j][i]) / n;",
                "g[i][j] = 2 * (rowPart[i][j] + colPart[j][i]) / n;"));
        assertTrue(why.contains("2.00000 times the expected one"), why);
    }

    @Test
    void aGradientWithoutTheColumnPartFailsAgainstFiniteDifferencesToo() throws IOException {
        Verdict v = mutant(2, "g[i][j] = (rowPart[i][j] + colPart[j][i]) / n;", "g[i][j] = rowPart[i][j] / n;");
        assertEquals(2, v.lines().stream().filter(l -> l.outcome() == Verdict.Outcome.FAIL).count());
        assertTrue(v.lines().get(2).detail().contains("finite difference of your loss"), v.lines().get(2).detail());
    }

    @Test
    void aWrongCoefficientInEquationTenBreaksTheTheorem() throws IOException {
        Verdict v = mutant(3, "-(double) (n - c - 1) / c * in + rest", "-(double) (n - c) / c * in + rest");
        String why = failure(v);
        assertTrue(why.contains("Eq. 10 for every C-subset") && why.contains("-(N - C - 1)/C"), why);
        assertTrue(v.lines().get(2).detail().contains("mean of your complementary losses"), v.lines().get(2).detail());
    }

    @Test
    void leavingTheTrueLabelOutOfEquationTenIsNamed() throws IOException {
        String why = failure(mutant(3, "} else {\n                    rest += losses[y];\n                }",
                "} else if (y != trueLabel) {\n                    rest += losses[y];\n                }"));
        assertTrue(why.contains("off by the true label's loss"), why);
    }

    @Test
    void aSinkhornStoppedEarlyMissesTheMarginals() throws IOException {
        String why = failure(mutant(4, "step < 2_000_000", "step < 3"));
        assertTrue(why.contains("a row or column sum is off"), why);
    }

    @Test
    void callingTheLibrarysSolverIsRefused() throws IOException {
        String why = failure(mutant(4, "import io.rematch.course.SinkhornExercise;",
                "import io.rematch.course.SinkhornExercise;\nimport io.rematch.ot.LogSinkhorn;"));
        assertTrue(why.contains("uses io.rematch.ot"), why);
    }

    @Test
    void rclsTemperatureIsNotTheBestHere() throws IOException {
        String why = failure(mutant(5, "return 0.3;", "return 0.05;"));
        assertTrue(why.contains("try a larger tau"), why);
    }

    @Test
    void wrongReadingsOfThePlotFail() throws IOException {
        assertTrue(failure(mutant(6, "return \"log\";", "return \"tan\";")).contains("got 'tan'"));
        assertTrue(failure(mutant(6, "return 1 - Math.log(2) / Math.log(10);", "return 0.5;")).contains("q = 0.5"));
    }

    @Test
    void featuresThatAreTheSameForEveryImageFail() throws IOException {
        String why = failure(mutant(7, "float[] out = new float[dimensions()];",
                "float[] out = new float[dimensions()]; if (true) return out;"));
        assertTrue(why.contains("every training image has the same features"), why);
    }

    @Test
    void theInitialCostOrARisingOneFails() throws IOException {
        assertTrue(failure(mutant(8, "c[i][j] = Math.log1p(Math.exp(-z));", "c[i][j] = Math.max(1 - s[i][j], 0);"))
                .contains("design a cost of your own"));
        assertTrue(failure(mutant(8, "c[i][j] = Math.log1p(Math.exp(-z));", "c[i][j] = Math.log1p(Math.exp(z));"))
                .contains("must be cheaper to match"));
    }

    @Test
    void aCostShiftedByAConstantIsNoImprovement() throws IOException {
        String why = failure(mutant(8, "c[i][j] = Math.log1p(Math.exp(-z));", "c[i][j] = Math.max(1 - s[i][j], 0) + 0.01;"));
        assertTrue(why.contains("at least 1 point more"), why);
    }

    @Test
    void aStaticInitialiserThatThrowsIsAFailureWithItsLine() throws IOException {
        String why = failure(mutant(1, "public class Exercise1 implements BoundExercise.Answer {",
                "public class Exercise1 implements BoundExercise.Answer {\n    static int broken = Integer.parseInt(\"nope\");"));
        assertTrue(why.contains("its static initialiser threw java.lang.NumberFormatException") && why.contains("(at Mutant1.java:"),
                why);
    }

    @Test
    void anImmutableListIsNotCalledNotImplemented() throws IOException {
        String why = failure(mutant(3, "List<Double> out = new ArrayList<>();", "List<Double> out = List.of();"));
        assertTrue(why.contains("it threw java.lang.UnsupportedOperationException") && why.contains("new ArrayList"), why);
    }

    @Test
    void systemExitIsRefusedBeforeItCanEndTheCheck() throws IOException {
        String why = failure(mutant(1, "return Math.exp((q - 1) * Math.log1p(-p));", "System.exit(0); return 0;"));
        assertTrue(why.contains("uses System.exit"), why);
    }

    @Test
    void theClassNameThePackageLineAndAnEmptyFileAreNamed() throws IOException {
        assertTrue(failure(mutant(1, "public class Exercise1 ", "public class MyBound ")).contains(
                "the class must be called Exercise1 (found public class MyBound)"));
        assertTrue(failure(mutant(1, "import io.rematch.course.BoundExercise;",
                "package course;\nimport io.rematch.course.BoundExercise;")).contains("remove the line 'package course;'"));
        Path empty = tmp.resolve("Empty.java");
        Files.writeString(empty, "// nothing yet\n");
        assertTrue(failure(Course.check(Course.find("1", "EXERCISE"), empty, "--solution")).contains("is empty"));
    }

    @Test
    void aConstructorThatNeverReturnsFailsAfterTheTimeLimit() throws IOException {
        Exercise e = Course.find("1", "EXERCISE");
        String source = Files.readString(SOLUTIONS.resolve("Exercise1.java"), StandardCharsets.UTF_8).replace(
                "public class Exercise1 implements BoundExercise.Answer {",
                "public class Exercise1 implements BoundExercise.Answer {\n    public Exercise1() { while (!Thread.currentThread().isInterrupted()) { Thread.onSpinWait(); } }");
        Path file = tmp.resolve("Slow.java");
        Files.writeString(file, source);
        // the line it was stuck on is named when the worker is caught inside the answer's code, which
        // a loaded machine may not have reached within the limit: only the verdict is asserted
        String why = failure(Course.check(e, file, "--solution", 2));
        assertTrue(why.contains("did not finish in 2 s"), why);
    }

    @Test
    void aCompileErrorIsReportedWithItsLine() throws IOException {
        String why = failure(mutant(1, "return Math.exp((q - 1) * Math.log1p(-p));", "return Math.exp((q - 1) * log1p(-p));"));
        assertTrue(why.contains("does not compile") && why.contains("Mutant1.java:"), why);
    }

    @Test
    void forbiddenNamesInCommentsDoNotCount() {
        Exercise e = Course.find("4", "EXERCISE");
        assertEquals(null, SolutionLoader.usesForbidden(e, "// unlike LogSinkhorn\n/* io.rematch.ot */ class X {}"));
        assertEquals("LogSinkhorn", SolutionLoader.usesForbidden(e, "class X { Object o = new LogSinkhorn(1); }"));
    }

    @Test
    void anAnswerThatNeverReturnsFailsAfterTheTimeLimit() {
        Exercise e = Course.find("6", "EXERCISE");
        PlotExercise.Answer endless = new PlotExercise.Answer() {
            @Override
            public double logHardOverEasy() {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
                return 9;
            }

            @Override
            public String hardestPushAtNineTenths() {
                return "log";
            }

            @Override
            public String weakerThanMaeEverywhere() {
                return "exp";
            }

            @Override
            public double gceQForTwiceThePush() {
                return 0.699;
            }

            @Override
            public String explanation() {
                return "";
            }
        };
        String why = failure(Course.checkAnswer(e, endless, 1, "Exercise6.java"));
        assertTrue(why.contains("did not finish in 1 s"), why);
    }
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rematch.io.Npy;
import io.rematch.loss.SymmetricKlDivergenceLoss;
import io.rematch.numeric.Mode;
import io.rematch.testing.TestMatrices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rematch loss} with L2RM's losses: --targets required, checked, and the values of the library. */
class RematchLossCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Rematch.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path write(String name, DMatrixRMaj m) throws Exception {
        Path p = dir.resolve(name);
        Npy.writeMatrix(p, m);
        return p;
    }

    @Test
    void symKlWithTargetsPrintsTheLibraryValueAndWritesTheGradient() throws Exception {
        DMatrixRMaj s = TestMatrices.scores(5, 0.3, 3);
        DMatrixRMaj t = TestMatrices.uniform(5, 5, 0.5, 4);
        for (int k = 0; k < 25; k++) {
            t.data[k] += 0.5;
        }
        Path grad = dir.resolve("g.npy");
        Run r = run("loss", "--scores", write("s.npy", s).toString(), "--loss", "sym-kl", "--targets",
                write("t.npy", t).toString(), "--mode", "faithful", "--grad-out", grad.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var want = new SymmetricKlDivergenceLoss(0.05, Mode.FAITHFUL).evaluate(s, t);
        assertTrue(r.out().contains("\"loss\": " + Json.number(want.value())), r.out());
        assertTrue(r.out().contains("\"targets\": "), r.out());
        DMatrixRMaj g = Npy.read(grad).toMatrix("g");
        assertEquals(0.0, TestMatrices.maxAbsDiff(want.gradient(), g));
        for (String name : new String[] {"kl", "js", "soft-infonce"}) {
            Run ok = run("loss", "--scores", dir.resolve("s.npy").toString(), "--loss", name, "--targets", dir.resolve("t.npy").toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().startsWith(name + " = "), ok.out());
        }
        Run rce = run("loss", "--scores", dir.resolve("s.npy").toString(), "--loss", "rce");
        assertEquals(0, rce.code(), rce.err());
        assertTrue(rce.out().startsWith("rce = "), rce.out());
    }

    @Test
    void missingWrongShapedOrBadTargetsExitWith2() throws Exception {
        String s = write("s.npy", TestMatrices.scores(4, 0.3, 1)).toString();
        Run missing = run("loss", "--scores", s, "--loss", "js");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--targets"), missing.err());
        assertTrue(!missing.err().contains("at io.rematch"), "no stack trace");

        Run shape = run("loss", "--scores", s, "--loss", "sym-kl", "--targets", write("t3.npy", new DMatrixRMaj(4, 3)).toString());
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--targets must be 4 x 4") && shape.err().contains("4 x 3"), shape.err());

        DMatrixRMaj neg = TestMatrices.uniform(4, 4, 1, 2);
        Run negative = run("loss", "--scores", s, "--loss", "kl", "--targets", write("neg.npy", neg).toString());
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("targets[") && negative.err().contains(">= 0"), negative.err());

        DMatrixRMaj nan = new DMatrixRMaj(4, 4);
        nan.set(1, 1, Double.NaN);
        Run notFinite = run("loss", "--scores", s, "--loss", "kl", "--targets", write("nan.npy", nan).toString());
        assertEquals(2, notFinite.code());
        assertTrue(notFinite.err().contains("--targets[1,1]"), notFinite.err());

        Run zeroRow = run("loss", "--scores", s, "--loss", "kl", "--targets", write("zero.npy", new DMatrixRMaj(4, 4)).toString());
        assertEquals(2, zeroRow.code());
        assertTrue(zeroRow.err().contains("all zero"), zeroRow.err());

        Run unused = run("loss", "--scores", s, "--loss", "rce", "--targets", dir.resolve("t3.npy").toString());
        assertEquals(2, unused.code());
        assertTrue(unused.err().contains("--targets applies to sym-kl, kl, js, soft-infonce, not to rce"), unused.err());

        Run badTau = run("loss", "--scores", s, "--loss", "sym-kl", "--targets", dir.resolve("zero.npy").toString(), "--tau", "0");
        assertEquals(2, badTau.code());
        assertTrue(badTau.err().contains("tau"), badTau.err());
    }
}

// Notebook 9: bring your own scores. From a similarity matrix your own model wrote (PyTorch,
// numpy) to the losses of both papers, the retrieval metrics and an L2RM rematching.
// Run from the project root:  bin/notebook 09
//   (or: mvn -q package -DskipTests, then
//    jshell --class-path "target/classes:target/lib/*" notebooks-java/09-bring-your-own-scores.jsh)
import io.rematch.eval.*;
import io.rematch.io.*;
import io.rematch.loss.*;
import io.rematch.numeric.*;
import io.rematch.ot.*;
import io.rematch.rematch.*;
import org.ejml.data.DMatrixRMaj;
import java.nio.file.*;
import java.util.*;

// Every numeric claim below is checked: a broken equation stops with an AssertionError.
void check(boolean ok, String claim) {
    if (!ok) throw new AssertionError("claim failed: " + claim);
    System.out.println("  [ok] " + claim);
}
void printf(String format, Object... args) {
    System.out.print(String.format(Locale.ROOT, format, args));
}

// --- 1. On the Python side ------------------------------------------------------------
// A model's embeddings of one training batch (B images, B captions, given pairs on the
// diagonal), L2-normalised, then their cosines written as a .npy file:
//
//     sims = (img_emb @ cap_emb.T).double().cpu().numpy()     # B x B
//     np.save("scores.npy", sims)
//
// Any float32/float64 .npy in C order works. Here: a 128-pair batch in data-small/ in which
// 26 pairs (20%) are mismatched, and which captions are the true ones (data-small/README.md).
Path dir = Path.of("data-small", "batch128-pmp20");
NpyArray scoresFile = Npy.read(dir.resolve("scores.npy"));
DMatrixRMaj S = scoresFile.toMatrix("scores.npy");
int[] mismatched = Npy.read(dir.resolve("mismatched.npy")).toIntArray("mismatched.npy");
int[] trueCaption = Npy.read(dir.resolve("true_caption.npy")).toIntArray("true_caption.npy");
int B = S.numRows;
int noisy = Arrays.stream(mismatched).sum();
printf("scores.npy: %s %s, %d of %d pairs mismatched%n", NpyArray.shapeText(scoresFile.shape()),
        scoresFile.dtype(), noisy, B);
check(B == 128 && S.numCols == 128, "a square 128 x 128 batch");
check(noisy == 26, "26 mismatched pairs (20%)");

// --- 2. Every loss of both papers on it -------------------------------------------------
// Losses.create takes the command line's names; Settings.defaults() are the papers' (tau 0.05,
// all negatives, stable arithmetic). "Pull" on a diagonal entry is -dL/dS_ii: how hard a
// gradient step drags the given pair together. A robust loss should pull the mismatched pairs
// less than the clean ones: they are wrong, and pulling them together is the overfitting.
printf("%n%-10s %12s %14s %14s%n", "loss", "value", "pull (clean)", "pull (noisy)");
Map<String, double[]> pulls = new LinkedHashMap<>();
for (String name : List.of("infonce", "ccl-log", "ccl-mae", "tr", "tr-hn")) {
    LossValue v = Losses.create(name, Losses.Settings.defaults()).evaluate(S);
    double clean = 0, wrong = 0;
    for (int i = 0; i < B; i++) {
        double pull = -v.gradient().get(i, i);
        if (mismatched[i] == 1) wrong += pull / noisy; else clean += pull / (B - noisy);
    }
    pulls.put(name, new double[] {clean, wrong});
    printf("%-10s %12.5f %14.3e %14.3e%n", name, v.value(), clean, wrong);
    check(v.isFinite(), name + ": a finite value and gradient");
}
check(pulls.get("ccl-log")[1] / pulls.get("ccl-log")[0] < pulls.get("infonce")[1] / pulls.get("infonce")[0],
        "relative to its clean pairs, CCL-log pulls the mismatched pairs less than InfoNCE does");
// (The same on the command line:  bin/rematch compare --scores .../scores.npy --mismatched .../mismatched.npy)

// --- 3. Retrieval metrics ---------------------------------------------------------------
// An evaluation matrix: 100 test images x 500 captions, 5 per image (caption j is image j / 5's),
// as RCL's evaluation.py lays it out. R@K, medr, meanr both ways and rsum.
DMatrixRMaj E = Npy.read(Path.of("data-small", "eval100x500", "sims.npy")).toMatrix("sims.npy");
RetrievalReport report = RetrievalMetrics.evaluate(E, 5);
System.out.println();
System.out.println(report.toTable());
check(report.i2t().r1() <= report.i2t().r5() && report.i2t().r5() <= report.i2t().r10(), "R@1 <= R@5 <= R@10 (i2t)");
check(report.t2i().r1() <= report.t2i().r5() && report.t2i().r5() <= report.t2i().r10(), "R@1 <= R@5 <= R@10 (t2i)");
// (In jshell a line that is a complete statement ends the snippet, so a continued sum breaks
// after its operator, never before.)
double sum6 = report.i2t().r1() + report.i2t().r5() + report.i2t().r10() + report.t2i().r1() + report.t2i().r5() +
        report.t2i().r10();
check(Math.abs(report.rsum() - sum6) < 1e-9, "rsum is the sum of the six recalls");
// (bin/rematch metrics --sims .../sims.npy --captions-per-image 5)

// --- 4. An L2RM rematching of the batch ---------------------------------------------------
// L2RM's cost at the start of training, ReLU(1 - S), and its masked partial OT (Sec. 3.2):
// the diagonal (the given pairs) forbidden, mass 0.1 moved, reg 0.07. Each row's largest plan
// entry proposes a new partner; for a mismatched image the right answer is its true caption.
Rematching rematching = Rematching.l2rmInitial(B, 0.07, 0.1, Mode.STABLE, Stopping.marginals());
Rematching.Result r = rematching.rematch(S);
int[] nearest = Rematching.nearestOther(S);
int planRight = 0, nearestRight = 0;
double diagonalMass = 0, mass = 0;
for (int i = 0; i < B; i++) {
    diagonalMass += r.plan().get(i, i);
    for (int j = 0; j < B; j++) mass += r.plan().get(i, j);
    if (mismatched[i] == 1) {
        planRight += r.proposals()[i] == trueCaption[i] ? 1 : 0;
        nearestRight += nearest[i] == trueCaption[i] ? 1 : 0;
    }
}
printf("%nplan: %d iterations, converged %s, mass %.4f (asked 0.1), on the given pairs %.1e%n",
        r.transport().iterations(), r.transport().converged(), mass, diagonalMass);
printf("true caption proposed for a mismatched image: plan %d of %d, nearest other caption %d of %d%n",
        planRight, noisy, nearestRight, noisy);
check(r.transport().converged(), "the plan converged (its marginals hold to the tolerance)");
check(diagonalMass == 0, "the given pairs carry exactly nothing");
check(Math.abs(mass - 0.1) < 1e-3, "the plan moves mass 0.1 (the dummy corner keeps a trace)");
// At the start of training the cost is ReLU(1 - S), a function of S alone, so the plan mostly
// agrees with "the most similar other caption"; L2RM's learned cost is what improves on it.
check(planRight >= nearestRight, "the plan's proposals are right at least as often as the nearest other caption");

// --- 5. Back to Python ---------------------------------------------------------------------
// Write the plan as a .npy for numpy (np.load("plan.npy")); the reader gives back the same bits.
Path out = Files.createDirectories(Path.of("target", "notebooks"));
Path planFile = out.resolve("09-plan.npy");
Npy.writeMatrix(planFile, r.plan());
DMatrixRMaj back = Npy.read(planFile).toMatrix("plan");
check(Arrays.equals(back.data, r.plan().data), "the plan read back from " + planFile + " is bit-identical");
System.out.println("wrote " + planFile);
/exit

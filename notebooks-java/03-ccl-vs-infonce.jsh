// Notebook 3: CCL vs InfoNCE with mismatched pairs (RCL, Eq. 8, Eq. 14-18); retrieval metrics.
// Run from the project root:  mvn -q package -DskipTests
//   jshell --class-path "target/classes:target/lib/*" notebooks-java/03-ccl-vs-infonce.jsh
import io.rematch.eval.*;
import io.rematch.loss.*;
import io.rematch.prob.*;
import io.rematch.numeric.*;
import org.ejml.data.DMatrixRMaj;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

// Every numeric claim below is checked: a broken equation stops with an AssertionError.
void check(boolean ok, String claim) {
    if (!ok) throw new AssertionError("claim failed: " + claim);
    System.out.println("  [ok] " + claim);
}
void printf(String format, Object... args) {
    System.out.print(String.format(Locale.ROOT, format, args));
}

// --- A batch of 8 pairs, 2 of them mismatched ------------------------------------------
// A fairly trained model: own caption ~0.6, other captions ~0.2, plus noise; tau = 0.05 (RCL).
int N = 8;
double tau = 0.05;
SplittableRandom rng = new SplittableRandom(8);
DMatrixRMaj clean = new DMatrixRMaj(N, N);
for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) clean.set(i, j, (i == j ? 0.6 : 0.2) + 0.1 * rng.nextGaussian());
}
// Mismatch: captions 2 and 5 were swapped when the data was collected, so columns 2 and 5
// trade places. The given pairs (2,2) and (5,5) now hold a wrong caption with a low score;
// the true partners sit off the diagonal at S_25 and S_52.
DMatrixRMaj noisy = clean.copy();
for (int i = 0; i < N; i++) {
    noisy.set(i, 2, clean.get(i, 5));
    noisy.set(i, 5, clean.get(i, 2));
}
System.out.println("S with captions 2 and 5 swapped (rows: images, columns: given captions)");
for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) printf(i == j ? "  [%5.2f]" : "   %5.2f ", noisy.get(i, j));
    System.out.println();
}
boolean ownCaptionWins = true;
for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) if (j != i) ownCaptionWins &= clean.get(i, i) > clean.get(i, j);
}
check(ownCaptionWins, "before the swap every image scores its own caption highest");

// --- Losses and their pull on the diagonal ----------------------------------------------
// InfoNCE (Eq. 8) and CCL with the MAE term (Eq. 14) and its bounds (Eq. 15-18, GCE q = 0.5),
// all N-1 negatives; the triplet baselines TR and TR-HN for reference. Gradient descent moves
// S_ii by -lr * dL/dS_ii, so "pull" = -dL/dS_ii is how hard a loss drags the pair together.
// Columns: the loss on the clean batch, on the noisy one, and the mean pull on the noisy
// batch's 6 clean and 2 mismatched diagonal entries.
List<String> names = List.of("infonce", "ccl-mae", "ccl-log", "ccl-exp", "ccl-gce", "ccl-tan",
        "tr", "tr-hn");
// The papers' settings (GCE's q 0.5, triplet margin 0.2, all negatives, stable arithmetic), at this tau
Losses.Settings settings = Losses.Settings.defaults().withTau(tau);
int nLosses = names.size();
double[] onNoisy = new double[nLosses];
double[] pullClean = new double[nLosses], pullBad = new double[nLosses];
printf("%n%-8s %10s %10s %12s %16s%n", "loss", "clean", "noisy", "pull clean", "pull mismatched");
for (int k = 0; k < nLosses; k++) {
    ScoreLoss loss = Losses.create(names.get(k), settings);
    LossValue v = loss.evaluate(noisy);
    DMatrixRMaj g = v.gradient();
    onNoisy[k] = v.value();
    for (int i = 0; i < N; i++) {
        if (i == 2 || i == 5) pullBad[k] -= g.get(i, i) / 2;
        else pullClean[k] -= g.get(i, i) / (N - 2);
    }
    double onClean = loss.evaluate(clean).value();
    printf("%-8s %10.4f %10.4f %12.4f %16.4f%n", names.get(k), onClean, v.value(),
            pullClean[k], pullBad[k]);
}
// InfoNCE: dL/dS_ii = -(1/(N tau)) (2 - p^{v2t}_ii - p^{t2v}_ii). A mismatched pair has small
// p_ii, so it gets nearly the maximum pull 2/(N tau) = 5, over 10 times a clean pair's.
DMatrixRMaj pV2T = MatchingProbabilities.imageToText(noisy, tau, Mode.STABLE);
DMatrixRMaj pT2V = MatchingProbabilities.textToImage(noisy, tau, Mode.STABLE);
DMatrixRMaj gInfo = Losses.create("infonce", settings).evaluate(noisy).gradient();
check(Math.abs(gInfo.get(2, 2) + (2 - pV2T.get(2, 2) - pT2V.get(2, 2)) / (N * tau)) < 1e-12,
        "InfoNCE dL/dS_22 = -(2 - p^{v2t}_22 - p^{t2v}_22) / (N tau)");
double maxPull = 2 / (N * tau);
check(Math.abs(maxPull - 5) < 1e-12, "2/(N tau) = 5");
check(pullBad[0] > 0.95 * maxPull, "InfoNCE: mismatched pull > 95% of the maximum");
check(pullBad[0] > 10 * pullClean[0], "InfoNCE: mismatched pull > 10 x clean pull");
// CCL never uses the given pair's own probability (the diagonal is no negative): S_ii only
// moves through the softmax normalisers,
//   dL/dS_ii = -(1/(N tau)) (p^{v2t}_ii sum_{l!=i} u_il + p^{t2v}_ii sum_{l!=i} w_il),
// u = p phi'(p) over image i's negatives, w the same over text i's; for the log bound
// phi'(p) = 1/(1-p). The pull is proportional to p_ii, which is tiny for a mismatched pair.
double sumU = 0, sumW = 0;
for (int l = 0; l < N; l++) {
    if (l == 2) continue;
    sumU += pV2T.get(2, l) / (1 - pV2T.get(2, l));
    sumW += pT2V.get(2, l) / (1 - pT2V.get(2, l));
}
double closedForm = -(pV2T.get(2, 2) * sumU + pT2V.get(2, 2) * sumW) / (N * tau);
double gLog22 = Losses.create("ccl-log", settings).evaluate(noisy).gradient().get(2, 2);
printf("p^{v2t}_22 = %.2e (mismatched), p^{v2t}_00 = %.3f (clean)%n",
        pV2T.get(2, 2), pV2T.get(0, 0));
check(Math.abs(gLog22 - closedForm) < 1e-12 * Math.abs(closedForm),
        "CCL-log dL/dS_22 matches the closed form");
for (int k = 1; k <= 5; k++) {
    check(pullBad[k] < pullClean[k] / 2 && pullBad[k] < pullBad[0] / 25,
            names.get(k) + " pulls a mismatched pair < half a clean one's, < 1/25 of InfoNCE's");
}
// The triplet losses (hinge on S_ij - S_ii), like InfoNCE, pull the mismatched pairs hardest.
check(pullBad[6] > pullClean[6] && pullBad[7] > pullClean[7],
        "TR and TR-HN pull mismatched pairs harder than clean ones");

// --- MAE <= its bounds (Eq. 14 vs Eq. 15-18) -------------------------------------------
// x <= -log(1-x), x <= e^{-(1-x)}, x <= (1-(1-x)^q)/q and x <= tan(x) on [0, 1).
ComplementaryBound[] bounds = {ComplementaryBound.log(), ComplementaryBound.exp(),
        ComplementaryBound.gce(0.5), ComplementaryBound.tan()};
printf("%n%6s %8s %8s %8s %9s %8s%n", "p", "MAE", "log", "exp", "gce(0.5)", "tan");
boolean boundsHold = true;
for (double p : new double[] {0.01, 0.1, 0.5, 0.9, 0.99}) {
    printf("%6.2f %8.4f", p, ComplementaryBound.mae().value(p));
    for (ComplementaryBound b : bounds) {
        printf(" %8.4f", b.value(p));
        boundsHold &= b.value(p) >= p;
    }
    System.out.println();
}
check(boundsHold, "every bound >= MAE at p = 0.01, 0.1, 0.5, 0.9, 0.99");
check(Math.abs(ComplementaryBound.gce(1.0).value(0.3) - 0.3) < 1e-15, "GCE(q=1) = MAE at p = 0.3");
// Summed over the batch the order survives: CCL-MAE is the smallest of the five CCL losses.
check(onNoisy[1] <= onNoisy[2] && onNoisy[1] <= onNoisy[3] && onNoisy[1] <= onNoisy[4]
        && onNoisy[1] <= onNoisy[5], "on the noisy batch ccl-mae <= ccl-log, -exp, -gce, -tan");

// --- Retrieval metrics (RCL's evaluation.py) ---------------------------------------------
// 4 images x 8 captions, 2 captions per image: caption j describes image j / 2.
// Image 2's best caption (0.5) is beaten by caption 0 (0.6): rank 1. Image 3's best (0.4)
// is beaten by captions 2 and 3: rank 2. Caption 2 (image 1, 0.5) loses to image 3 (0.7).
DMatrixRMaj sims = new DMatrixRMaj(new double[][] {
        {0.9, 0.7, 0.2, 0.1, 0.3, 0.0, 0.1, 0.2},
        {0.1, 0.3, 0.5, 0.8, 0.2, 0.1, 0.0, 0.3},
        {0.6, 0.2, 0.1, 0.3, 0.5, 0.4, 0.2, 0.1},
        {0.2, 0.1, 0.7, 0.6, 0.3, 0.2, 0.4, 0.35}});
RetrievalReport report = RetrievalMetrics.evaluate(sims, 2);
System.out.print(report.toTable());
// i2t ranks (0-based) 0, 0, 1, 2: R@1 = 50, mean rank 1.75. t2i: 7 of 8 captions first: 87.5.
check(Arrays.equals(report.i2t().ranks(), new int[] {0, 0, 1, 2}), "i2t ranks are 0, 0, 1, 2");
check(Arrays.equals(report.t2i().ranks(), new int[] {0, 0, 1, 0, 0, 0, 0, 0}),
        "t2i: only caption 2 has rank 1, the others rank 0");
check(report.i2t().r1() == 50.0 && report.i2t().meanr() == 1.75, "i2t: R@1 = 50%, mean rank 1.75");
check(report.t2i().r1() == 87.5 && report.t2i().r5() == 100.0, "t2i: R@1 = 87.5%, R@5 = 100%");
check(report.rsum() == 537.5, "rsum = 50 + 100 + 100 + 87.5 + 100 + 100 = 537.5");
/exit

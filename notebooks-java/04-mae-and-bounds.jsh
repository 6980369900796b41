// Notebook 4: MAE and its four upper bounds (RCL, Hu et al., TPAMI 2023, Section 3.3, Eq. 13-18).
// Run from the project root:  bin/notebook 04
//   (by hand: jshell --class-path "target/classes:target/lib/*" notebooks-java/04-mae-and-bounds.jsh)
import io.rematch.experiment.Charts;
import io.rematch.loss.*;
import io.rematch.numeric.*;
import io.rematch.prob.*;
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

// --- Eq. 13-18: one term phi(p) per negative ------------------------------------------------
// CCL pushes down p, the probability an anchor gives one of its complementary (wrong)
// candidates, through a term phi(p). Theorem 1 makes the complementary risk unbiased with MAE
// (Eq. 13-14, phi(p) = p), but MAE is known to train slowly, so RCL also offers four upper bounds:
//   Eq. 15  log  -log(1-p)         Eq. 16  exp  e^{-(1-p)}
//   Eq. 17  gce  (1-(1-p)^q)/q     Eq. 18  tan  tan p
// Minimising an upper bound of the MAE risk still drives it down. GCE is plotted with q = 0.5
// (the library's default; RCL's scripts pass 0.2).
List<ComplementaryBound> terms = List.of(ComplementaryBound.mae(), ComplementaryBound.log(),
        ComplementaryBound.exp(), ComplementaryBound.gce(0.5), ComplementaryBound.tan());
int points = 96;                      // p = 0, 0.01, ..., 0.95
double[] ps = new double[points];
for (int k = 0; k < points; k++) ps[k] = k / 100.0;

// ComplementaryBound#value is the library's form (GCE via expm1, no cancellation at small q);
// LiteralCcl.phi is the equation as printed. They agree to rounding on the whole grid.
double worstRelative = 0;
for (ComplementaryBound b : terms) {
    for (double p : ps) {
        double lib = b.value(p), lit = LiteralCcl.phi(b, p);
        worstRelative = Math.max(worstRelative, Math.abs(lib - lit) / Math.max(Math.abs(lit), 1e-300));
    }
}
printf("largest relative gap, library vs literal phi on [0, 0.95]: %.1e%n", worstRelative);
check(worstRelative < 1e-14, "ComplementaryBound#value = LiteralCcl.phi on the grid (relative 1e-14)");

// The inequalities behind "upper bound": for x in [0, 1)
//   x <= -log(1-x),  x <= e^{-(1-x)} (e^y >= 1 + y),  x <= (1-(1-x)^q)/q for q in (0, 1],  x <= tan x.
// Checked on a finer grid (p = 0 .. 0.999, step 0.001) and for six values of q.
double[] qs = {1e-6, 0.01, 0.2, 0.5, 0.9, 1.0};
boolean logAbove = true, expAbove = true, gceAbove = true, tanAbove = true;
for (int k = 0; k < 1000; k++) {
    double x = k / 1000.0;
    logAbove &= ComplementaryBound.log().value(x) >= x;
    expAbove &= ComplementaryBound.exp().value(x) >= x;
    tanAbove &= ComplementaryBound.tan().value(x) >= x;
    for (double q : qs) gceAbove &= ComplementaryBound.gce(q).value(x) >= x - 1e-16; // q = 1: equal
}
check(logAbove, "x <= -log(1-x) on [0, 0.999]");
check(expAbove, "x <= e^{-(1-x)} on [0, 0.999]");
check(gceAbove, "x <= (1-(1-x)^q)/q on [0, 0.999] for q = 1e-6, 0.01, 0.2, 0.5, 0.9, 1");
check(tanAbove, "x <= tan x on [0, 0.999]");
// exp's bound is not 0 at p = 0 but e^{-1} = 0.368: a constant offset, which moves no gradient.
check(Math.abs(ComplementaryBound.exp().value(0) - Math.exp(-1)) < 1e-16, "exp's bound is e^{-1} at p = 0");

// GCE interpolates between the two ends: q = 1 is MAE itself, q -> 0 the log bound.
double gceGap1 = 0, gceGap0 = 0;
for (double p : ps) {
    gceGap1 = Math.max(gceGap1, Math.abs(ComplementaryBound.gce(1.0).value(p) - p));
    gceGap0 = Math.max(gceGap0, Math.abs(ComplementaryBound.gce(1e-6).value(p) - ComplementaryBound.log().value(p)));
}
printf("max |gce(q=1) - mae| = %.1e, max |gce(q=1e-6) - log| = %.1e (on [0, 0.95])%n", gceGap1, gceGap0);
check(gceGap1 < 1e-15, "gce with q = 1 equals MAE (1e-15)");
check(gceGap0 < 1e-5, "gce with q = 1e-6 equals the log bound within 1e-5");

Path out = Files.createDirectories(Path.of("target", "notebooks"));
Map<String, Charts.Series> values = new LinkedHashMap<>();
for (ComplementaryBound b : terms) {
    double[] v = new double[points];
    for (int k = 0; k < points; k++) v[k] = b.value(ps[k]);
    values.put(b.kind() == ComplementaryBound.Kind.GCE ? "gce (q = 0.5)" : b.shortName(), new Charts.Series(ps, v, null));
}
Path valuesPng = out.resolve("04-bounds.png");
Charts.save(Charts.lines("Eq. 14-18: MAE and its four upper bounds", "p (probability of a wrong candidate)",
        "phi(p)", values, false, false), valuesPng);
System.out.println("wrote " + valuesPng);

// --- The derivatives: where the push goes ----------------------------------------------------
// Gradient descent lowers p by a step proportional to phi'(p): MAE 1, log 1/(1-p), exp e^{-(1-p)},
// gce (1-p)^{q-1}, tan 1/cos^2 p. MAE pushes every negative equally; each bound's derivative
// grows with p, so a negative the model already confuses with the positive (large p: a hard
// negative) is pushed harder than one it already rejects. (exp's derivative grows from e^{-1} to
// 1: its absolute push is smaller than MAE's, but it too is tilted towards the hard negatives.)
// LiteralCcl.phiPrime is the printed derivative; it matches a central difference of the library's
// value (step 1e-6) everywhere on the grid.
Map<String, Charts.Series> slopes = new LinkedHashMap<>();
boolean maeFlat = true, boundsGrow = true;
double worstSlope = 0;
for (ComplementaryBound b : terms) {
    double[] d = new double[points];
    for (int k = 0; k < points; k++) {
        d[k] = LiteralCcl.phiPrime(b, ps[k]);
        double h = 1e-6, p = Math.max(ps[k], h);
        double numeric = (b.value(p + h) - b.value(p - h)) / (2 * h);
        worstSlope = Math.max(worstSlope, Math.abs(numeric - LiteralCcl.phiPrime(b, p)) / LiteralCcl.phiPrime(b, p));
        if (b.kind() == ComplementaryBound.Kind.MAE) maeFlat &= d[k] == 1.0;
        else if (k > 0) boundsGrow &= d[k] > d[k - 1];
    }
    slopes.put(b.kind() == ComplementaryBound.Kind.GCE ? "gce (q = 0.5)" : b.shortName(), new Charts.Series(ps, d, null));
}
check(worstSlope < 1e-6, "LiteralCcl.phiPrime = d/dp of ComplementaryBound#value (relative 1e-6)");
check(maeFlat, "MAE's derivative is 1 at every p");
check(boundsGrow, "the four bounds' derivatives increase strictly with p on [0, 0.95]");
printf("%-5s %11s %11s %8s%n", "term", "phi'(0.01)", "phi'(0.9)", "ratio");
for (ComplementaryBound b : terms) {
    double easy = LiteralCcl.phiPrime(b, 0.01), hard = LiteralCcl.phiPrime(b, 0.9);
    printf("%-5s %11.4f %11.4f %8.2f%n", b.shortName(), easy, hard, hard / easy);
}
// log: phi'(0.9)/phi'(0.01) = 0.99/0.1 = 9.9: ten times the push at p = 0.9 as at p = 0.01.
check(Math.abs(LiteralCcl.phiPrime(ComplementaryBound.log(), 0.9) / LiteralCcl.phiPrime(ComplementaryBound.log(), 0.01) - 9.9) < 1e-9,
        "log: phi'(0.9) / phi'(0.01) = 9.9");
Path slopesPng = out.resolve("04-derivatives.png");
Charts.save(Charts.lines("Their derivatives phi'(p): the push on a negative", "p (probability of a wrong candidate)",
        "phi'(p)", slopes, false, false), slopesPng);
System.out.println("wrote " + slopesPng);

// --- In a batch: the hardest negative against an easy one ------------------------------------
// Four pairs, tau = 0.1 (RCL trains with 0.05; 0.1 keeps the numbers readable). Caption 1 is a
// hard negative of image 0 (0.55 against its own caption's 0.60); caption 2 an easy one (0.10).
DMatrixRMaj S = new DMatrixRMaj(new double[][] {
        {0.60, 0.55, 0.10, 0.20},
        {0.25, 0.70, 0.15, 0.05},
        {0.20, 0.10, 0.65, 0.30},
        {0.15, 0.30, 0.20, 0.75}});
double tau = 0.1;
int N = 4;
DMatrixRMaj pV = MatchingProbabilities.imageToText(S, tau, Mode.STABLE);
DMatrixRMaj pT = MatchingProbabilities.textToImage(S, tau, Mode.STABLE);
printf("image 0: p(own caption) = %.3f, p(caption 1, hard) = %.3f, p(caption 2, easy) = %.4f%n",
        pV.get(0, 0), pV.get(0, 1), pV.get(0, 2));
// The gradient does not reach S_ij through phi'(p_ij) alone: a score moves its whole softmax
// row (and column). For image i's negative j, the row's share is
//   (1/(N tau)) p_ij (phi'(p_ij) - sum_{l != i} p_il phi'(p_il)),
// plus the same from text j's column. For MAE the bracket is 1 - sum of the negatives = p_ii,
// the same for every negative of the row: MAE's gradient is proportional to p_ij. A bound adds
// the factor phi'(p_ij), larger for the hard negative, and lowers the easy one's bracket.
double[] ratio = new double[terms.size()];
double[] hardGrad = new double[terms.size()], easyGrad = new double[terms.size()];
printf("%-8s %12s %12s %8s%n", "loss", "dL/dS_01", "dL/dS_02", "ratio");
for (int k = 0; k < terms.size(); k++) {
    ComplementaryBound b = terms.get(k);
    LossValue v = new ComplementaryContrastiveLoss(b, tau, Negatives.all(), Mode.STABLE).evaluate(S);
    hardGrad[k] = v.gradient().get(0, 1);
    easyGrad[k] = v.gradient().get(0, 2);
    ratio[k] = Math.abs(hardGrad[k]) / Math.abs(easyGrad[k]);
    printf("ccl-%-4s %12.5f %12.6f %8.1f%n", b.shortName(), hardGrad[k], easyGrad[k], ratio[k]);
    // The library's gradient against LiteralCcl's chain rule written out as loops.
    double[][] literal = LiteralCcl.gradient(S.copy().data.length == 16 ? new double[][] {
            {0.60, 0.55, 0.10, 0.20}, {0.25, 0.70, 0.15, 0.05}, {0.20, 0.10, 0.65, 0.30},
            {0.15, 0.30, 0.20, 0.75}} : null, tau, b);
    double gap = 0;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) gap = Math.max(gap, Math.abs(literal[i][j] - v.gradient().get(i, j)));
    check(gap < 1e-12, "ccl-" + b.shortName() + ": library gradient = LiteralCcl.gradient (1e-12)");
}
// MAE's gradient in closed form: (p^{v2t}_01 p^{v2t}_00 + p^{t2v}_10 p^{t2v}_11) / (N tau).
double maeClosed = (pV.get(0, 1) * pV.get(0, 0) + pT.get(1, 0) * pT.get(1, 1)) / (N * tau);
check(Math.abs(maeClosed - hardGrad[0]) < 1e-12, "ccl-mae dL/dS_01 = (p_01 p_00 + p^{t2v}_10 p^{t2v}_11) / (N tau)");
// Both losses push both negatives down (positive gradient: descent lowers the score), but the
// log bound spends more on the hard one and less on the easy one than MAE does.
check(hardGrad[0] > 0 && easyGrad[0] > 0 && hardGrad[1] > 0 && easyGrad[1] > 0,
        "ccl-mae and ccl-log both push S_01 and S_02 down");
check(hardGrad[1] > hardGrad[0] && easyGrad[1] < easyGrad[0],
        "ccl-log's gradient is larger than ccl-mae's on the hard negative, smaller on the easy one");
printf("hard/easy ratio: ccl-log %.1f vs ccl-mae %.1f (x %.2f)%n", ratio[1], ratio[0], ratio[1] / ratio[0]);
check(ratio[1] > 1.5 * ratio[0], "ccl-log's hard/easy gradient ratio is over 1.5 x ccl-mae's");
check(ratio[2] > ratio[0] && ratio[3] > ratio[0] && ratio[4] > ratio[0],
        "exp, gce and tan also tilt the gradient towards the hard negative more than MAE");
/exit

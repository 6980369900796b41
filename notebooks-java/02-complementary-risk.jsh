// Notebook 2: learning from complementary labels (RCL, Section 3.3, Theorem 1, Eq. 9-13).
// Run from the project root:  mvn -q package -DskipTests
//   jshell --class-path "target/classes:target/lib/*" notebooks-java/02-complementary-risk.jsh
import io.rematch.loss.*;
import io.rematch.mask.*;
import io.rematch.prob.*;
import io.rematch.numeric.*;
import org.ejml.data.DMatrixRMaj;
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

// --- Theorem 1 (Eq. 9-10) by enumeration ------------------------------------------------
// One query X with K = 5 candidates; candidate 0 is its true partner y*. h(X) is the softmax
// of its scores (Eq. 1), and the ordinary loss is cross-entropy, L(h(X), y) = -log h_y.
int K = 5;
DMatrixRMaj queryScores = new DMatrixRMaj(new double[][] {{0.9, 0.5, 0.3, 0.2, -0.1}});
double[] h = MatchingProbabilities.imageToText(queryScores, 0.2, Mode.STABLE).data;
double[] ce = new double[K];
for (int y = 0; y < K; y++) ce[y] = -Math.log(h[y]);
printf("h(X) = [%.4f, %.4f, %.4f, %.4f, %.4f]%n", h[0], h[1], h[2], h[3], h[4]);
printf("L(h(X), y* = 0) = %.6f%n", ce[0]);

// A complementary label set Ybar names C candidates that are NOT the partner. Eq. 10, with
// the paper's N = the number of candidates (here K):
//   Lbar(h(X), Ybar) = -(K-C-1)/C sum_{y in Ybar} L(h(X), y) + sum_{y not in Ybar} L(h(X), y)
// Theorem 1 (Eq. 9): over a uniformly random Ybar of size C, E[Lbar] = L(h(X), y*).
// Eq. 13: with MAE on a probability vector, L(h(X), y) = |e_y - h(X)|_1 = 2 (1 - h_y), and
// as the h_y sum to 1, Eq. 10 collapses to Lbar = alpha sum_{y in Ybar} h_y with
// alpha = 2(K-1)/C: the constant Z of Eq. 13 is 0.
double[] mae = new double[K];
for (int y = 0; y < K; y++) mae[y] = 2 * (1 - h[y]);

// Enumerate all 15 sets Ybar among the wrong candidates {1, 2, 3, 4}, of every size C = 1..4
// (bit y-1 of `bits` says whether candidate y is in Ybar); print the 6 sets with C = 2.
double[] total = new double[K];
int[] sets = new int[K];
double lowest = Double.POSITIVE_INFINITY, worst = 0;
for (int bits = 1; bits < 16; bits++) {
    boolean[] flags = new boolean[K];
    double inSet = 0;
    String members = "";
    for (int y = 1; y < K; y++) {
        flags[y] = (bits >> (y - 1) & 1) == 1;
        if (!flags[y]) continue;
        inSet += h[y];
        members += (members.isEmpty() ? "" : ", ") + y;
    }
    int c = Integer.bitCount(bits);
    double lbar = ComplementaryRisk.complementaryLoss(ce, flags);
    if (c == 2) printf("  Ybar = {%s}: Lbar = %+.6f%n", members, lbar);
    total[c] += lbar;
    sets[c]++;
    lowest = Math.min(lowest, lbar);
    double lbarMae = ComplementaryRisk.complementaryLoss(mae, flags);
    worst = Math.max(worst, Math.abs(lbarMae - ComplementaryRisk.maeCoefficient(K, c) * inSet));
}
printf("average over the %d sets with C = 2: %.6f%n", sets[2], total[2] / sets[2]);
for (int c = 1; c < K; c++) {
    check(Math.abs(total[c] / sets[c] - ce[0]) < 1e-12,
            "Eq. 9, C = " + c + ": the mean Lbar of its " + sets[c] + " set(s) = L(h(X), y*)");
}
// Unbiased is not the same as well behaved: unlike an ordinary loss, a single Lbar can be
// negative (the MAE form, Eq. 13, never is).
check(lowest < 0, "some complementary losses are negative");
check(worst < 1e-14, "Eq. 13: Lbar_MAE = 2(K-1)/C sum_{Ybar} h_y for all 15 sets (1e-14)");

// The same identity for a batch of N = 6 pairs, with the losses of every candidate in both
// directions and the complementary labels of each anchor: Eq. 12 (with its 1/N) equals
// alpha times Eq. 14, the CCL loss with the MAE term. With all C = N-1 = 5 negatives
// alpha = 2; with C = 3 random negatives per anchor alpha = 2*5/3 = 3.33.
int N = 6;
double tau = 0.1;
SplittableRandom rng = new SplittableRandom(11);
DMatrixRMaj S = new DMatrixRMaj(N, N);
for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) S.set(i, j, (i == j ? 0.5 : 0.1) + 0.2 * rng.nextGaussian());
}
DMatrixRMaj pV2T = MatchingProbabilities.imageToText(S, tau, Mode.STABLE);
DMatrixRMaj pT2V = MatchingProbabilities.textToImage(S, tau, Mode.STABLE);
// Loss of every candidate: cross-entropy -log p, or MAE 2(1 - p).
DMatrixRMaj lossesOf(DMatrixRMaj p, boolean crossEntropy) {
    DMatrixRMaj l = new DMatrixRMaj(p.numRows, p.numCols);
    for (int k = 0; k < p.data.length; k++) {
        l.data[k] = crossEntropy ? -Math.log(p.data[k]) : 2 * (1 - p.data[k]);
    }
    return l;
}
DMatrixRMaj ceV2T = lossesOf(pV2T, true), ceT2V = lossesOf(pT2V, true);
DMatrixRMaj maeV2T = lossesOf(pV2T, false), maeT2V = lossesOf(pT2V, false);
for (PairMask mask : new PairMask[] {PairMask.offDiagonal(N), Negatives.ratio(0.5, 3).draw(N)}) {
    int c = mask.rowCount(0);
    double eq12 = ComplementaryRisk.empiricalRisk(maeV2T, maeT2V, mask);
    double eq14 = new ComplementaryContrastiveLoss(ComplementaryBound.mae(), tau,
            Negatives.fixed(mask), Mode.STABLE).evaluate(S).value();
    double a = ComplementaryRisk.maeCoefficient(N, c);
    printf("C = %d: Eq. 12 (MAE) = %.6f, alpha = %.4f, alpha * Eq. 14 = %.6f%n",
            c, eq12, a, a * eq14);
    check(Math.abs(eq12 - a * eq14) < 1e-12 && a == 2.0 * (N - 1) / c && (c == 5 || c == 3),
            "C = " + c + ": Eq. 12 (MAE) = alpha * L_mae (Eq. 14), alpha = 2(N-1)/C");
}

// --- Eq. 11 vs Eq. 12 ------------------------------------------------------------------
// Eq. 11 groups the anchors by the size c of their complementary set, weighting group c by
// qbar_c = (anchors with c negatives) / N; Eq. 12 averages over the anchors directly. With
// set sizes 1, 2, 3, 4, 5, 5 (cross-entropy losses) both give the same number.
DMatrixRMaj unevenMask = new DMatrixRMaj(N, N);
for (int k = 0; k < N; k++) {
    for (int j = 1; j <= Math.min(k + 1, N - 1); j++) unevenMask.set(k, (k + j) % N, 1);
}
PairMask uneven = PairMask.of("unevenMask", unevenMask);
double eq11 = ComplementaryRisk.stratifiedRisk(ceV2T, ceT2V, uneven);
double eq12 = ComplementaryRisk.empiricalRisk(ceV2T, ceT2V, uneven);
printf("Eq. 11 = %.12f%nEq. 12 = %.12f%n", eq11, eq12);
check(uneven.rowCount(0) == 1 && uneven.rowCount(4) == 5 && uneven.rowCount(5) == 5,
        "the set sizes are 1..5 and 5");
check(Math.abs(eq11 - eq12) < 1e-12, "Eq. 11 = Eq. 12 (1e-12)");

// Theorem 1 for a batch: with random complementary labels (here C = 2 per anchor), Eq. 12
// is an unbiased but noisy estimate of the ordinary risk, the InfoNCE loss of Eq. 8.
double infoNce = new ContrastiveLoss(tau, Mode.STABLE).evaluate(S).value();
Negatives twoPerAnchor = Negatives.ratio(0.4, 5); // floor(0.4 * 6) = 2 negatives per anchor
int draws = 20000;
double riskSum = 0, riskSumSq = 0;
for (int d = 0; d < draws; d++) {
    double r = ComplementaryRisk.empiricalRisk(ceV2T, ceT2V, twoPerAnchor.draw(N));
    riskSum += r;
    riskSumSq += r * r;
}
double mean = riskSum / draws;
double spread = Math.sqrt((riskSumSq - draws * mean * mean) / (draws - 1)); // one estimate
double standardError = spread / Math.sqrt(draws);
printf("InfoNCE (Eq. 8) = %.5f%n", infoNce);
printf("Eq. 12, C = 2: mean of %d masks = %.5f (s.e. %.5f), s.d. of one = %.3f%n",
        draws, mean, standardError, spread);
check(twoPerAnchor.draw(N).rowCount(0) == 2, "the random masks have C = 2 negatives per anchor");
check(Math.abs(mean - infoNce) < 4 * standardError, "mean of Eq. 12 = InfoNCE (within 4 s.e.)");
// With all C = N-1 negatives the weight -(N-C-1)/C in Eq. 10 is 0, so Lbar is the true
// label's loss itself and Eq. 12 IS InfoNCE, trusting every given pair. RCL therefore puts
// the noise-tolerant MAE into Eq. 12 (Eq. 13-14) and uses all negatives with its bounds.
double allNegatives = ComplementaryRisk.empiricalRisk(ceV2T, ceT2V, PairMask.offDiagonal(N));
printf("Eq. 12, C = N-1 = 5, cross-entropy = %.12f%n", allNegatives);
check(Math.abs(allNegatives - infoNce) < 1e-12, "Eq. 12 with all negatives = InfoNCE (1e-12)");
/exit

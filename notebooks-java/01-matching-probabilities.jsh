// Notebook 1: matching probabilities (RCL, Hu et al., TPAMI 2023, Section 3.2, Eq. 1-5).
// Run from the project root:  mvn -q package -DskipTests
//   jshell --class-path "target/classes:target/lib/*" notebooks-java/01-matching-probabilities.jsh
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
void show(String title, DMatrixRMaj m) {
    System.out.println(title);
    for (int i = 0; i < m.numRows; i++) {
        for (int j = 0; j < m.numCols; j++) printf("%9.4f", m.get(i, j));
        System.out.println();
    }
}
double rowSum(DMatrixRMaj m, int i) {
    double s = 0;
    for (int j = 0; j < m.numCols; j++) s += m.get(i, j);
    return s;
}

// --- Eq. 1-2 ----------------------------------------------------------------------------
// S[i][j] is the similarity of image V_i and text T_j; the diagonal holds the given pairs.
DMatrixRMaj S = new DMatrixRMaj(new double[][] {
        {0.80, 0.10, 0.30, 0.05},
        {0.20, 0.70, 0.15, 0.40},
        {0.35, 0.05, 0.60, 0.25},
        {0.00, 0.45, 0.20, 0.75}});
double tau = 0.1; // RCL trains with 0.05; 0.1 keeps the numbers readable
show("S (rows: images, columns: texts)", S);

// Eq. 1: image V_i queries the texts, p^{v2t}_ij = e^{S_ij/tau} / sum_l e^{S_il/tau}.
DMatrixRMaj pV2T = MatchingProbabilities.imageToText(S, tau, Mode.STABLE);
show("Eq. 1, p^{v2t} (row i: image i over the 4 texts)", pV2T);
// Eq. 2: text T_i queries the images. The paper prints e^{S_jl/tau} in the denominator, but a
// distribution over images sums over the image index, sum_l e^{S_li/tau}: row i of p^{t2v}
// is the softmax of column i of S.
DMatrixRMaj pT2V = MatchingProbabilities.textToImage(S, tau, Mode.STABLE);
show("Eq. 2, p^{t2v} (row i: text i over the 4 images)", pT2V);

boolean rowsSumToOne = true;
for (int i = 0; i < 4; i++) {
    rowsSumToOne &= Math.abs(rowSum(pV2T, i) - 1) < 1e-12;
    rowsSumToOne &= Math.abs(rowSum(pT2V, i) - 1) < 1e-12;
}
check(rowsSumToOne, "every row of p^{v2t} and of p^{t2v} sums to 1 (to 1e-12)");

// Eq. 2 by hand for text 3 and image 1, from column 3 of S.
double z3 = 0;
for (int l = 0; l < 4; l++) z3 += Math.exp(S.get(l, 3) / tau);
double byHand = Math.exp(S.get(1, 3) / tau) / z3;
printf("p^{t2v}_31 by hand = %.6f, library = %.6f%n", byHand, pT2V.get(3, 1));
check(Math.abs(byHand - pT2V.get(3, 1)) < 1e-15, "Eq. 2 normalises over the images (column of S)");
boolean diagonalWins = true;
for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 4; j++) {
        if (j == i) continue;
        diagonalWins &= pV2T.get(i, i) > pV2T.get(i, j) && pT2V.get(i, i) > pT2V.get(i, j);
    }
}
check(diagonalWins, "each query gives its own partner (the diagonal) the largest probability");

// --- Stable vs faithful -----------------------------------------------------------------
// STABLE subtracts the row maximum before exponentiating; FAITHFUL computes e^{S/tau} as the
// RCL release does and adds 1e-10 to the denominator. On ordinary scores they agree.
DMatrixRMaj pFaithful = MatchingProbabilities.imageToText(S, tau, Mode.FAITHFUL);
double maxDiff = 0;
for (int k = 0; k < 16; k++) {
    maxDiff = Math.max(maxDiff, Math.abs(pFaithful.data[k] - pV2T.data[k]));
}
printf("max |faithful - stable| on S = %.2e%n", maxDiff);
check(maxDiff < 1e-12, "stable and faithful agree to 1e-12 on S");

// With a small temperature (or unnormalised dot products) S/tau exceeds 709 and
// e^{S/tau} overflows to infinity. At tau = 0.001 rows 0 and 3 reach S/tau = 800 and 750:
// their faithful probabilities become NaN (inf / inf); rows 1 and 2 (700, 600) survive.
double tinyTau = 0.001;
check(S.get(0, 0) / tinyTau > 709 && S.get(3, 3) / tinyTau > 709 && S.get(1, 1) / tinyTau < 709,
        "at tau = 0.001 rows 0 and 3 exceed S/tau = 709, rows 1 and 2 do not");
DMatrixRMaj hotFaithful = MatchingProbabilities.imageToText(S, tinyTau, Mode.FAITHFUL);
DMatrixRMaj hotStable = MatchingProbabilities.imageToText(S, tinyTau, Mode.STABLE);
show("tau = 0.001, FAITHFUL", hotFaithful);
show("tau = 0.001, STABLE", hotStable);
check(Double.isNaN(hotFaithful.get(0, 0)) && Double.isNaN(hotFaithful.get(3, 3)),
        "faithful p^{v2t}_00 and p^{v2t}_33 are NaN (S/tau > 709)");
check(Math.abs(rowSum(hotFaithful, 1) - 1) < 1e-12, "faithful row 1 (S/tau = 700) sums to 1");
check(Math.abs(rowSum(hotStable, 0) - 1) < 1e-12 && Math.abs(rowSum(hotStable, 3) - 1) < 1e-12,
        "stable rows 0 and 3 still sum to 1 at tau = 0.001");

// --- Eq. 3-5: Monte Carlo partition function ------------------------------------------
// One image scored against N_t = 1000 training texts. Z = sum_l e^{S_l/tau} over all of them
// is expensive; Eq. 3 estimates it from N texts drawn at random:
//   Z ~ (N_t/N) sum_k e^{S_jk/tau}.
int nt = 1000;
SplittableRandom rng = new SplittableRandom(2023);
double[] row = new double[nt];
for (int l = 0; l < nt; l++) row[l] = 0.3 * (2 * rng.nextDouble() - 1); // in [-0.3, 0.3]
double zExact = PartitionFunction.exact(row, tau);
printf("%nexact Z = %.3f%n", zExact);
printf("%5s %12s %12s %12s %14s%n", "N", "one estimate", "mean of 20k", "variance", "N_t^2 s^2/N");
int[] sizes = {4, 16, 64};
int draws = 20000;
double[] mean = new double[3], variance = new double[3], theory = new double[3];
for (int s = 0; s < 3; s++) {
    int n = sizes[s];
    double one = PartitionFunction.monteCarlo(row, tau, n, rng).value();
    double sum = 0, sumSq = 0;
    for (int d = 0; d < draws; d++) {
        double z = PartitionFunction.monteCarlo(row, tau, n, rng).value();
        sum += z;
        sumSq += z * z;
    }
    mean[s] = sum / draws;
    variance[s] = (sumSq - draws * mean[s] * mean[s]) / (draws - 1);
    theory[s] = PartitionFunction.estimatorVariance(row, tau, n);
    printf("%5d %12.1f %12.1f %12.0f %14.0f%n", n, one, mean[s], variance[s], theory[s]);
}
// Unbiased: the mean of 20000 estimates lies within 4 standard errors of the exact Z. The
// spread is the theoretical N_t^2 sigma^2 / N, sigma^2 the variance of e^{S_l/tau} over l.
for (int s = 0; s < 3; s++) {
    String n = "N = " + sizes[s] + ": ";
    double standardError = Math.sqrt(theory[s] / draws);
    check(Math.abs(mean[s] - zExact) < 4 * standardError, n + "mean = exact Z (within 4 s.e.)");
    check(Math.abs(variance[s] / theory[s] - 1) < 0.05, n + "variance = N_t^2 sigma^2 / N (5%)");
}
// Variance falls like 1/N: four times the samples, a quarter of the variance.
double ratio1 = variance[0] / variance[1], ratio2 = variance[1] / variance[2];
printf("var(4)/var(16) = %.2f, var(16)/var(64) = %.2f%n", ratio1, ratio2);
check(Math.abs(ratio1 - 4) < 0.4 && Math.abs(ratio2 - 4) < 0.4, "variance ratios are 4 (+-0.4)");

// Eq. 4: plugging the estimate into the softmax gives an estimated p^{v2t} for text j = 0.
// Eq. 5 is the same for a text query. Since N_t/N is a constant, RCL uses the batch softmax.
double pExact = Math.exp(row[0] / tau) / zExact;
double pHat = PartitionFunction.estimatedProbability(row, 0, tau, 64, new SplittableRandom(7));
printf("Eq. 4: p_0 exact = %.3e, estimated with N = 64: %.3e%n", pExact, pHat);
// One estimate of Z with N = 64 has a relative standard error of about 18%, and
// p_0 = e^{S_0/tau} / Z inherits roughly that error.
double relativeError = Math.sqrt(theory[2]) / zExact;
printf("relative standard error of one N = 64 estimate of Z: %.1f%%%n", 100 * relativeError);
check(relativeError > 0.17 && relativeError < 0.19, "N = 64: relative s.e. of Z is about 18%");
check(Math.abs(pHat / pExact - 1) < 3 * relativeError, "N = 64: p_0 estimate within 3 s.e.");

// --- The estimate converging, plotted -------------------------------------------------
// Three independent runs: at each N from 1 to 1024 (doubling) one estimate of Z, divided by
// the exact Z, against the band 1 +- 2 theoretical standard errors, which narrows like
// 1/sqrt(N). (The estimator is a sum of positive terms and skewed at small N: the lower edge
// of a symmetric band would go below 0, so it is floored there.)
int steps = 11;
double[] ns = new double[steps], upper = new double[steps], lower = new double[steps];
double[][] runs = new double[3][steps];
for (int k = 0; k < steps; k++) {
    int n = 1 << k;
    ns[k] = n;
    double se = Math.sqrt(PartitionFunction.estimatorVariance(row, tau, n)) / zExact;
    upper[k] = 1 + 2 * se;
    lower[k] = Math.max(0, 1 - 2 * se);
}
for (int run = 0; run < 3; run++) {
    SplittableRandom plotRng = new SplittableRandom(5 + run);
    for (int k = 0; k < steps; k++) runs[run][k] = PartitionFunction.monteCarlo(row, tau, 1 << k, plotRng).value() / zExact;
}
Map<String, io.rematch.experiment.Charts.Series> lines = new LinkedHashMap<>();
for (int run = 0; run < 3; run++) lines.put("run " + (run + 1), new io.rematch.experiment.Charts.Series(ns, runs[run], null));
lines.put("1 + 2 s.e.", new io.rematch.experiment.Charts.Series(ns, upper, null));
lines.put("1 - 2 s.e. (floored at 0)", new io.rematch.experiment.Charts.Series(ns, lower, null));
java.nio.file.Path plots = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "notebooks"));
java.nio.file.Path png = plots.resolve("01-monte-carlo-z.png");
io.rematch.experiment.Charts.save(io.rematch.experiment.Charts.lines("Eq. 3: Monte Carlo estimate / exact Z",
        "N (sampled texts, log scale)", "estimate / Z", lines, true, true), png);
System.out.println("wrote " + png);
double seLast = Math.sqrt(PartitionFunction.estimatorVariance(row, tau, 1024));
printf("N = 1024: the three estimates / Z = %.3f, %.3f, %.3f; s.e. %.1f%% of Z%n", runs[0][steps - 1],
        runs[1][steps - 1], runs[2][steps - 1], 100 * seLast / zExact);
check(seLast / zExact < 0.05, "at N = 1024 the standard error is below 5% of Z");
for (int run = 0; run < 3; run++) {
    check(Math.abs(runs[run][steps - 1] - 1) < 4 * seLast / zExact, "run " + (run + 1) + ": the N = 1024 estimate is within 4 s.e. of Z");
}
/exit

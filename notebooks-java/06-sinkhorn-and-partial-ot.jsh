// Notebook 6: entropic optimal transport on a 6 x 6 example. Balanced Sinkhorn (Cuturi, NIPS
// 2013) and entropic partial OT (Benamou et al., SIAM J. Sci. Comput. 2015), the two problems
// under L2RM's rematching (Han et al., CVPR 2024, Sec. 3.2); docs/ot.md is the reference.
// Run from the project root:  bin/notebook 06
//   (or: mvn -q package -DskipTests, then
//    jshell --class-path "target/classes:target/lib/*" notebooks-java/06-sinkhorn-and-partial-ot.jsh)
import io.rematch.experiment.Charts;
import io.rematch.ot.*;
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
// A plan in percent of the total mass 1, with its row sums on the right and column sums below.
void showPlan(String title, TransportResult r) {
    System.out.println(title + " (x 100; right: row sums, below: column sums)");
    double[] rows = r.rowSums(), cols = r.colSums();
    for (int i = 0; i < rows.length; i++) {
        for (int j = 0; j < cols.length; j++) printf("%7.2f", 100 * r.plan().get(i, j));
        printf("  | %6.2f%n", 100 * rows[i]);
    }
    for (double c : cols) printf("%7.2f", 100 * c);
    printf("%n  mass %.12f, %d iterations, converged %b, last error %.2e%n",
            r.mass(), r.iterations(), r.converged(), r.error());
}
// The largest entry-wise difference of two plans, relative to the largest entry of the first.
double relativeGap(DMatrixRMaj fast, DMatrixRMaj other) {
    double gap = 0, largest = 0;
    for (int k = 0; k < fast.data.length; k++) {
        gap = Math.max(gap, Math.abs(fast.data[k] - other.data[k]));
        largest = Math.max(largest, Math.abs(fast.data[k]));
    }
    return gap / largest;
}
double entropy(DMatrixRMaj p) { // H(pi) = -sum pi log pi (0 log 0 = 0)
    return -Arrays.stream(p.data).filter(x -> x > 0).map(x -> x * Math.log(x)).sum();
}

// --- The problem -------------------------------------------------------------------------
// Six images (rows) and six captions (columns), a hand-written cost, each pair's own caption on
// the diagonal: pairs 0 and 1 look alike (their cross costs 0.25 and 0.30 are low), so do
// pairs 2 and 3; pair 4 stands alone; image 5 and caption 5 are unrelated to everything, each
// other included (cost 0.80 and more): the kind of pair L2RM would rather not transport at all.
double[][] c = {
        {0.02, 0.30, 0.90, 0.95, 1.00, 1.20},
        {0.25, 0.02, 0.85, 0.90, 0.95, 1.20},
        {0.90, 0.85, 0.15, 0.35, 0.90, 1.10},
        {0.95, 0.90, 0.30, 0.15, 0.85, 1.15},
        {1.00, 0.95, 0.90, 0.80, 0.20, 1.10},
        {1.20, 1.15, 1.10, 1.20, 1.05, 0.80}};
DMatrixRMaj C = new DMatrixRMaj(c);
int n = 6;
double[] a = new double[n];
Arrays.fill(a, 1.0 / n);
double[] b = a.clone();
// Unregularised OT with uniform marginals is an assignment (Birkhoff): the best of the 6! = 720
// permutations, divided by n. Enumerated: it is the diagonal, <C, pi*> = 1.34 / 6.
int[] perm = {0, 1, 2, 3, 4, 5}, bestPerm = null;
double ot = Double.MAX_VALUE;
void permute(int k) { // recursively: each remaining index swapped into place k
    double s = 0;
    for (int i = 0; k == n && i < n; i++) s += c[i][perm[i]] / n;
    if (k == n && s < ot) { ot = s; bestPerm = perm.clone(); }
    for (int i = k; i < n; i++) {
        int t = perm[k]; perm[k] = perm[i]; perm[i] = t;
        permute(k + 1);
        t = perm[k]; perm[k] = perm[i]; perm[i] = t;
    }
}
permute(0);
printf("optimal assignment %s, <C, pi*> = %.6f%n", Arrays.toString(bestPerm), ot);
check(Arrays.equals(bestPerm, new int[] {0, 1, 2, 3, 4, 5}) && Math.abs(ot - 1.34 / 6) < 1e-15,
        "the optimal assignment is the diagonal, <C, pi*> = 1.34 / 6");

// --- Balanced: Sinkhorn-Knopp and its log-domain twin ------------------------------------
// min <C, pi> - reg H(pi) over pi 1 = a, pi^T 1 = b: pi = diag(u) K diag(v), K = e^{-C/reg};
// v <- b / K^T u, then u <- a / K v, until ||pi^T 1 - b||_2 < 1e-9 ||b||_1 (checked every 10th).
double reg = 0.1;
TransportResult sk = new SinkhornKnopp(reg).solve(C, a, b);
showPlan("Sinkhorn-Knopp, reg 0.1", sk);
double rowGap = 0, colGap2 = 0;
for (int i = 0; i < n; i++) {
    rowGap = Math.max(rowGap, Math.abs(sk.rowSums()[i] - a[i]));
    colGap2 += Math.pow(sk.colSums()[i] - b[i], 2);
}
printf("max |pi 1 - a| = %.1e, ||pi^T 1 - b||_2 = %.1e%n", rowGap, Math.sqrt(colGap2));
check(sk.converged(), "Sinkhorn-Knopp converged (in " + sk.iterations() + " iterations)");
check(rowGap < 1e-15, "rows: pi 1 = a to 1e-15 (u is updated last, so the rows hold exactly)");
check(Math.sqrt(colGap2) < 1e-9, "columns: ||pi^T 1 - b||_2 < 1e-9 (the stopping rule)");
// The log-domain form keeps f = log u, g = log v and replaces each product by a log-sum-exp:
// the same iterates, so the same plan, stopped at the same iteration.
TransportResult ls = new LogSinkhorn(reg).solve(C, a, b);
printf("log domain: %d iterations, plan within %.1e of Sinkhorn-Knopp's (relative)%n",
        ls.iterations(), relativeGap(sk.plan(), ls.plan()));
check(ls.converged() && ls.iterations() == sk.iterations() && relativeGap(sk.plan(), ls.plan()) < 1e-12,
        "LogSinkhorn: converged at the same iteration, the same plan to 1e-12");
// Reading the plan: entropy blurs each look-alike group, and group 2-3 more than group 0-1,
// whose swap costs more (0.30 + 0.25 - 2 x 0.02 = 0.51 against 0.35 + 0.30 - 2 x 0.15 = 0.35).
// The unrelated pair must be transported anyway: row 5 sends 99% of its mass to caption 5.
DMatrixRMaj P = sk.plan();
check(Math.abs(c[0][1] + c[1][0] - c[0][0] - c[1][1] - 0.51) < 1e-12 &&
        Math.abs(c[2][3] + c[3][2] - c[2][2] - c[3][3] - 0.35) < 1e-12 && P.get(2, 3) > 2 * P.get(0, 1),
        "the swaps cost 0.51 and 0.35; pi_23 > 2 pi_01: the cheaper swap blurs more");
check(P.get(5, 5) > 0.99 * a[5], "balanced: row 5 must send its 1/6, 99% of it to caption 5");

// --- Partial: move only the mass m = 0.5 --------------------------------------------------
// min <C, pi> - reg H(pi) over pi 1 <= a, pi^T 1 <= b, 1^T pi 1 = m: POT's three KL
// projections (rows, columns, mass) with Dykstra's corrections, which reduce to
// pi = gamma diag(alpha) K diag(beta) with alpha, beta <= 1 (docs/ot.md, "Derivation").
double m = 0.5;
TransportResult pt = new EntropicPartialTransport(reg, m).solve(C, a, b);
showPlan("Entropic partial OT, reg 0.1, m = 0.5", pt);
double rowExcess = pt.maxRowExcess(a), colExcess = pt.maxColExcess(b);
printf("largest row excess %.1e, column excess %.1e, |mass - m| = %.1e%n",
        rowExcess, colExcess, Math.abs(pt.mass() - m));
check(pt.converged(), "partial OT converged (in " + pt.iterations() + " iterations)");
check(rowExcess <= 1e-9 * m && colExcess <= 1e-9 * m, "rows <= a and columns <= b (to 1e-9 m)");
check(Math.abs(pt.mass() - m) < 1e-12, "the plan carries mass m = 0.5 (to 1e-12)");
// The cheapest pairs are served first: pairs 0 and 1 (own cost 0.02) are filled, captions 0 and
// 1 to their caps (their constraints active, beta < 1) and images 0 and 1 to within 1e-5 (a row
// whose own constraint is inactive may stay just below it); pairs 2, 3, 4 share the rest; the
// unrelated pair 5 is left out (under 0.1% of a_5).
check(Math.abs(pt.colSums()[0] - b[0]) < 1e-12 && Math.abs(pt.colSums()[1] - b[1]) < 1e-12,
        "columns 0 and 1 are full (1e-12)");
check(a[0] - pt.rowSums()[0] < 1e-5 && a[1] - pt.rowSums()[1] < 1e-5, "rows 0 and 1 are within 1e-5 of full");
check(pt.rowSums()[2] < 0.5 * a[2] && pt.rowSums()[4] < pt.rowSums()[2], "rows 2 and 4 are under half full, 4 below 2");
check(pt.rowSums()[5] < 1e-3 * a[5] && pt.colSums()[5] < 1e-3 * b[5], "row 5 and column 5 carry < 0.1% of their mass");

// --- The literal forms beside the fast solvers --------------------------------------------
// LiteralSinkhorn and LiteralPartialTransport are the equations as plain loops over double[][]
// (the kernel e^{-C/reg} unshifted, POT's dense Dykstra corrections), a fixed iteration count.
// Tolerance 0 makes a fast solver run exactly that count: the plans agree to rounding.
int its = 300;
Stopping fixed = new Stopping(Stopping.Rule.MARGINALS, 0, its);
double gapScaling = relativeGap(new SinkhornKnopp(reg, fixed).solve(C, a, b).plan(),
        new DMatrixRMaj(LiteralSinkhorn.scaling(c, a, b, reg, its)));
double gapLog = relativeGap(new LogSinkhorn(reg, fixed).solve(C, a, b).plan(),
        new DMatrixRMaj(LiteralSinkhorn.logDomain(c, a, b, reg, its)));
double gapPartial = relativeGap(new EntropicPartialTransport(reg, m, fixed).solve(C, a, b).plan(),
        new DMatrixRMaj(LiteralPartialTransport.plan(c, a, b, reg, m, its)));
printf("300 iterations, fast vs literal (relative to the largest entry): scaling %.1e, log %.1e, partial %.1e%n",
        gapScaling, gapLog, gapPartial);
check(gapScaling < 1e-12 && gapLog < 1e-12 && gapPartial < 1e-12, "each literal form = its fast solver to 1e-12");

// --- reg: from a blur to the assignment ---------------------------------------------------
// 13 values of reg from 1 down to 0.001 (four per decade), log-domain Sinkhorn (valid at every
// reg). The sweep asks for marginals to 1e-7, not 1e-9: where the mass off the assignment is of
// the order of the tolerance (reg ~ 0.06 to 0.02 here) Sinkhorn crawls (see the iterations),
// and at 1e-9 reg 0.03 is not done after a million. From reg 0.01 down one iteration suffices.
check(!new LogSinkhorn(0.0316, new Stopping(Stopping.Rule.MARGINALS, 1e-9, 1_000_000)).solve(C, a, b).converged(),
        "reg 0.0316, marginals to 1e-9: not converged after 1,000,000 iterations");
int steps = 13;
double[] regs = new double[steps], H = new double[steps], cost = new double[steps];
int[] iters = new int[steps];
boolean allConverged = true, monotone = true, bounded = true;
printf("%n%8s %9s %10s %10s %12s %14s%n", "reg", "iters", "H(pi)", "<C, pi>", "excess", "reg(H - log 6)");
for (int k = 0; k < steps; k++) {
    regs[k] = Math.pow(10, -k / 4.0);
    TransportResult r = new LogSinkhorn(regs[k], new Stopping(Stopping.Rule.MARGINALS, 1e-7, 5_000_000)).solve(C, a, b);
    H[k] = entropy(r.plan());
    cost[k] = r.cost(C);
    iters[k] = r.iterations();
    allConverged &= r.converged();
    if (k > 0) monotone &= H[k] <= H[k - 1] + 1e-12 && cost[k] <= cost[k - 1] + 1e-12;
    // pi_reg minimises <C, pi> - reg H(pi) and pi* = I/6 is feasible with H = log 6, so
    // 0 <= <C, pi_reg> - <C, pi*> <= reg (H(pi_reg) - log 6) (to rounding: 1e-12)
    double excess = cost[k] - ot, bound = regs[k] * (H[k] - Math.log(n));
    bounded &= excess >= -1e-12 && excess <= bound + 1e-12;
    printf("%8.4f %9d %10.6f %10.6f %12.3e %14.3e%n", regs[k], iters[k], H[k], cost[k], excess, bound);
}
check(allConverged, "all 13 solves converged (marginals to 1e-7)");
check(monotone, "as reg decreases, H(pi) and <C, pi> never increase");
check(bounded, "at every reg: 0 <= <C, pi> - OT <= reg (H(pi) - log 6)");
check(iters[6] > 100 * iters[4], "reg 0.03 needs over 100 times the iterations of reg 0.1");
check(Arrays.stream(iters, 8, steps).allMatch(i -> i == 1), "at reg 0.01 and below one iteration meets the tolerance");
check(H[0] > 0.98 * 2 * Math.log(n) && H[12] - Math.log(n) < 1e-9 && cost[12] - ot < 1e-12,
        "reg 1: H within 2% of 2 log 6 (the independent plan); reg 0.001: the assignment (H = log 6)");
// The picture: two panels against 1/reg (so that a smaller reg is further right), the entropy
// between log 6 (a permutation) and 2 log 6 (a b^T), and the cost between the assignment's and
// the independent plan's (the mean cost).
double meanCost = Arrays.stream(C.data).sum() / (n * n);
double[] inverse = Arrays.stream(regs).map(r -> 1 / r).toArray();
Charts.Series level(double y) {
    double[] v = new double[steps];
    Arrays.fill(v, y);
    return new Charts.Series(inverse, v, null);
}
Map<String, Charts.Series> left = new LinkedHashMap<>(), right = new LinkedHashMap<>();
left.put("H(pi)", new Charts.Series(inverse, H, null));
left.put("2 log 6: a b^T", level(2 * Math.log(n)));
left.put("log 6: a permutation", level(Math.log(n)));
right.put("<C, pi>", new Charts.Series(inverse, cost, null));
right.put("<C, a b^T>", level(meanCost));
right.put("assignment OT", level(ot));
Path png = Files.createDirectories(Path.of("target", "notebooks")).resolve("06-reg-sweep.png");
Charts.save(Charts.grid(List.of(
        Charts.lines("Entropy of the Sinkhorn plan", "1 / reg (log scale)", "H(pi) (nats)", left, true, true),
        Charts.lines("Transport cost of the Sinkhorn plan", "1 / reg (log scale)", "<C, pi>", right, true, true)),
        2), png);
System.out.println("wrote " + png);

// --- Why the log domain: reg = 0.001 --------------------------------------------------------
// Row 5's cheapest cost is 0.80: e^{-0.80/0.001} = e^{-800} underflows to 0 (below e^{-745}),
// the whole row of the literal kernel is 0, u_5 = a_5 / 0 = infinity, and the plan is NaN.
// The log form only ever adds -C/reg to potentials and exponentiates at the end: finite.
double tiny = 0.001;
check(Math.exp(-0.80 / tiny) == 0 && Math.exp(-0.02 / tiny) > 0, "e^{-800} = 0 in double, e^{-20} is not");
double[][] literalScaling = LiteralSinkhorn.scaling(c, a, b, tiny, 50);
DMatrixRMaj literalLog = new DMatrixRMaj(LiteralSinkhorn.logDomain(c, a, b, tiny, 50));
printf("reg 0.001, 50 iterations: scaling pi_55 = %s, log-domain pi_55 = %.12f%n",
        literalScaling[5][5], literalLog.get(5, 5));
check(Double.isNaN(literalScaling[5][5]), "literal scaling form at reg 0.001: NaN");
DMatrixRMaj assignment = new DMatrixRMaj(n, n);
for (int i = 0; i < n; i++) assignment.set(i, i, 1.0 / n);
check(relativeGap(assignment, literalLog) < 1e-12, "literal log form at reg 0.001: finite, the assignment I/6 to 1e-12");
// SinkhornKnopp shifts its kernel by min C (0.02), which saves rows whose costs are within 708
// reg of it; row 5 is 0.78 above (780 reg > 708), so it refuses, naming reg and the way out.
String refusal = "(none)";
try { new SinkhornKnopp(tiny).solve(C, a, b); } catch (IllegalArgumentException e) { refusal = e.getMessage(); }
System.out.println("SinkhornKnopp(0.001): " + refusal);
check(refusal.contains("reg") && refusal.contains("LogSinkhorn"), "SinkhornKnopp refuses, naming reg and LogSinkhorn");
TransportResult tinyLog = new LogSinkhorn(tiny).solve(C, a, b);
check(tinyLog.converged() && relativeGap(tinyLog.plan(), literalLog) < 1e-12,
        "LogSinkhorn(0.001) converges, to the literal log form's plan (1e-12)");
/exit

package io.rematch.cli;

import io.rematch.check.Checks;
import io.rematch.cost.LearnableCost;
import io.rematch.mask.PairMask;
import io.rematch.numeric.Mode;
import io.rematch.ot.Stopping;
import io.rematch.ot.TransportResult;
import io.rematch.ot.TransportSolver;
import io.rematch.ot.Transports;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rematch ot}: an entropic optimal-transport plan for a cost matrix read from .npy, by
 * any method of {@link Transports}.
 */
@Command(name = "ot", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Rematch.Version.class,
        customSynopsis = {"rematch ot (--cost=C.npy | --cost-from-scores=S.npy) --method=METHOD",
                "                  --reg=R --out=P.npy [OPTIONS]"},
        description = {"Compute an entropic optimal-transport plan for an n x m cost matrix.",
                "",
                "Methods: sinkhorn and sinkhorn-log (balanced, as POT 0.8.2's sinkhorn_knopp and sinkhorn_log); "
                        + "partial and partial-log (transport --mass only, as POT's entropic_partial_wasserstein); "
                        + "l2rm (L2RM's masked partial OT with a dummy row and column, the diagonal forbidden).",
                "",
                "Every method stops by default when the plan meets its constraints to --tol relative to the mass "
                        + "(--stop marginals), and \"converged\": true always means that it does. A run that reaches "
                        + "--max-iter first exits 0 with a warning on standard error and \"converged\": false."})
final class OtCommand extends Subcommand {

    /** Where the cost comes from: a file, or L2RM's initial cost of a score matrix. */
    static final class CostSource {
        @Option(names = "--cost", required = true, paramLabel = "C.npy", order = 1,
                description = "The cost matrix, n rows by m columns (finite).")
        Path cost;

        @Option(names = "--cost-from-scores", required = true, paramLabel = "S.npy", order = 2,
                description = "Use L2RM's initial cost max(ReLU(1 - S), 1e-10) of a score matrix instead.")
        Path scores;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", order = 1)
    CostSource source;

    @Option(names = "--method", required = true, paramLabel = "METHOD", order = 3,
            description = "sinkhorn, sinkhorn-log, partial, partial-log or l2rm.")
    String method;

    @Option(names = "--reg", required = true, paramLabel = "R", order = 4, description = "Entropic regularisation > 0.")
    double reg;

    @Option(names = "--a", paramLabel = "a.npy", order = 5, description = "Row masses, shape (n,), >= 0 (default: 1/n each).")
    Path aPath;

    @Option(names = "--b", paramLabel = "b.npy", order = 6, description = "Column masses, shape (m,), >= 0 (default: 1/m each).")
    Path bPath;

    @Option(names = "--mass", paramLabel = "M", order = 7,
            description = "The transported mass. partial, partial-log: 0 < M, at most the smaller of the totals of "
                    + "a and b (default: that total, as in POT). l2rm: the mass that crosses the real block, below "
                    + "both totals (default: 0.1, L2RM's rho).")
    Double mass;

    @Option(names = "--mask", paramLabel = "K.npy", order = 8,
            description = "A 0/1 matrix of forbidden entries, the shape of the cost, 1 for forbidden (partial, "
                    + "partial-log, l2rm).")
    Path maskPath;

    @Option(names = "--mask-diagonal", order = 9, description = "Forbid the diagonal (the given pairs); the default for l2rm.")
    boolean maskDiagonal;

    @Option(names = "--no-mask", order = 10, description = "l2rm only: forbid nothing (as the release without noise).")
    boolean noMask;

    @Option(names = "--stop", paramLabel = "RULE", order = 11,
            description = "The stopping rule: marginals (the default: stop when the plan meets its constraints "
                    + "to --tol, relative to the mass); plan-change (partial and partial-log: POT's test on the "
                    + "change of the plan, with POT's tolerance 1e-100 unless --tol says otherwise); "
                    + "potential-change (l2rm: the release's test on the change of u, with its tolerance 1e-3; "
                    + "the default with --mode faithful).")
    String stop;

    @Option(names = "--tol", paramLabel = "T", order = 12,
            description = "The stopping tolerance of --stop (default: 1e-9 for marginals); 0 runs exactly --max-iter "
                    + "iterations.")
    Double tol;

    @Option(names = "--max-iter", paramLabel = "N", order = 13,
            description = "The iteration cap (default: 10000 for the marginals rule, which stops as soon as "
                    + "the plan is feasible; 1000, the references' cap, for the two change rules).")
    Integer maxIter;

    @Option(names = "--mode", defaultValue = "stable", paramLabel = "MODE", order = 14,
            description = "l2rm only: stable, or faithful to reproduce the L2RM release (1e-10 inside its "
                    + "log-sum-exp, its stopping rule) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--out", required = true, paramLabel = "P.npy", order = 15,
            description = "Where to write the plan (float64 .npy, the shape of the cost).")
    Path out;

    @Option(names = "--json", order = 16, description = "Print one JSON object on one line.")
    boolean json;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    Map<String, String> optionNames() {
        return Map.of("cost", source != null && source.scores != null ? "--cost-from-scores" : "--cost",
                "a", "--a", "b", "--b", "mass", "--mass", "reg", "--reg", "mask", "--mask",
                "maxIterations", "--max-iter", "tolerance", "--tol");
    }

    @Override
    String polish(String message) {
        return message.replace("--a, b: ", "--a, --b: ").replace("totals of a and b", "totals of --a and --b")
                .replace("sum a = ", "sum --a = ").replace("sum b = ", "sum --b = ");
    }

    @Override
    String memoryNeeds() {
        Path p = source == null ? null : source.cost != null ? source.cost : source.scores;
        return p == null ? null : matrixNeeds(source.cost != null ? "--cost" : "--cost-from-scores", p, 4);
    }

    @Override
    int run() {
        backendOption.choice();     // a mistyped --backend is named before any file is read
        String m = method.toLowerCase(Locale.ROOT);
        if (!Transports.METHODS.contains(m)) {
            throw new IllegalArgumentException("--method must be one of " + String.join(", ", Transports.METHODS)
                    + "; got '" + method + "'");
        }
        Checks.positive("--reg", reg);
        Mode md = Mode.parse("--mode", mode);
        if (md == Mode.FAITHFUL && !m.equals("l2rm")) {
            throw new IllegalArgumentException("--mode faithful applies to --method l2rm only (the other methods follow"
                    + " POT 0.8.2 as they are)");
        }
        boolean balanced = m.startsWith("sinkhorn");
        if (balanced) {
            refuseIfGiven("--mass", "the partial methods (partial, partial-log, l2rm); balanced transport moves all of a", m);
            for (String o : new String[] {"--mask", "--mask-diagonal", "--no-mask"}) {
                refuseIfGiven(o, "partial, partial-log and l2rm (a mask can make balanced marginals infeasible)", m);
            }
        }
        if (!m.equals("l2rm")) {
            refuseIfGiven("--no-mask", "l2rm", m);
        }
        int maskOptions = (maskDiagonal ? 1 : 0) + (maskPath != null ? 1 : 0) + (noMask ? 1 : 0);
        if (maskOptions > 1) {
            throw new IllegalArgumentException("--mask, --mask-diagonal and --no-mask exclude each other");
        }
        if (mass != null && !(mass > 0) || mass != null && Double.isInfinite(mass)) {
            throw new IllegalArgumentException("--mass must be a finite number > 0, got " + mass);
        }
        Stopping stopping = stopping(m, md);
        NpyFiles.requireWritable("--out", out);

        DMatrixRMaj c = source.cost != null ? NpyFiles.readMatrix("--cost", source.cost) : costFromScores();
        double[] a = aPath != null ? NpyFiles.readVector("--a", aPath) : uniform(c.numRows);
        double[] b = bPath != null ? NpyFiles.readVector("--b", bPath) : uniform(c.numCols);
        PairMask mask = null;
        if (maskPath != null) {
            mask = PairMask.of("--mask", NpyFiles.readMatrix("--mask", maskPath));
        } else if (maskDiagonal || (m.equals("l2rm") && !noMask)) {
            mask = PairMask.diagonal(c.numRows, c.numCols);
        }
        Transports.Settings settings = new Transports.Settings(reg, mass == null ? Double.NaN : mass, md, stopping);
        TransportSolver solver = Transports.create(m, settings);
        TransportResult r;
        try (io.rematch.backend.Backend backend = backendOption.open(this)) {
            r = backend.transport(solver).solve(c, a, b, mask);
            BackendOption.report(this, backend);
        }
        NpyFiles.writeMatrix("--out", out, r.plan());
        if (r.warning() != null) {
            warn(r.warning());
        }
        double planMass = r.mass();
        double rowExcess = r.maxRowExcess(a);
        double colExcess = r.maxColExcess(b);
        String stopText = Stopping.spelling(stopping.rule());
        if (json) {
            out().println("{\"method\": " + Json.string(m) + ", \"n\": " + c.numRows + ", \"m\": " + c.numCols
                    + ", \"reg\": " + Json.number(reg)
                    + (balanced ? "" : ", \"target_mass\": " + Json.number(targetMass(m, a, b)))
                    + (m.equals("l2rm") ? ", \"mode\": " + Json.string(md.spelling()) : "")
                    + ", \"stop\": " + Json.string(stopText) + ", \"tol\": " + Json.number(stopping.tolerance())
                    + ", \"iterations\": " + r.iterations() + ", \"err\": " + Json.number(r.error())
                    + ", \"converged\": " + r.converged() + ", \"mass\": " + Json.number(planMass)
                    + ", \"cost\": " + Json.number(r.cost(c))
                    + ", \"max_row_excess\": " + Json.number(rowExcess) + ", \"max_col_excess\": " + Json.number(colExcess)
                    + ", \"warning\": " + (r.warning() == null ? "null" : Json.string(r.warning()))
                    + ", \"out\": " + Json.string(out.toString()) + "}");
        } else {
            out().printf(Locale.ROOT, "%s: %d x %d plan written to %s%n", m, c.numRows, c.numCols, out);
            out().printf(Locale.ROOT, "  iterations %d, error %.6g (%s, tolerance %.3g), converged %s%n", r.iterations(),
                    r.error(), stopText, stopping.tolerance(), r.converged());
            out().printf(Locale.ROOT, "  mass %.12g, cost <C, P> %.12g%n", planMass, r.cost(c));
            out().printf(Locale.ROOT, "  max row excess (rowsum - a) %.3g, max column excess (colsum - b) %.3g%n", rowExcess, colExcess);
        }
        return 0;
    }

    /** The rule of --stop (or the method's default) with --tol and --max-iter. */
    private Stopping stopping(String m, Mode md) {
        Stopping s = stop == null ? Transports.defaultStopping(m, md) : switch (Stopping.parseRule("--stop", stop)) {
            case MARGINALS -> Stopping.marginals();
            case PLAN_CHANGE -> Stopping.potPartial();
            case POTENTIAL_CHANGE -> Stopping.l2rmRelease();
        };
        if (s.rule() == Stopping.Rule.PLAN_CHANGE && !m.startsWith("partial")) {
            throw new IllegalArgumentException("--stop plan-change applies to partial and partial-log, not to " + m);
        }
        if (s.rule() == Stopping.Rule.POTENTIAL_CHANGE && !m.equals("l2rm")) {
            throw new IllegalArgumentException("--stop potential-change applies to l2rm, not to " + m);
        }
        if (tol != null) {
            Checks.nonNegative("--tol", tol);
            s = s.withTolerance(tol);
        }
        if (maxIter != null) {
            Checks.atLeast("--max-iter", maxIter, 1);
            s = s.withMaxIterations(maxIter);
        }
        return s;
    }

    /** L2RM's initial cost of the scores: ReLU(1 - S), floored at 1e-10 as the release does. */
    private DMatrixRMaj costFromScores() {
        DMatrixRMaj s = Checks.finite("--cost-from-scores", NpyFiles.readMatrix("--cost-from-scores", source.scores));
        DMatrixRMaj c = new DMatrixRMaj(s.numRows, s.numCols);
        for (int k = 0; k < c.getNumElements(); k++) {
            c.data[k] = Math.max(Math.max(1.0 - s.data[k], 0.0), LearnableCost.TRANSPORT_FLOOR);
        }
        return c;
    }

    private double targetMass(String m, double[] a, double[] b) {
        if (mass != null) {
            return mass;
        }
        return m.equals("l2rm") ? io.rematch.ot.MaskedPartialTransport.DEFAULT_MASS : Math.min(sum(a), sum(b));
    }

    private static double[] uniform(int n) {
        double[] h = new double[n];
        java.util.Arrays.fill(h, 1.0 / n);
        return h;
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }
}

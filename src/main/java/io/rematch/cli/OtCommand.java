package io.rematch.cli;

import io.rematch.io.Npy;
import io.rematch.ot.EntropicPartialTransport;
import io.rematch.ot.LogEntropicPartialTransport;
import io.rematch.ot.LogSinkhorn;
import io.rematch.ot.MaskedPartialTransport;
import io.rematch.ot.SinkhornKnopp;
import io.rematch.ot.TransportMask;
import io.rematch.ot.TransportResult;
import io.rematch.prob.Mode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rematch ot}: an entropic optimal-transport plan for a cost matrix read from .npy.
 * Methods: {@code sinkhorn} ({@link SinkhornKnopp}), {@code sinkhorn-log} ({@link LogSinkhorn}),
 * {@code partial} ({@link EntropicPartialTransport}), {@code partial-log}
 * ({@link LogEntropicPartialTransport}) and {@code l2rm} ({@link MaskedPartialTransport}).
 */
@Command(name = "ot", mixinStandardHelpOptions = true,
        description = {"Entropic optimal-transport plan of an n x m cost matrix:",
                "  sinkhorn, sinkhorn-log  balanced (POT 0.8.2 sinkhorn_knopp, sinkhorn_log)",
                "  partial, partial-log    mass --mass (POT entropic_partial_wasserstein)",
                "  l2rm                    L2RM's masked partial OT (dummy row and column)",
                "Uniform marginals when --a/--b are omitted. Reaching --max-iter exits 0",
                "with a warning on stderr and \"converged\": false."})
final class OtCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cost", required = true, paramLabel = "C.npy", description = "n x m cost matrix (finite).")
    Path cost;

    @Option(names = "--a", paramLabel = "a.npy", description = "Row masses, shape (n,), >= 0 (default: 1/n each).")
    Path aPath;

    @Option(names = "--b", paramLabel = "b.npy", description = "Column masses, shape (m,), >= 0 (default: 1/m each).")
    Path bPath;

    @Option(names = "--reg", required = true, paramLabel = "R", description = "Entropic regularisation > 0.")
    double reg;

    @Option(names = "--mass", paramLabel = "M",
            description = {"Transported mass. partial, partial-log: 0 < M <= min(sum a, sum b) (default: that minimum, as POT);",
                    "l2rm: the mass s < min(sum a, sum b) moved through the real block (default: 0.1, L2RM's --rho)."})
    Double mass;

    @Option(names = "--method", required = true, paramLabel = "METHOD",
            description = "sinkhorn, sinkhorn-log, partial, partial-log or l2rm.")
    String method;

    @Option(names = "--mask-diagonal", description = "Forbid the diagonal (the given pairs); the default for l2rm.")
    boolean maskDiagonal;

    @Option(names = "--mask", paramLabel = "K.npy", description = "n x m 0/1 matrix, 1 = forbidden entry (partial, partial-log, l2rm).")
    Path maskPath;

    @Option(names = "--no-mask", description = "l2rm: forbid nothing (the release with noise_ratio = 0).")
    boolean noMask;

    @Option(names = "--max-iter", defaultValue = "1000", paramLabel = "N", description = "Iteration cap (default: ${DEFAULT-VALUE}).")
    int maxIter;

    @Option(names = "--tol", paramLabel = "T",
            description = {"Stopping tolerance; 0 runs exactly --max-iter iterations. Defaults: sinkhorn* 1e-9 (marginal error),",
                    "partial* 1e-100 (change of the plan, POT), l2rm 1e-3 (faithful: change of u) or 1e-9 (stable: marginal error)."})
    Double tol;

    @Option(names = "--mode", defaultValue = "stable", paramLabel = "stable|faithful",
            description = {"l2rm only: faithful reproduces the L2RM release (1e-10 in its log-sum-exp, stops when ||u - u_prev|| < 1e-3);",
                    "stable (alias converged) runs until the marginals hold to --tol (default: ${DEFAULT-VALUE})."})
    String mode;

    @Option(names = "--out", required = true, paramLabel = "P.npy", description = "Where to write the n x m plan (float64 .npy).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object on one line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Logger otLog = Logger.getLogger("io.rematch.ot");
        Level saved = otLog.getLevel();
        otLog.setLevel(Level.OFF);   // the warning is printed below, once
        try {
            return run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(optionNames(e.getMessage()), e);
        } finally {
            otLog.setLevel(saved);
        }
    }

    private int run() throws Exception {
        String m = method.toLowerCase(Locale.ROOT);
        if (!Arrays.asList("sinkhorn", "sinkhorn-log", "partial", "partial-log", "l2rm").contains(m)) {
            throw new IllegalArgumentException("--method must be one of sinkhorn, sinkhorn-log, partial, partial-log, l2rm; got '"
                    + method + "'");
        }
        Mode md = "converged".equalsIgnoreCase(mode) ? Mode.STABLE : Mode.parse("--mode", mode);
        if (md == Mode.FAITHFUL && !m.equals("l2rm")) {
            throw new IllegalArgumentException("--mode faithful applies to --method l2rm only (the other methods follow POT 0.8.2 as they are)");
        }
        DMatrixRMaj c = Npy.read(cost).toMatrix("--cost");
        double[] a = aPath != null ? Npy.read(aPath).toVector("--a") : uniform(c.numRows);
        double[] b = bPath != null ? Npy.read(bPath).toVector("--b") : uniform(c.numCols);
        TransportMask mask = null;
        int maskOptions = (maskDiagonal ? 1 : 0) + (maskPath != null ? 1 : 0) + (noMask ? 1 : 0);
        if (maskOptions > 1) {
            throw new IllegalArgumentException("--mask, --mask-diagonal and --no-mask exclude each other");
        }
        if (maskPath != null) {
            mask = TransportMask.of("--mask", Npy.read(maskPath).toMatrix("--mask"));
        } else if (maskDiagonal || (m.equals("l2rm") && !noMask)) {
            mask = TransportMask.diagonal(c.numRows, c.numCols);
        }
        if (m.startsWith("sinkhorn") && (mask != null || noMask)) {
            throw new IllegalArgumentException("--mask / --mask-diagonal / --no-mask do not apply to balanced " + m
                    + " (a mask can make the marginals infeasible); use partial, partial-log or l2rm");
        }
        if (noMask && !m.equals("l2rm")) {
            throw new IllegalArgumentException("--no-mask applies to --method l2rm only");
        }
        if (mass != null && m.startsWith("sinkhorn")) {
            throw new IllegalArgumentException("--mass does not apply to balanced " + m + " (it transports min(sum a, sum b))");
        }
        double target = mass != null ? mass
                : m.equals("l2rm") ? MaskedPartialTransport.DEFAULT_MASS : Math.min(sum(a), sum(b));
        if (mass == null && !Double.isFinite(target)) {
            target = 1;   // a or b is not finite: the solver's own check names it (before it looks at the mass)
        }

        TransportResult r;
        switch (m) {
            case "sinkhorn":
                r = new SinkhornKnopp(reg, maxIter, tol != null ? tol : SinkhornKnopp.DEFAULT_TOLERANCE).solve(c, a, b);
                break;
            case "sinkhorn-log":
                r = new LogSinkhorn(reg, maxIter, tol != null ? tol : SinkhornKnopp.DEFAULT_TOLERANCE).solve(c, a, b);
                break;
            case "partial":
                r = new EntropicPartialTransport(reg, target, maxIter, tol != null ? tol : EntropicPartialTransport.DEFAULT_TOLERANCE)
                        .solve(c, a, b, mask);
                break;
            case "partial-log":
                r = new LogEntropicPartialTransport(reg, target, maxIter, tol != null ? tol : EntropicPartialTransport.DEFAULT_TOLERANCE)
                        .solve(c, a, b, mask);
                break;
            default:
                double t = tol != null ? tol
                        : md == Mode.FAITHFUL ? MaskedPartialTransport.FAITHFUL_TOLERANCE : MaskedPartialTransport.CONVERGED_TOLERANCE;
                r = new MaskedPartialTransport(reg, target, md, maxIter, t).solve(c, a, b, mask);
        }
        Npy.writeMatrix(out, r.plan());
        if (r.warning() != null) {
            spec.commandLine().getErr().println("rematch ot: warning: " + r.warning());
            spec.commandLine().getErr().flush();
        }
        PrintWriter o = spec.commandLine().getOut();
        double planMass = r.mass();
        double rowExcess = r.maxRowExcess(a);
        double colExcess = r.maxColExcess(b);
        if (json) {
            o.println("{\"method\": " + Json.string(m) + ", \"n\": " + c.numRows + ", \"m\": " + c.numCols
                    + ", \"reg\": " + Json.number(reg)
                    + (m.startsWith("sinkhorn") ? "" : ", \"target_mass\": " + Json.number(target))
                    + (m.equals("l2rm") ? ", \"mode\": " + Json.string(md == Mode.FAITHFUL ? "faithful" : "stable") : "")
                    + ", \"iterations\": " + r.iterations() + ", \"err\": " + Json.number(r.error())
                    + ", \"converged\": " + r.converged() + ", \"mass\": " + Json.number(planMass)
                    + ", \"cost\": " + Json.number(r.cost(c))
                    + ", \"max_row_excess\": " + Json.number(rowExcess) + ", \"max_col_excess\": " + Json.number(colExcess)
                    + ", \"warning\": " + (r.warning() == null ? "null" : Json.string(r.warning()))
                    + ", \"out\": " + Json.string(out.toString()) + "}");
        } else {
            o.printf("%s: %d x %d plan written to %s%n", m, c.numRows, c.numCols, out);
            o.printf("  iterations %d, error %.6g, converged %s%n", r.iterations(), r.error(), r.converged());
            o.printf("  mass %.12g, cost <C, P> %.12g%n", planMass, r.cost(c));
            o.printf("  max row excess (rowsum - a) %.3g, max column excess (colsum - b) %.3g%n", rowExcess, colExcess);
        }
        return 0;
    }

    private static double[] uniform(int n) {
        double[] h = new double[n];
        Arrays.fill(h, 1.0 / n);
        return h;
    }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    private static final Pattern ARGUMENT = Pattern.compile("^(cost|a|b|p|q|mass|reg|mask|maxIterations|tolerance)(?=[\\[ ])");

    /** The solvers name their Java arguments; on the command line say the option instead. */
    static String optionNames(String message) {
        if (message == null) {
            return "invalid argument";
        }
        Matcher mt = ARGUMENT.matcher(message);
        if (!mt.find()) {
            return message;
        }
        String option;
        switch (mt.group(1)) {
            case "p": option = "--a"; break;
            case "q": option = "--b"; break;
            case "maxIterations": option = "--max-iter"; break;
            case "tolerance": option = "--tol"; break;
            default: option = "--" + mt.group(1);
        }
        return option + message.substring(mt.end());
    }
}

package io.rematch.ot;

import io.rematch.check.Checks;
import io.rematch.numeric.Mode;
import java.util.List;
import java.util.Locale;

/**
 * The transport solvers by their command-line names, for the command line, notebooks and
 * trainers (the counterpart of {@link io.rematch.loss.Losses}).
 *
 * <table>
 *   <caption>Methods</caption>
 *   <tr><th>name</th><th>solver</th><th>stopping rules (default first)</th></tr>
 *   <tr><td>sinkhorn</td><td>{@link SinkhornKnopp} (POT {@code sinkhorn_knopp})</td><td>marginals</td></tr>
 *   <tr><td>sinkhorn-log</td><td>{@link LogSinkhorn} (POT {@code sinkhorn_log})</td><td>marginals</td></tr>
 *   <tr><td>partial</td><td>{@link EntropicPartialTransport} (POT {@code entropic_partial_wasserstein})</td><td>marginals, plan-change</td></tr>
 *   <tr><td>partial-log</td><td>{@link LogEntropicPartialTransport}</td><td>marginals, plan-change</td></tr>
 *   <tr><td>l2rm</td><td>{@link MaskedPartialTransport} (L2RM's dummy construction)</td><td>marginals, potential-change (the default in faithful mode)</td></tr>
 * </table>
 */
public final class Transports {

    /** Every method name {@link #create} accepts. */
    public static final List<String> METHODS = List.of("sinkhorn", "sinkhorn-log", "partial", "partial-log", "l2rm");

    private Transports() {
    }

    /**
     * What a solver is made with; each method uses what applies to it ({@link #create} refuses
     * the rest).
     *
     * @param reg      entropic regularisation \(\varepsilon > 0\)
     * @param mass     transported mass for the partial methods: \(> 0\); {@code +infinity} is
     *                 \(\min(\|a\|_1, \|b\|_1)\) (partial, partial-log); {@code NaN} takes the method's
     *                 default (that minimum; 0.1 for l2rm); must be {@code NaN} for the balanced ones
     * @param mode     arithmetic: {@link Mode#FAITHFUL} only for l2rm (the other methods follow POT)
     * @param stopping the stopping rule, or {@code null} for the method's default
     *                 ({@link #defaultStopping})
     */
    public record Settings(double reg, double mass, Mode mode, Stopping stopping) {

        /** Validates what does not depend on the method. */
        public Settings {
            Checks.positive("reg", reg);
            if (!Double.isNaN(mass) && !(mass > 0)) {
                throw new IllegalArgumentException("mass must be > 0, got " + mass);
            }
            Checks.present("mode", mode);
        }

        /** The given regularisation with every other setting at the method's default. */
        public static Settings of(double reg) {
            return new Settings(reg, Double.NaN, Mode.STABLE, null);
        }

        /** These settings with the given mass. */
        public Settings withMass(double mass) {
            return new Settings(reg, mass, mode, stopping);
        }

        /** These settings with the given mode. */
        public Settings withMode(Mode mode) {
            return new Settings(reg, mass, mode, stopping);
        }

        /** These settings with the given stopping rule ({@code null}: the method's default). */
        public Settings withStopping(Stopping stopping) {
            return new Settings(reg, mass, mode, stopping);
        }
    }

    /**
     * The stopping rule a method uses when none is given: {@link Stopping#marginals()}, except
     * faithful l2rm, which stops as the L2RM release does ({@link Stopping#l2rmRelease()}).
     */
    public static Stopping defaultStopping(String method, Mode mode) {
        return method(method).equals("l2rm") && mode == Mode.FAITHFUL ? Stopping.l2rmRelease() : Stopping.marginals();
    }

    /**
     * Makes the solver called {@code method} (any case).
     *
     * @throws IllegalArgumentException for an unknown method or settings that do not apply to it
     */
    public static TransportSolver create(String method, Settings s) {
        String name = method(method);
        Checks.present("settings", s);
        boolean balanced = name.startsWith("sinkhorn");
        if (s.mode() == Mode.FAITHFUL && !name.equals("l2rm")) {
            throw new IllegalArgumentException("mode faithful applies to method l2rm only (the other methods follow"
                    + " POT 0.8.2 as they are)");
        }
        if (balanced && !Double.isNaN(s.mass())) {
            throw new IllegalArgumentException("mass does not apply to balanced " + name
                    + " (it transports all of a onto b); use partial or partial-log to move less");
        }
        Stopping stopping = s.stopping() != null ? s.stopping() : defaultStopping(name, s.mode());
        switch (name) {
            case "sinkhorn":
                return new SinkhornKnopp(s.reg(), stopping);
            case "sinkhorn-log":
                return new LogSinkhorn(s.reg(), stopping);
            case "partial":
                return new EntropicPartialTransport(s.reg(), Double.isNaN(s.mass()) ? Double.POSITIVE_INFINITY : s.mass(), stopping);
            case "partial-log":
                return new LogEntropicPartialTransport(s.reg(), Double.isNaN(s.mass()) ? Double.POSITIVE_INFINITY : s.mass(), stopping);
            default:
                return new MaskedPartialTransport(s.reg(), Double.isNaN(s.mass()) ? MaskedPartialTransport.DEFAULT_MASS : s.mass(),
                        s.mode(), stopping);
        }
    }

    private static String method(String method) {
        if (method == null) {
            throw new IllegalArgumentException("method is missing; expected one of " + String.join(", ", METHODS));
        }
        String name = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(name)) {
            throw new IllegalArgumentException("method must be one of " + String.join(", ", METHODS) + "; got '" + method + "'");
        }
        return name;
    }
}

package io.rematch.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * The {@code rematch} command line. Each subcommand is a small class in this package; this one
 * only wires them together and turns failures into plain messages:
 * exit 0 on success, 2 for bad input (a wrong option, a malformed or missing file, an argument
 * out of range), 1 for an unexpected internal error. Stack traces only with {@code --debug}.
 */
@Command(name = "rematch",
        mixinStandardHelpOptions = true,
        versionProvider = Rematch.Version.class,
        description = {"Robust cross-modal retrieval under partially mismatched pairs (RCL, L2RM).",
                "",
                "Bad input exits with status 2 and one line naming the option; --debug adds the stack trace. The "
                        + "JVM's memory is set with the REMATCH_JAVA_OPTS variable, e.g. REMATCH_JAVA_OPTS=-Xmx8g."},
        subcommands = {LossCommand.class, MetricsCommand.class, CompareCommand.class, RealignCommand.class, OtCommand.class, DatasetCommand.class, TrainCommand.class, EvaluateCommand.class, ExperimentCommand.class, DemoCommand.class, BenchCommand.class, DevicesCommand.class, CheckCommand.class,
                CommandLine.HelpCommand.class})
public final class Rematch implements java.util.concurrent.Callable<Integer> {

    /** Exit code for bad input. */
    public static final int BAD_INPUT = 2;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No command given: the usage, on standard error, and the bad-input status. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("rematch: error: no command given");
        spec.commandLine().usage(spec.commandLine().getErr());
        return BAD_INPUT;
    }

    /** Entry point: runs and exits with the command's status. */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Rematch root = new Rematch();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean badInput = ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException;
            String prefix = commandLine.getCommandSpec().qualifiedName();   // "rematch dataset synthetic"
            String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            if (ex instanceof java.nio.file.NoSuchFileException) {
                message = "no such file: " + ex.getMessage();
            }
            commandLine.getErr().println(prefix + ": error: " + message);
            if (root.debug) {
                ex.printStackTrace(commandLine.getErr());
            } else if (!badInput) {
                commandLine.getErr().println("(an internal error; rerun with --debug for the stack trace)");
            }
            commandLine.getErr().flush();
            return badInput ? BAD_INPUT : 1;
        });
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            java.util.List<String> unknown = Suggestions.unknownOptions(c.getCommandSpec(), args1);
            String message = ex.getMessage();
            String word = ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                    ? u.getUnmatched().get(0) : null;
            if (word != null && !c.getSubcommands().isEmpty() && !word.startsWith("-")) {
                // the first word after a command with subcommands names one: a typo there comes first
                String best = Suggestions.closest(word, new java.util.ArrayList<>(c.getSubcommands().keySet()));
                message = "unknown command '" + word + "'" + (best != null ? " (did you mean " + best + "?)" : "");
            } else if (!unknown.isEmpty()) {   // a typo explains a "missing" option too: name it first
                message = "unknown option" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown);
            }
            c.getErr().println(name + ": error: " + message);
            c.getErr().println("Try '" + name + " --help' for the options.");
            c.getErr().flush();
            return BAD_INPUT;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            code = outOfMemory(cl, e, root.debug, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The plain-words answer to running out of heap: what the input needs (from its header), how
     * much the JVM may use, and how to give it more.
     */
    private static int outOfMemory(CommandLine cl, OutOfMemoryError e, boolean debug, PrintWriter err) {
        CommandLine.ParseResult parsed = cl.getParseResult();
        CommandLine sub = parsed != null && parsed.hasSubcommand() ? parsed.subcommand().commandSpec().commandLine() : cl;
        String name = sub == cl ? "rematch" : "rematch " + sub.getCommandName();
        String needs = sub.getCommand() instanceof Subcommand ? ((Subcommand) sub.getCommand()).memoryNeeds() : null;
        long max = Runtime.getRuntime().maxMemory();
        double suggestion = Math.max(2.0 * max, 1L << 30) / (1L << 30);
        err.println(name + ": error: out of memory"
                + (needs != null ? ": " + needs : "") + "; the JVM may use at most " + Subcommand.bytes(max) + "."
                + String.format(java.util.Locale.ROOT, " Give it more with the REMATCH_JAVA_OPTS variable, for example"
                        + " REMATCH_JAVA_OPTS=-Xmx%.0fg bin/rematch ...", Math.ceil(suggestion)));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return BAD_INPUT;
    }

    /** Reads the version from the jar manifest, or says it runs from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Rematch.class.getPackage().getImplementationVersion();
            return new String[] {"rematch " + (v != null ? v : "(development build)")};
        }
    }
}

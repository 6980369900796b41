package io.rematch.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code rematch} command line. Each subcommand is a small class in this package; this one
 * only wires them together and turns failures into plain messages:
 * exit 0 on success, 2 for bad input (a wrong option, a malformed or missing file, an argument
 * out of range), 1 for an unexpected internal error. Stack traces only with {@code --debug}.
 */
@Command(name = "rematch",
        mixinStandardHelpOptions = true,
        versionProvider = Rematch.Version.class,
        description = "Robust cross-modal retrieval under partially mismatched pairs (RCL, L2RM).",
        subcommands = {LossCommand.class, MetricsCommand.class, CompareCommand.class, RealignCommand.class, OtCommand.class,
                CommandLine.HelpCommand.class})
public final class Rematch implements Runnable {

    /** Exit code for bad input. */
    public static final int BAD_INPUT = 2;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
            String prefix = commandLine.getCommandName().equals("rematch") ? "rematch" : "rematch " + commandLine.getCommandName();
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
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            c.getErr().flush();
            return BAD_INPUT;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
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

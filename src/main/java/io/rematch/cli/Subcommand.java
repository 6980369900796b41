package io.rematch.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code rematch} subcommand shares: it prints warnings once, on standard error;
 * it says which options the user actually gave; and it turns the library's messages, which
 * name Java parameters ({@code tau}, {@code cost}), into the options the user typed
 * ({@code --tau}, {@code --cost}).
 */
abstract class Subcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The command's work; library argument errors are translated by {@link #call()}. */
    abstract int run();

    /**
     * The library parameter names this command's options stand for, e.g. {@code tau -> --tau}.
     * A name is replaced where it starts the message (followed by a space, a colon, a comma or a
     * bracket), or, for the numeric parameters {@link #ASSIGNED}, where a value follows it
     * ({@code "at tau = 0.05"}).
     */
    Map<String, String> optionNames() {
        return Map.of();
    }

    /**
     * How much memory the given inputs need, in words (read from the files' headers), for the
     * message when the JVM runs out; {@code null} if not known.
     */
    String memoryNeeds() {
        return null;
    }

    /** A last rewording of a translated message (a command's own phrases); the message by default. */
    String polish(String message) {
        return message;
    }

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(polish(translate(e.getMessage(), optionNames())), e);
        }
    }

    /** Whether the user gave {@code option} on the command line (not just its default). */
    boolean given(String option) {
        return spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Refuses {@code option} if it was given, saying which losses or methods it applies to. */
    void refuseIfGiven(String option, String appliesTo, String chosen) {
        if (given(option)) {
            throw new IllegalArgumentException(option + " applies to " + appliesTo + ", not to " + chosen);
        }
    }

    /** Prints {@code "rematch NAME: warning: ..."} once, on standard error. */
    void warn(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("rematch " + spec.name() + ": warning: " + message);
        err.flush();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    /** Names translated wherever {@code " = "} follows them. */
    static final java.util.Set<String> ASSIGNED = java.util.Set.of("tau", "margin", "reg", "q");

    /** The message with library parameter names replaced by option names (see {@link #optionNames}). */
    static String translate(String message, Map<String, String> names) {
        if (message == null) {
            return "invalid argument";
        }
        if (names.isEmpty()) {
            return message;
        }
        StringBuilder b = new StringBuilder();
        Matcher m = WORD.matcher(message);
        int last = 0;
        while (m.find()) {
            String option = names.get(m.group());
            boolean atStart = m.start() == 0;
            boolean assigned = message.startsWith(" = ", m.end()) && ASSIGNED.contains(m.group());
            boolean preceded = m.start() > 0 && (Character.isLetterOrDigit(message.charAt(m.start() - 1))
                    || message.charAt(m.start() - 1) == '-' || message.charAt(m.start() - 1) == '.');
            if (option != null && !preceded && (atStart || assigned)) {
                b.append(message, last, m.start()).append(option);
                last = m.end();
            }
        }
        return b.append(message.substring(last)).toString();
    }

    /** A size in bytes in words: {@code 1.9 GiB}. */
    static String bytes(double n) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (n >= 1024 && u < units.length - 1) {
            n /= 1024;
            u++;
        }
        return u == 0 ? String.format(java.util.Locale.ROOT, "%.0f %s", n, units[u])
                : String.format(java.util.Locale.ROOT, "%.1f %s", n, units[u]);
    }

    /**
     * The memory sentence for an input of {@code elements} doubles that the command holds about
     * {@code copies} times, read from the header of the file given by {@code option}.
     */
    static String matrixNeeds(String option, java.nio.file.Path path, int copies) {
        try {
            int[] shape = io.rematch.io.Npy.shape(path);
            long elements = 1;
            StringBuilder dims = new StringBuilder();
            for (int d : shape) {
                elements *= d;
                dims.append(dims.length() == 0 ? "" : " x ").append(d);
            }
            return option + " is " + dims + " and the command holds about " + copies + " arrays of that size in"
                    + " float64: about " + bytes(8.0 * elements * copies);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}

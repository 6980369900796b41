package io.rematch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * "Did you mean ...?" for mistyped options and commands, in one line. picocli reports a missing
 * required option before an unknown one, and suggests only for some typos; this names every
 * unknown option of the command line with the closest known one.
 */
final class Suggestions {

    private Suggestions() {
    }

    /** The unknown options among {@code args} for {@code spec}, each with its closest option; empty if none. */
    static List<String> unknownOptions(CommandSpec spec, String[] args) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            names.addAll(List.of(o.names()));
        }
        List<String> found = new ArrayList<>();
        boolean afterCommand = spec.parent() == null;
        for (String arg : args) {
            if (!afterCommand) {   // the tokens before the subcommand belong to the root command
                afterCommand = arg.equals(spec.name());
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-") || isNumber(arg)) {
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (spec.findOption(name) == null) {
                String best = closest(name, names);
                found.add("'" + name + "'" + (best != null ? " (did you mean " + best + "?)" : ""));
            }
        }
        return found;
    }

    /** The closest of {@code candidates} to {@code word}, or null if none is close. */
    static String closest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(2, w.replace("-", "").length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

package io.rematch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every example of {@code docs/commands/*.md} runs, and prints what the page says it prints.
 *
 * <p>The convention of the pages' {@code console} blocks:
 * <ul>
 *   <li>a line {@code $ bin/rematch ARGS} runs the command (in-process, {@link Rematch#execute});
 *   it must exit 0, or N when the line ends with {@code # exit N};</li>
 *   <li>{@code $ mkdir -p DIR} makes a folder;</li>
 *   <li>{@code /tmp/rematch-docs} stands for a fresh folder per page;</li>
 *   <li>the other lines are the output: each must appear in standard output in that order (or
 *   anywhere in standard error, where warnings and progress go), trailing spaces ignored; a line
 *   {@code ...} stands for any lines, and {@code ...} inside a line for any text (times,
 *   machine-dependent figures).</li>
 * </ul>
 * Every command has a page, every page is linked from {@code docs/cli.md} and has an example, and
 * every option of the command (and of its subcommands) has a row in a table of its page, a row
 * that starts with the option's longest name in backticks: {@code | `--tau T` | ...}.
 */
class CommandDocsTest {

    static final Path PAGES = Path.of("docs", "commands");
    static final String PLACEHOLDER = "/tmp/rematch-docs";
    static final Pattern EXIT = Pattern.compile("\\s+#\\s*exit\\s+(\\d+)\\s*$");

    @TempDir
    Path tmp;

    static Stream<Path> pages() throws IOException {
        try (Stream<Path> s = Files.list(PAGES)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList()).stream();
        }
    }

    /** The lines of every console block of a page, blocks in order. */
    static List<List<String>> consoleBlocks(Path page) throws IOException {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (current == null && line.trim().equals("```console")) {
                current = new ArrayList<>();
            } else if (current != null && line.trim().equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        assertTrue(current == null, page + ": a console block is not closed");
        return blocks;
    }

    @Test
    void everyCommandHasAPageLinkedFromTheOverview() throws IOException {
        String overview = Files.readString(Path.of("docs", "cli.md"), StandardCharsets.UTF_8);
        for (String name : new CommandLine(new Rematch()).getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Path page = PAGES.resolve(name + ".md");
            assertTrue(Files.isRegularFile(page), "rematch " + name + " has no page " + page);
            assertTrue(overview.contains("(commands/" + name + ".md)"), "docs/cli.md does not link " + page);
            assertFalse(consoleBlocks(page).isEmpty(), page + " has no console example");
        }
    }

    @Test
    void everyOptionHasARowOnItsPage() throws IOException {
        for (var e : new CommandLine(new Rematch()).getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            Path page = PAGES.resolve(e.getKey() + ".md");
            List<String> rows = Files.readAllLines(page, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("| `")).collect(Collectors.toList());
            assertOptionRows(page, "rematch " + e.getKey(), e.getValue(), rows);
        }
    }

    private static void assertOptionRows(Path page, String name, CommandLine command, List<String> rows) {
        List<String> missing = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : command.getCommandSpec().options()) {
            String option = o.longestName();
            if (!List.of("--help", "--version", "--debug").contains(option)
                    && rows.stream().noneMatch(r -> r.startsWith("| `" + option + " ") || r.startsWith("| `" + option + "`"))) {
                missing.add(option);
            }
        }
        for (CommandLine.Model.PositionalParamSpec p : command.getCommandSpec().positionalParameters()) {
            if (rows.stream().noneMatch(r -> r.startsWith("| `" + p.paramLabel() + "`"))) {
                missing.add(p.paramLabel());
            }
        }
        assertTrue(missing.isEmpty(), page + ": no table row for the options of " + name + ": " + missing);
        for (var e : command.getSubcommands().entrySet()) {
            if (!e.getKey().equals("help")) {
                assertOptionRows(page, name + " " + e.getKey(), e.getValue(), rows);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void theExamplesRunAsShown(Path page) throws IOException {
        String dir = tmp.toString();
        for (List<String> block : consoleBlocks(page)) {
            String command = null;
            List<String> expected = new ArrayList<>();
            for (String raw : block) {
                String line = raw.replace(PLACEHOLDER, dir);
                if (line.startsWith("$ ")) {
                    if (command != null) {
                        run(page, command, expected);
                    }
                    command = line.substring(2);
                    expected = new ArrayList<>();
                } else {
                    expected.add(line);
                }
            }
            if (command != null) {
                run(page, command, expected);
            }
        }
    }

    private static void run(Path page, String command, List<String> expected) throws IOException {
        int exit = 0;
        Matcher m = EXIT.matcher(command);
        if (m.find()) {
            exit = Integer.parseInt(m.group(1));
            command = command.substring(0, m.start());
        }
        List<String> words = words(command);
        if (words.size() == 3 && words.get(0).equals("mkdir") && words.get(1).equals("-p")) {
            Files.createDirectories(Path.of(words.get(2)));
            return;
        }
        assertEquals("bin/rematch", words.get(0), page + ": an example runs bin/rematch or mkdir -p: " + command);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Rematch.execute(words.subList(1, words.size()).toArray(new String[0]), new PrintWriter(out),
                new PrintWriter(err));
        String shown = page + ": $ " + command + "\n--- exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        assertEquals(exit, code, shown);
        List<String> stdout = out.toString().lines().map(String::stripTrailing).collect(Collectors.toList());
        List<String> stderr = err.toString().lines().map(String::stripTrailing).collect(Collectors.toList());
        int at = 0;
        for (String e : expected) {
            String want = e.stripTrailing();
            if (want.equals("...") ) {
                continue;
            }
            Pattern p = glob(want);
            if (stderr.stream().anyMatch(l -> p.matcher(l).matches())) {
                continue;
            }
            int found = -1;
            for (int k = at; k < stdout.size(); k++) {
                if (p.matcher(stdout.get(k)).matches()) {
                    found = k;
                    break;
                }
            }
            if (found < 0) {
                fail("the page shows a line the command did not print (in this order):\n  " + want + "\n" + shown);
            }
            at = found + 1;
        }
    }

    /** {@code ...} inside a line matches any text; everything else literally. */
    static Pattern glob(String line) {
        String[] parts = line.split("\\.\\.\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < parts.length; k++) {
            if (k > 0) {
                sb.append(".*");
            }
            sb.append(Pattern.quote(parts[k]));
        }
        return Pattern.compile(sb.toString());
    }

    /** Splits a command line at spaces, keeping single- or double-quoted words together. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }
}

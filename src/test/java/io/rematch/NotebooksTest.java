package io.rematch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every {@code notebooks-java/*.jsh} through the {@code jdk.jshell} API, in this JVM
 * ({@code executionEngine("local")}), so a notebook whose code no longer compiles, or whose
 * {@code check(...)} of an equation fails, fails the build.
 *
 * <p>The file is fed to JShell the way the {@code jshell} tool reads it: line by line, a
 * snippet being evaluated as soon as {@link SourceCodeAnalysis#analyzeCompletion} calls the
 * pending source complete, and a line starting with {@code /} between snippets being a tool
 * command (skipped; the last one must be {@code /exit}). The tool's default imports are
 * evaluated first, as its DEFAULT startup does. A snippet fails the notebook when it is
 * rejected, has compile errors, depends on something undefined, or throws.
 */
class NotebooksTest {

    private static final Path NOTEBOOKS = Path.of(System.getProperty("basedir", "."), "notebooks-java");

    /** What the jshell tool's DEFAULT startup imports. */
    private static final List<String> DEFAULT_IMPORTS = List.of(
            "java.io.*", "java.math.*", "java.net.*", "java.nio.file.*", "java.util.*",
            "java.util.concurrent.*", "java.util.function.*", "java.util.prefs.*",
            "java.util.regex.*", "java.util.stream.*");

    /** A complete snippet and the line of the notebook where its code starts. */
    record Piece(int line, String source) {
    }

    static List<Path> notebookFiles() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsh")).sorted()
                    .collect(Collectors.toList());
        }
    }

    static Stream<Named<Path>> notebooks() throws IOException {
        return notebookFiles().stream().map(p -> Named.of(p.getFileName().toString(), p));
    }

    @Test
    void findsTheNotebooks() throws IOException {
        List<Path> found = notebookFiles();
        assertTrue(found.size() >= 9, "expected at least 9 notebooks in " + NOTEBOOKS.toAbsolutePath()
                + ", found " + found);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void runsWithoutErrors(Path notebook) throws IOException {
        String name = notebook.getFileName().toString();
        String text = Files.readString(notebook, StandardCharsets.UTF_8);
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        PrintStream console = System.out;
        // Local execution prints straight to System.out: keep a copy for the failure message.
        PrintStream tee = new PrintStream(new Tee(console, transcript), true, StandardCharsets.UTF_8);
        System.setOut(tee);
        try (JShell shell = JShell.builder().executionEngine("local").out(tee).err(tee).build()) {
            for (String entry : testClasspath()) {
                shell.addToClasspath(entry);
            }
            for (String pkg : DEFAULT_IMPORTS) {
                evaluate(shell, name + " (startup)", new Piece(0, "import " + pkg + ";"), transcript);
            }
            List<String> commands = new ArrayList<>();
            List<Piece> pieces = split(shell.sourceCodeAnalysis(), text, commands);
            assertTrue(pieces.size() > 0, name + " has no snippets");
            for (Piece piece : pieces) {
                evaluate(shell, name, piece, transcript);
            }
            assertTrue(!commands.isEmpty() && commands.get(commands.size() - 1).equals("/exit"),
                    name + " must end with /exit (commands found: " + commands + ")");
        } finally {
            System.setOut(console);
        }
    }

    /** Splits a notebook into snippets as the jshell tool reads a file; collects the commands. */
    static List<Piece> split(SourceCodeAnalysis analysis, String text, List<String> commands) {
        List<Piece> pieces = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder pending = new StringBuilder();
        int pendingStart = 1;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (pending.toString().isBlank()) {
                String trimmed = line.strip();
                if (trimmed.startsWith("/") && !trimmed.startsWith("//") && !trimmed.startsWith("/*")) {
                    commands.add(trimmed);
                    pending.setLength(0);
                    continue;
                }
                if (pending.length() == 0) {
                    pendingStart = n + 1;
                }
            }
            pending.append(line).append('\n');
            while (!pending.toString().isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(pending.toString());
                SourceCodeAnalysis.Completeness completeness = info.completeness();
                if (completeness == SourceCodeAnalysis.Completeness.EMPTY) {
                    pending.setLength(0); // only comments and blank lines
                } else if (completeness.isComplete() || completeness == SourceCodeAnalysis.Completeness.UNKNOWN) {
                    String source = info.source() != null ? info.source() : pending.toString();
                    String remaining = info.source() != null ? info.remaining() : "";
                    pieces.add(new Piece(pendingStart + leadingNonCodeLines(source), source));
                    String consumed = pending.substring(0, pending.length() - remaining.length());
                    pendingStart += (int) consumed.chars().filter(c -> c == '\n').count();
                    pending.setLength(0);
                    pending.append(remaining);
                } else {
                    break; // incomplete: read the next line
                }
            }
        }
        if (!pending.toString().isBlank()) {
            pieces.add(new Piece(pendingStart, pending.toString())); // an unfinished snippet: fails in eval
        }
        return pieces;
    }

    private static int leadingNonCodeLines(String source) {
        int count = 0;
        for (String line : source.split("\n", -1)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("//")) {
                break;
            }
            count++;
        }
        return count;
    }

    private static void evaluate(JShell shell, String notebook, Piece piece, ByteArrayOutputStream transcript) {
        List<SnippetEvent> events = shell.eval(piece.source());
        for (SnippetEvent event : events) {
            Snippet snippet = event.snippet();
            List<String> errors = shell.diagnostics(snippet).filter(Diag::isError)
                    .map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.toList());
            if (!errors.isEmpty()) {
                fail(report(notebook, piece, "does not compile: " + String.join("; ", errors), transcript));
            }
            if (event.causeSnippet() == null && event.status() != Snippet.Status.VALID) {
                String why = event.status() == Snippet.Status.REJECTED ? "was rejected"
                        : "has status " + event.status() + ", unresolved: "
                        + (snippet instanceof jdk.jshell.DeclarationSnippet
                        ? shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet)
                                .collect(Collectors.toList()) : List.of());
                fail(report(notebook, piece, why, transcript));
            }
            JShellException thrown = event.exception();
            if (thrown != null) {
                String what = thrown instanceof EvalException
                        ? ((EvalException) thrown).getExceptionClassName() + ": " + thrown.getMessage()
                        : thrown instanceof UnresolvedReferenceException
                        ? "uses a definition with unresolved references: " + thrown.getMessage()
                        : thrown.toString();
                fail(report(notebook, piece, "threw " + what, transcript));
            }
        }
    }

    private static String report(String notebook, Piece piece, String problem, ByteArrayOutputStream transcript) {
        String output = transcript.toString(StandardCharsets.UTF_8);
        String[] lines = output.split("\n");
        String tail = String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
        return notebook + ", snippet at line " + piece.line() + " " + problem + "\n--- snippet ---\n"
                + piece.source().strip() + "\n--- last output ---\n" + tail;
    }

    /** The test classpath: target/classes and the dependency jars the notebooks import. */
    private static List<String> testClasspath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).collect(Collectors.toList());
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }

    /** The splitter itself: snippets, commands, line numbers. */
    @Test
    void splitsLikeTheJshellTool() {
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            List<String> commands = new ArrayList<>();
            String text = "// intro\nint a = 1; int b = 2;\n\nvoid f() {\n  a++;\n}\n/exit\n";
            List<Piece> pieces = split(shell.sourceCodeAnalysis(), text, commands);
            assertEquals(List.of(2, 2, 4), pieces.stream().map(Piece::line).collect(Collectors.toList()));
            assertEquals("void f() {\n  a++;\n}", pieces.get(2).source().strip());
            assertEquals(List.of("/exit"), commands);
        }
    }
}

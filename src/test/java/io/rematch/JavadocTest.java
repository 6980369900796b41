package io.rematch;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The API documentation builds without a warning: the JDK's javadoc tool, run in-process over
 * {@code src/main/java} with the settings {@code pom.xml} gives the maven-javadoc-plugin (its
 * {@code <doclint>} groups, the MathJax {@code <header>}, {@code --allow-script-in-comments}),
 * reports no error and no warning. {@code mvn javadoc:javadoc} fails on the same diagnostics
 * ({@code <failOnWarnings>}); this test makes {@code mvn test} fail on them too. The equations are
 * TeX for MathJax, so a {@code <} or {@code &} in them is written {@code &lt;}, {@code &amp;}.
 */
class JavadocTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path OUTPUT = Path.of("target/javadoc-test");

    @Test
    void buildsWithoutWarnings() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        String doclint = pluginSetting(pom, "doclint");
        String header = pluginSetting(pom, "header").replaceFirst("^<!\\[CDATA\\[(.*)]]>$", "$1");
        assertTrue(pom.contains("<failOnWarnings>true</failOnWarnings>"), "pom.xml: the javadoc plugin must fail on warnings");

        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertNotNull(javadoc, "no javadoc tool: the tests need a JDK, not a JRE");
        Files.createDirectories(OUTPUT);
        List<String> options = List.of(
                "-d", OUTPUT.toString(),
                "-quiet",
                "--release", "17",
                "-encoding", "UTF-8",
                "-sourcepath", SOURCES.toString(),
                "-classpath", dependencyJars(),
                "-Xdoclint:" + doclint,
                "--allow-script-in-comments",
                "-header", header,
                "-Xmaxwarns", "10000",
                "-Xmaxerrs", "10000");

        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javadoc.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
                Stream<Path> walk = Files.walk(SOURCES)) {
            List<File> sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().map(Path::toFile).collect(Collectors.toList());
            assertTrue(sources.size() > 100, "found only " + sources.size() + " sources under " + SOURCES);
            ok = javadoc.getTask(out, files, diagnostics, null, options, files.getJavaFileObjectsFromFiles(sources)).call();
        }

        List<String> problems = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.NOTE && d.getKind() != Diagnostic.Kind.OTHER) {
                String where = d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ";
                problems.add(where + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + d.getMessage(Locale.ROOT));
            }
        }
        String report = problems.size() + " javadoc warning(s) or error(s), as mvn javadoc:javadoc reports them:\n"
                + String.join("\n", problems) + "\n--- javadoc output ---\n" + out;
        assertTrue(problems.isEmpty() && ok, report);
    }

    /** The text of {@code <name>} in the maven-javadoc-plugin's configuration in pom.xml. */
    private static String pluginSetting(String pom, String name) {
        int plugin = pom.indexOf("<artifactId>maven-javadoc-plugin</artifactId>");
        assertTrue(plugin >= 0, "pom.xml configures no maven-javadoc-plugin");
        String config = pom.substring(plugin, pom.indexOf("</plugin>", plugin));
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">", Pattern.DOTALL).matcher(config);
        assertTrue(m.find(), "pom.xml: the javadoc plugin sets no <" + name + ">");
        return m.group(1).strip();
    }

    /** The jars on the test classpath (the main code's dependencies among them), not the class folders. */
    private static String dependencyJars() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(path.split(File.pathSeparator))
                .filter(s -> s.endsWith(".jar") && !s.contains("surefire"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}

package io.rematch.course;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a student's answer (one {@code .java} file, default package) against the library with
 * the JDK's compiler, in a temporary folder, and loads it in a class loader of its own, so that an
 * edited answer is checked afresh every time and nothing is written next to the source.
 */
public final class SolutionLoader {

    /** A loaded answer, or why there is none (compile errors, wrong type): the student's problem. */
    public record Loaded(Object answer, String problem) {
    }

    private SolutionLoader() {
    }

    /**
     * Reads, compiles and instantiates {@code source}.
     *
     * @param option how messages name the file, e.g. {@code --solution}
     * @throws IllegalArgumentException naming {@code option} if the file does not exist or cannot be read
     * @throws IllegalStateException    if this Java has no compiler (a runtime without {@code javac})
     */
    public static Loaded load(Exercise exercise, Path source, String option) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException(option + " " + source + " is not a file; expected the Java source of "
                    + exercise.className() + " (the template is docs/exercises/" + exercise.className() + ".java)");
        }
        String text;
        try {
            text = Files.readString(source, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + source + " cannot be read: " + e.getMessage());
        }
        String used = usesForbidden(exercise, text);
        if (used != null) {
            return new Loaded(null, source.getFileName() + " uses " + used + ", which computes the answer itself;"
                    + " the exercise is to write it: use plain loops and java.lang.Math");
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("this Java has no compiler: rematch check needs a JDK (javac), not a JRE");
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("rematch-check-");
            // javac wants a public class in a file of its name: the copy is named for the class
            Path copy = work.resolve(exercise.className() + ".java");
            Files.writeString(copy, text, StandardCharsets.UTF_8);
            Path classes = Files.createDirectory(work.resolve("classes"));
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            StringWriter log = new StringWriter();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                    StandardCharsets.UTF_8)) {
                List<String> options = List.of("-classpath", classPath(), "-d", classes.toString(), "-proc:none",
                        "-encoding", "UTF-8", "-Xlint:none");
                boolean ok = javac.getTask(log, files, diagnostics, options, null,
                        files.getJavaFileObjects(copy.toFile())).call();
                if (!ok) {
                    return new Loaded(null, "it does not compile:\n" + describe(diagnostics, source));
                }
            }
            // read every class file now: the folder is deleted before the answer's nested classes load
            java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
            try (var walk = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".class"))::iterator) {
                    String rel = classes.relativize(f).toString().replace(java.io.File.separatorChar, '.');
                    bytes.put(rel.substring(0, rel.length() - ".class".length()), Files.readAllBytes(f));
                }
            }
            ClassLoader loader = new InMemoryLoader(bytes, Exercise.class.getClassLoader());
            Class<?> type;
            try {
                type = loader.loadClass(exercise.className());
            } catch (ClassNotFoundException e) {
                return new Loaded(null, source.getFileName() + " has no class named " + exercise.className()
                        + " (in the default package: no package line)");
            }
            if (!exercise.answerType().isAssignableFrom(type)) {
                return new Loaded(null, "class " + exercise.className() + " must implement "
                        + exercise.answerType().getCanonicalName() + " (as the template does)");
            }
            try {
                return new Loaded(type.getDeclaredConstructor().newInstance(), null);
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                return new Loaded(null, "class " + exercise.className() + " cannot be created with new "
                        + exercise.className() + "(): " + cause);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot compile in a temporary folder: " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** The first forbidden name the source uses outside comments, or {@code null}. */
    static String usesForbidden(Exercise exercise, String text) {
        String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        for (String name : exercise.forbidden()) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(code);
            if (m.find()) {
                return name;
            }
        }
        return null;
    }

    /**
     * The class path to compile against: this JVM's, plus the jar's manifest entries when it was
     * started from a manifest-only jar (as Maven's test runner does).
     */
    static String classPath() {
        List<String> entries = new ArrayList<>();
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String e : path.split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        try {
            URL here = Exercise.class.getProtectionDomain().getCodeSource().getLocation();
            entries.add(Path.of(here.toURI()).toString());
        } catch (Exception e) {
            // the class path above is then all there is
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String describe(DiagnosticCollector<JavaFileObject> diagnostics, Path source) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            sb.append("  ").append(source).append(':').append(d.getLineNumber()).append(": ")
                    .append(d.getMessage(Locale.ROOT).replace("\n", "\n    ")).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    /** Defines the answer's classes from their bytes, everything else from the library's loader. */
    private static final class InMemoryLoader extends ClassLoader {
        private final java.util.Map<String, byte[]> bytes;

        InMemoryLoader(java.util.Map<String, byte[]> bytes, ClassLoader parent) {
            super(parent);
            this.bytes = bytes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = bytes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temporary folder left behind is harmless
        }
    }
}

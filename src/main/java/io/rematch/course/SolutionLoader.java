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

    /**
     * A compiled answer class, or why there is none (compile errors, wrong type): the student's
     * problem. The class is not initialised yet: its static initialiser and constructor run under
     * the check's time limit ({@link #instantiate}).
     */
    public record Loaded(Class<?> type, String problem) {
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
        String text = read(exercise, source, option);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);   // a byte-order mark some editors write, which javac refuses
        }
        String name = source.getFileName().toString();
        String code = code(text);
        if (code.isBlank()) {
            return new Loaded(null, name + " is empty; start from the template docs/exercises/" + exercise.className()
                    + ".java");
        }
        Matcher pkg = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(code);
        if (pkg.find()) {
            return new Loaded(null, "remove the line 'package " + pkg.group(1) + ";' from " + name
                    + ": the class lives in the default package, as in the template");
        }
        Matcher declared = Pattern.compile("\\bpublic\\s+(?:(?:final|abstract|strictfp)\\s+)*class\\s+(\\w+)").matcher(code);
        if (declared.find() && !declared.group(1).equals(exercise.className())) {
            return new Loaded(null, "the class must be called " + exercise.className() + " (found public class "
                    + declared.group(1) + "); the file may have any name");
        }
        String exits = usesName(code, EXITS);
        if (exits != null) {
            return new Loaded(null, name + " uses " + exits + ", which would end the check itself: return the"
                    + " answer instead");
        }
        String used = usesForbidden(exercise, text);
        if (used != null) {
            return new Loaded(null, name + " uses " + used + ", which computes the answer itself;"
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
                type = Class.forName(exercise.className(), false, loader);
            } catch (ClassNotFoundException e) {
                return new Loaded(null, name + " has no class named " + exercise.className()
                        + " (in the default package: no package line)");
            } catch (LinkageError e) {
                return new Loaded(null, "class " + exercise.className() + " cannot be loaded: " + e);
            }
            if (java.lang.reflect.Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
                return new Loaded(null, "class " + exercise.className() + " must not be abstract: the check creates one");
            }
            if (!exercise.answerType().isAssignableFrom(type)) {
                return new Loaded(null, "class " + exercise.className() + " must implement "
                        + exercise.answerType().getCanonicalName() + " (as the template does)");
            }
            return new Loaded(type, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot compile in a temporary folder: " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * A new instance of the answer class (its static initialiser runs here), or a problem in plain
     * words: not public, no public constructor without arguments, a constructor or initialiser
     * that throws (with the line).
     */
    static Object instantiate(Exercise exercise, Class<?> type, String fileName, Verdict problems) {
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            problems.fail("the answer compiles and loads", "class " + exercise.className() + " needs to be public, with a"
                    + " public constructor without arguments (as the template has)");
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            problems.fail("the answer compiles and loads", "new " + exercise.className() + "() threw " + cause
                    + Course.where(cause.getStackTrace(), exercise, fileName));
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            problems.fail("the answer compiles and loads", "its static initialiser threw " + cause
                    + Course.where(cause.getStackTrace(), exercise, fileName));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            problems.fail("the answer compiles and loads", "class " + exercise.className() + " cannot be loaded: " + e
                    + Course.where(e.getStackTrace(), exercise, fileName));
        }
        return null;
    }

    /** What would end the JVM, and with it the check, from inside an answer. */
    static final List<String> EXITS = List.of("System.exit", "Runtime.getRuntime");

    /** The source without comments and string or character literals: what the names are looked for in. */
    static String code(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\"").replaceAll("'(?:\\\\.|[^'\\\\\n])'", "' '");
    }

    /** The first forbidden name the source uses outside comments and strings, or {@code null}. */
    static String usesForbidden(Exercise exercise, String text) {
        return usesName(code(text), exercise.forbidden());
    }

    private static String usesName(String code, List<String> names) {
        for (String name : names) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(code);
            if (m.find()) {
                return name;
            }
        }
        return null;
    }

    /**
     * The text of {@code source}.
     *
     * @throws IllegalArgumentException naming {@code option} if it is not a readable UTF-8 text file
     */
    public static String read(Exercise exercise, Path source, String option) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException(option + " " + source + " is not a file; expected the Java source of "
                    + exercise.className() + " (the template is docs/exercises/" + exercise.className() + ".java)");
        }
        try {
            return Files.readString(source, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(option + " " + source + " is not UTF-8 text; expected the Java source of "
                    + exercise.className());
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + source + " cannot be read: " + e.getMessage());
        }
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

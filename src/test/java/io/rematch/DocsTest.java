package io.rematch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The user documentation stands alone and renders: it refers to nothing a reader of the
 * repository does not have (the project's issue numbers, paths outside the repository), its math
 * is in the {@code $...$} form GitHub renders, it has no control characters, and every relative
 * link points to a file that exists.
 */
class DocsTest {

    static Stream<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("data-small/README.md")));
        for (Path dir : List.of(Path.of("docs"), Path.of("docs", "commands"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
            }
        }
        return docs.stream();
    }

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#]+)(#[^)]*)?\\)");

    @ParameterizedTest
    @MethodSource("documents")
    void standsAloneAndRenders(Path doc) throws IOException {
        String text = Files.readString(doc);
        assertFalse(text.contains("\\(") || text.contains("\\["), doc + ": math as \\( \\) or \\[ \\] shows as raw text; use $...$");
        assertFalse(Pattern.compile("(?<!POT |L2RM |\\[POT |L2RM/L2RM )\\bissue #?\\d").matcher(text).find(),
                doc + ": refers to an issue number");
        assertFalse(Pattern.compile("(?i)\\bthe (training|gpu|data) issue\\b").matcher(text).find(), doc + ": refers to an issue");
        assertFalse(text.contains("shared/") || text.contains("../shared"), doc + ": refers to a path outside the repository");
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            assertFalse(c < 0x20 && c != '\n', doc + ": control character " + (int) c + " at " + k);
        }
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.startsWith("http://") || target.startsWith("https://")) {
                continue;
            }
            Path resolved = doc.resolveSibling(target).normalize();
            assertTrue(Files.exists(resolved), doc + ": the link " + target + " points to nothing");
        }
    }
}

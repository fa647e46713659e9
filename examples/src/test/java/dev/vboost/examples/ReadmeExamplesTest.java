package dev.vboost.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

/**
 * Keeps the README's "Getting started" honest: every Java block in it must appear, line for line (indentation
 * aside), in the example sources this module compiles and {@link TwoProcessExampleTest} runs; and every
 * artifact id it names must be one the BOM manages.
 */
class ReadmeExamplesTest {
    private static final Pattern BLOCK = Pattern.compile("```(java|xml)\\n(.*?)```", Pattern.DOTALL);

    private static String gettingStarted() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("vboost.readme")), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Getting started");
        assertTrue(start >= 0, "README has no Getting started section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    @Test
    void everyJavaBlockIsInTheExampleSources() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(System.getProperty("vboost.examples.sources")))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
                sources.add(lines(Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        Matcher m = BLOCK.matcher(gettingStarted());
        int blocks = 0;
        while (m.find()) {
            if (!m.group(1).equals("java")) {
                continue;
            }
            blocks++;
            List<String> block = lines(m.group(2));
            boolean found = sources.stream().anyMatch(src -> containsInOrder(src, block));
            assertTrue(found, () -> "README block not in examples/src/main/java (same lines, same order):\n"
                    + String.join("\n", block));
        }
        assertTrue(blocks >= 4, "expected the host and guest blocks in README Getting started, found " + blocks);
    }

    /** True if {@code block}'s lines occur in {@code source} in order; imports may skip lines between them. */
    private static boolean containsInOrder(List<String> source, List<String> block) {
        boolean imports = block.stream().allMatch(l -> l.startsWith("import "));
        if (imports) {
            return source.containsAll(block);
        }
        for (int i = 0; i + block.size() <= source.size(); i++) {
            if (source.subList(i, i + block.size()).equals(block)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyArtifactNamedIsInTheBom() throws IOException {
        String bom = Files.readString(Path.of(System.getProperty("vboost.readme")).resolveSibling("bom/pom.xml"),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(gettingStarted());
        int n = 0;
        while (m.find()) {
            n++;
            String id = m.group(1);
            assertTrue(id.equals("vboost-bom") || bom.contains("<artifactId>" + id + "</artifactId>"),
                    () -> "README names " + id + ", which bom/pom.xml does not manage");
        }
        assertFalse(n == 0, "no artifact ids in README Getting started");
    }
}

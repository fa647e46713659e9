package dev.vboost.hardening.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every test that spec/protocol.md §9 names in full ({@code package.Class#method} or {@code package.Class}) exists
 * in some module's sources, so the threat table cannot claim coverage that is not there. (Short
 * {@code Class.method} citations of protocol-api tests are checked by protocol-api's own test.) The
 * {@code dev.vboost.hardening.adversarial} tests are written on another branch: their citations are checked
 * once that package is present.
 */
class ThreatTableCitationsTest {

    private static final Pattern FULL = Pattern.compile("`((?:[a-z]\\w*\\.)+)([A-Z]\\w*)(?:#(\\w+))?`");
    private static final String ADVERSARIAL = "dev.vboost.hardening.adversarial.";

    @Test
    void everyFullyNamedTestExists() throws IOException {
        Path root = repositoryRoot();
        String doc = Files.readString(root.resolve("spec/protocol.md"));
        String threats = doc.substring(doc.indexOf("## §9 "), doc.indexOf("## §10 "));
        boolean adversarialPresent = Files.isDirectory(
                root.resolve("hardening/src/test/java/dev/vboost/hardening/adversarial"));
        Matcher m = FULL.matcher(threats);
        List<String> missing = new ArrayList<>();
        int checked = 0;
        while (m.find()) {
            String pkg = m.group(1);
            if (pkg.startsWith(ADVERSARIAL) && !adversarialPresent) {
                continue;
            }
            String cls = m.group(2);
            String method = m.group(3);
            String source = sourceOf(root, pkg + cls);
            if (source == null) {
                missing.add(m.group() + " (no such class)");
            } else if (method != null && !Pattern.compile("\\bvoid\\s+" + method + "\\s*\\(").matcher(source).find()) {
                missing.add(m.group() + " (no such method)");
            }
            checked++;
        }
        assertTrue(missing.isEmpty(), "§9 cites tests that do not exist: " + missing);
        assertTrue(checked >= 20, "§9 names tests in full (checked " + checked + ")");
    }

    private static String sourceOf(Path root, String className) throws IOException {
        String rel = className.replace('.', '/') + ".java";
        try (var modules = Files.list(root)) {
            for (Path module : (Iterable<Path>) modules::iterator) {
                for (String set : List.of("src/test/java/", "src/main/java/")) {
                    Path p = module.resolve(set + rel);
                    if (Files.isRegularFile(p)) {
                        return Files.readString(p);
                    }
                }
            }
        }
        return null;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("spec/protocol.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("spec/protocol.md not found above " + dir);
    }
}

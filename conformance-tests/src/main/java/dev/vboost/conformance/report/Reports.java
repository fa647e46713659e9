package dev.vboost.conformance.report;

import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.suite.Status;
import dev.vboost.conformance.testee.FlatJson;
import dev.vboost.conformance.testee.TesteeInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The three reports of a run: a console summary ending in the VERDICT line, {@code results.json} (schema
 * {@code spec/conformance-results.md}) and JUnit XML ({@code TEST-vboost-conformance.xml}).
 */
public final class Reports {
    public static final String SUITE_VERSION = "0.1.0";
    public static final String SPEC_VERSION = "1.0";

    private Reports() {
    }

    private static Map<Level, Map<Status, Integer>> counts(List<CaseResult> results) {
        Map<Level, Map<Status, Integer>> m = new EnumMap<>(Level.class);
        for (Level l : Level.values()) {
            Map<Status, Integer> s = new EnumMap<>(Status.class);
            for (Status st : Status.values()) {
                s.put(st, 0);
            }
            m.put(l, s);
        }
        for (CaseResult r : results) {
            Map<Status, Integer> s = m.get(r.level());
            if (s != null) {
                s.merge(r.status(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The console text: one block per failure, the table by level, then the VERDICT line last. */
    public static String console(TesteeInfo info, List<CaseResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("vboost conformance ").append(SUITE_VERSION).append(" (spec ").append(SPEC_VERSION).append(") vs ")
                .append(info.name()).append(' ').append(info.version()).append(" [").append(info.language())
                .append(", roles ").append(new TreeSet<>(info.roles())).append(", features ")
                .append(new TreeSet<>(info.features())).append(", ").append(info.transport()).append("]\n\n");
        for (CaseResult r : results) {
            if (r.status().failed()) {
                sb.append(r.status()).append(' ').append(r.id()).append(" (").append(r.spec()).append(")\n  ")
                        .append(r.title()).append("\n  ").append(r.message().replace("\n", "\n  ")).append('\n');
                if (!r.rule().isEmpty()) {
                    sb.append("  rule: ").append(r.rule()).append('\n');
                }
                for (String d : r.diff()) {
                    sb.append("    ").append(d).append('\n');
                }
                if (!r.hexdump().isEmpty()) {
                    sb.append(r.hexdump());
                }
                sb.append('\n');
            }
        }
        sb.append(String.format("%-12s %5s %5s %5s %6s %8s %6s%n", "", "pass", "fail", "skip", "error", "timeout", "crash"));
        counts(results).forEach((level, s) -> sb.append(String.format("%-12s %5d %5d %5d %6d %8d %6d%n",
                level.name().toLowerCase(Locale.ROOT), s.get(Status.PASS), s.get(Status.FAIL), s.get(Status.SKIP),
                s.get(Status.ERROR), s.get(Status.TIMEOUT), s.get(Status.CRASH))));
        long warnings = results.stream().filter(r -> r.level() == Level.RECOMMENDED && r.status().failed()).count();
        sb.append("VERDICT: ").append(Verdict.of(results));
        if (warnings > 0) {
            sb.append(" (").append(warnings).append(" recommended test(s) failed)");
        }
        return sb.append('\n').toString();
    }

    private static String q(String s) {
        StringBuilder sb = new StringBuilder();
        FlatJson.quote(sb, s);
        return sb.toString();
    }

    private static String list(Iterable<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String s : items) {
            sb.append(sb.length() > 1 ? ", " : "").append(q(s));
        }
        return sb.append(']').toString();
    }

    public static String json(TesteeInfo info, List<CaseResult> results) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"format\": \"vboost-conformance-results/1\",\n");
        sb.append("  \"suite\": {\"version\": ").append(q(SUITE_VERSION)).append(", \"spec\": ").append(q(SPEC_VERSION))
                .append(", \"testee_protocol\": \"1\"},\n");
        sb.append("  \"created\": ").append(q(Instant.now().toString())).append(",\n");
        sb.append("  \"implementation\": {\"name\": ").append(q(info.name())).append(", \"version\": ")
                .append(q(info.version())).append(", \"language\": ").append(q(info.language())).append(", \"spec\": ")
                .append(q(info.spec())).append(", \"roles\": ").append(list(new TreeSet<>(info.roles())))
                .append(", \"features\": ").append(list(new TreeSet<>(info.features()))).append(", \"transport\": ")
                .append(q(info.transport())).append("},\n");
        sb.append("  \"environment\": {\"os\": ").append(q(System.getProperty("os.name", "?") + " "
                + System.getProperty("os.version", "?"))).append(", \"arch\": ").append(q(System.getProperty("os.arch", "?")))
                .append(", \"cpus\": ").append(q(Integer.toString(Runtime.getRuntime().availableProcessors())))
                .append(", \"jvm\": ").append(q(System.getProperty("java.version", "?"))).append("},\n");
        sb.append("  \"summary\": {\"verdict\": ").append(q(Verdict.of(results)));
        counts(results).forEach((level, s) -> {
            sb.append(", ").append(q(level.name().toLowerCase(Locale.ROOT))).append(": {");
            boolean first = true;
            for (Map.Entry<Status, Integer> e : s.entrySet()) {
                sb.append(first ? "" : ", ").append(q(e.getKey().name().toLowerCase(Locale.ROOT))).append(": ")
                        .append(e.getValue());
                first = false;
            }
            sb.append('}');
        });
        sb.append("},\n  \"tests\": [");
        boolean first = true;
        for (CaseResult r : results) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            sb.append("    {\"id\": ").append(q(r.id())).append(", \"level\": ")
                    .append(q(r.level().name().toLowerCase(Locale.ROOT))).append(", \"spec_ref\": ").append(q(r.spec()))
                    .append(", \"title\": ").append(q(r.title())).append(", \"status\": ").append(q(r.status().name()))
                    .append(", \"duration_ms\": ").append(r.durationMillis()).append(", \"message\": ")
                    .append(q(r.message())).append(", \"rule\": ").append(q(r.rule())).append(", \"diff\": ")
                    .append(list(r.diff())).append(", \"hexdump\": ").append(q(r.hexdump())).append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String xml(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return sb.toString();
    }

    public static String junitXml(TesteeInfo info, List<CaseResult> results) {
        long failures = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long errors = results.stream().filter(r -> r.status().failed() && r.status() != Status.FAIL).count();
        long skipped = results.stream().filter(r -> r.status() == Status.SKIP).count();
        double time = results.stream().mapToLong(CaseResult::durationMillis).sum() / 1000.0;
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<testsuite name=\"vboost-conformance %s\" tests=\"%d\" failures=\"%d\" "
                + "errors=\"%d\" skipped=\"%d\" time=\"%.3f\">%n", xml(info.name()), results.size(), failures, errors,
                skipped, time));
        for (CaseResult r : results) {
            sb.append(String.format(Locale.ROOT, "  <testcase classname=\"vboost.conformance.%s\" name=\"%s\" time=\"%.3f\"",
                    r.level().prefix(), xml(r.id()), r.durationMillis() / 1000.0));
            if (r.status() == Status.PASS) {
                sb.append("/>\n");
                continue;
            }
            sb.append(">\n");
            String body = r.message() + (r.rule().isEmpty() ? "" : "\nrule: " + r.rule()) + "\n"
                    + String.join("\n", r.diff()) + "\n" + r.hexdump();
            if (r.status() == Status.SKIP) {
                sb.append("    <skipped message=\"").append(xml(r.message())).append("\"/>\n");
            } else if (r.status() == Status.FAIL) {
                sb.append("    <failure message=\"").append(xml(r.message())).append("\" type=\"FAIL\">")
                        .append(xml(body)).append("</failure>\n");
            } else {
                sb.append("    <error message=\"").append(xml(r.message())).append("\" type=\"").append(r.status())
                        .append("\">").append(xml(body)).append("</error>\n");
            }
            sb.append("  </testcase>\n");
        }
        return sb.append("</testsuite>\n").toString();
    }

    /** Writes results.json and TEST-vboost-conformance.xml into {@code dir}. */
    public static void write(Path dir, TesteeInfo info, List<CaseResult> results) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), json(info, results), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("TEST-vboost-conformance.xml"), junitXml(info, results), StandardCharsets.UTF_8);
    }
}

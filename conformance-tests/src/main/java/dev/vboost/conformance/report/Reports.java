package dev.vboost.conformance.report;

import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.suite.Status;
import dev.vboost.conformance.testee.TesteeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
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

    /** Two-space indentation and {@code "key": value}, one field per line. */
    private static final ObjectMapper JSON = new ObjectMapper().setDefaultPrettyPrinter(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)))
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static ArrayNode strings(Iterable<String> items) {
        ArrayNode a = JSON.createArrayNode();
        items.forEach(a::add);
        return a;
    }

    /** results.json, schema {@code spec/conformance-results.md}. */
    public static String json(TesteeInfo info, List<CaseResult> results) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "vboost-conformance-results/1");
        ObjectNode suite = root.putObject("suite");
        suite.put("version", SUITE_VERSION);
        suite.put("spec", SPEC_VERSION);
        suite.put("testee_protocol", "1");
        root.put("created", Instant.now().toString());
        ObjectNode impl = root.putObject("implementation");
        impl.put("name", info.name());
        impl.put("version", info.version());
        impl.put("language", info.language());
        impl.put("spec", info.spec());
        impl.set("roles", strings(new TreeSet<>(info.roles())));
        impl.set("features", strings(new TreeSet<>(info.features())));
        impl.put("transport", info.transport());
        ObjectNode env = root.putObject("environment");
        env.put("os", System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "?"));
        env.put("arch", System.getProperty("os.arch", "?"));
        env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("jvm", System.getProperty("java.version", "?"));
        ObjectNode summary = root.putObject("summary");
        summary.put("verdict", Verdict.of(results));
        counts(results).forEach((level, st) -> {
            ObjectNode l = summary.putObject(level.name().toLowerCase(Locale.ROOT));
            st.forEach((k, v) -> l.put(k.name().toLowerCase(Locale.ROOT), v));
        });
        ArrayNode tests = root.putArray("tests");
        for (CaseResult r : results) {
            ObjectNode t = tests.addObject();
            t.put("id", r.id());
            t.put("level", r.level().name().toLowerCase(Locale.ROOT));
            t.put("spec_ref", r.spec());
            t.put("title", r.title());
            t.put("status", r.status().name());
            t.put("duration_ms", r.durationMillis());
            t.put("message", r.message());
            t.put("rule", r.rule());
            t.set("diff", strings(r.diff()));
            t.put("hexdump", r.hexdump());
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /** XML 1.0 has no place for most control characters, even escaped. */
    private static String xmlText(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c));
        return sb.toString();
    }

    /** JUnit XML ({@code TEST-vboost-conformance.xml}), written with the JDK's StAX writer. */
    public static String junitXml(TesteeInfo info, List<CaseResult> results) {
        long failures = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long errors = results.stream().filter(r -> r.status().failed() && r.status() != Status.FAIL).count();
        long skipped = results.stream().filter(r -> r.status() == Status.SKIP).count();
        double time = results.stream().mapToLong(CaseResult::durationMillis).sum() / 1000.0;
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuite");
            x.writeAttribute("name", xmlText("vboost-conformance " + info.name()));
            x.writeAttribute("tests", Integer.toString(results.size()));
            x.writeAttribute("failures", Long.toString(failures));
            x.writeAttribute("errors", Long.toString(errors));
            x.writeAttribute("skipped", Long.toString(skipped));
            x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", time));
            for (CaseResult r : results) {
                x.writeCharacters("\n  ");
                x.writeStartElement("testcase");
                x.writeAttribute("classname", "vboost.conformance." + r.level().prefix());
                x.writeAttribute("name", xmlText(r.id()));
                x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", r.durationMillis() / 1000.0));
                if (r.status() != Status.PASS) {
                    String body = r.message() + (r.rule().isEmpty() ? "" : "\nrule: " + r.rule()) + "\n"
                            + String.join("\n", r.diff()) + "\n" + r.hexdump();
                    x.writeCharacters("\n    ");
                    if (r.status() == Status.SKIP) {
                        x.writeEmptyElement("skipped");
                        x.writeAttribute("message", xmlText(r.message()));
                    } else {
                        x.writeStartElement(r.status() == Status.FAIL ? "failure" : "error");
                        x.writeAttribute("message", xmlText(r.message()));
                        x.writeAttribute("type", r.status().name());
                        x.writeCharacters(xmlText(body));
                        x.writeEndElement();
                    }
                    x.writeCharacters("\n  ");
                }
                x.writeEndElement();
            }
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing JUnit XML to a string failed", e);
        }
        return out + "\n";
    }

    /** Writes results.json and TEST-vboost-conformance.xml into {@code dir}. */
    public static void write(Path dir, TesteeInfo info, List<CaseResult> results) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), json(info, results), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("TEST-vboost-conformance.xml"), junitXml(info, results), StandardCharsets.UTF_8);
    }
}

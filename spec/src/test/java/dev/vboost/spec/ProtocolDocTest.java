package dev.vboost.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** spec/protocol.md stays in step with the layout table, the vectors and the section numbers code cites. */
class ProtocolDocTest {

    private static final String TABLE_HEADER = "| Offset | Size | Type | Field | Writer | Access | Since | Meaning |";

    private static Path spec() {
        return Path.of(System.getProperty("vboost.spec.dir", "")).toAbsolutePath();
    }

    private static String doc() throws IOException {
        return Files.readString(spec().resolve("protocol.md"));
    }

    private static JsonNode layout() throws IOException {
        return new ObjectMapper().readTree(spec().resolve(VectorGenerator.LAYOUT_1_1).toFile());
    }

    @Test
    void byteTablesAreTheLayoutTableRowForRow() throws IOException {
        List<List<String>> tables = new ArrayList<>();
        List<String> current = null;
        for (String line : doc().split("\n")) {
            if (line.equals(TABLE_HEADER)) {
                current = new ArrayList<>();
                tables.add(current);
            } else if (current != null && line.startsWith("|") && !line.startsWith("|---")) {
                current.add(line);
            } else if (current != null && !line.startsWith("|")) {
                current = null;
            }
        }
        JsonNode structs = layout().get("structs");
        assertEquals(structs.size(), tables.size(), "one byte table per struct");
        for (int s = 0; s < structs.size(); s++) {
            JsonNode st = structs.get(s);
            List<String> expected = new ArrayList<>();
            for (JsonNode f : st.get("fields")) {
                expected.add("| " + f.get("offset").asText() + " | " + f.get("size").asText() + " | "
                        + f.get("type").asText() + " | `" + f.get("name").asText() + "` | "
                        + st.get("writer").asText() + " | " + f.get("access").asText() + " | "
                        + f.get("since").asText() + " | " + f.get("meaning").asText() + " |");
            }
            assertEquals(expected, tables.get(s), "byte table of " + st.get("name").asText());
        }
    }

    @Test
    void sectionNumbersCitedByCodeExist() throws IOException {
        String doc = doc();
        List<String> sections = new ArrayList<>(List.of("## §1 ", "## §2 ", "## §3 ", "## §4 ", "## §5 ", "## §6 ",
                "## §7 ", "## §8 ", "## §9 ", "## §10 ", "## §11 "));
        for (int i = 1; i <= 7; i++) {
            sections.add("### §3." + i + " ");
        }
        for (int i = 1; i <= 4; i++) {
            sections.add("### §4." + i + " ");
            sections.add("### §7." + i + " ");
        }
        for (int i = 1; i <= 10; i++) {
            sections.add("### §5." + i + " ");
        }
        for (String s : sections) {
            assertTrue(doc.contains("\n" + s), "missing heading " + s.trim());
        }
        for (String step : List.of("W1", "W2", "W3", "W4", "R1", "R2", "R3", "R4", "R5", "H1", "H2", "H3", "H4",
                "G1", "G2", "G3", "C13", "CG7", "CS5", "CK3")) {
            assertTrue(doc.contains("| " + step + " |"), "step " + step + " has a row");
        }
    }

    @Test
    void everyRegionErrorAndHypercallIsSpecified() throws IOException {
        String doc = doc();
        JsonNode layout = layout();
        for (Iterator<String> it = layout.get("region_errors").fieldNames(); it.hasNext();) {
            String code = it.next();
            assertTrue(doc.contains("| `" + code + "` |"), code + " in the §6.1 table");
        }
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = layout.get("hypercalls").get("calls").fields();
                it.hasNext();) {
            java.util.Map.Entry<String, JsonNode> call = it.next();
            int at = doc.indexOf("#### " + call.getKey());
            assertTrue(at > 0, call.getKey() + " has a §7.3 entry");
            assertTrue(doc.startsWith("* **Number:** " + call.getValue().get("nr").asText(),
                    doc.indexOf('\n', at) + 2), call.getKey() + " number");
        }
    }

    @Test
    void vectorsNamedInTheTextExist() throws IOException {
        String index = Files.readString(spec().resolve(VectorGenerator.VECTORS).resolve("index.json"))
                + Files.readString(spec().resolve(VectorGenerator.VECTORS_1_1).resolve("index.json"));
        Matcher m = Pattern.compile("\\bV(\\d{3})\\b").matcher(doc());
        int seen = 0;
        while (m.find()) {
            assertTrue(index.contains("\"id\": \"V" + m.group(1) + "-"), "vector V" + m.group(1) + " exists");
            seen++;
        }
        assertTrue(seen > 20, "the threat model cites vectors");
    }
}

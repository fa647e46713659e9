package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What {@link Json} writes parses back (Jackson's own reader) to the values given, in the layout tests grep. */
class JsonTest {
    @Test
    void nestedDocumentRoundTrips() throws Exception {
        Json j = new Json();
        j.open();
        j.field("name", "a \"quoted\"\tname\u0001\\");
        j.field("none", (String) null);
        j.field("count", -7L);
        j.field("ok", true);
        j.field("share", 0.123456);
        j.field("nan", Double.NaN);
        j.key("inner").open();
        j.field("x", 1L);
        j.close();
        j.key("list").openArray();
        for (int i = 0; i < 2; i++) {
            j.open();
            j.field("index", i);
            j.close();
        }
        j.closeArray();
        j.close();
        String text = j.toString();

        JsonNode n = new ObjectMapper().readTree(text);
        assertEquals("a \"quoted\"\tname\u0001\\", n.get("name").asText());
        assertTrue(n.get("none").isNull());
        assertEquals(-7, n.get("count").asLong());
        assertTrue(n.get("ok").asBoolean());
        assertEquals(0.1235, n.get("share").asDouble(), 1e-12);
        assertTrue(n.get("nan").isNull());
        assertEquals(1, n.get("inner").get("x").asLong());
        assertEquals(1, n.get("list").get(1).get("index").asLong());
        assertTrue(text.contains("\n  \"count\": -7,\n"), text);
        assertTrue(text.endsWith("}\n"), text);
    }
}

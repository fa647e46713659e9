package dev.vboost.conformance.testee;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The payload format of testee protocol §3: one flat JSON object whose values are all strings, read and
 * written with Jackson. Anything else (nesting, numbers, arrays, trailing bytes) is refused with the reason.
 */
public final class FlatJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private FlatJson() {
    }

    public static String write(Map<String, String> m) {
        ObjectNode o = MAPPER.createObjectNode();
        m.forEach(o::put);
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** Parses a flat object of strings; throws {@link IllegalArgumentException} saying what is wrong otherwise. */
    public static Map<String, String> parse(String text) {
        JsonNode n;
        try {
            n = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (payloads are flat JSON objects of strings): "
                    + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("payload is not a JSON object: " + text);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("value of '" + e.getKey() + "' is not a string (testee protocol §3)");
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return m;
    }
}

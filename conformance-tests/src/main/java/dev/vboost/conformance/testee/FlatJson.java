package dev.vboost.conformance.testee;

import java.util.LinkedHashMap;
import java.util.Map;

/** The payload format of testee protocol §3: one flat JSON object whose values are all strings. */
public final class FlatJson {

    private FlatJson() {
    }

    public static String write(Map<String, String> m) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(':');
            quote(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Parses a flat object of strings; throws {@link IllegalArgumentException} with the position otherwise. */
    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        int[] pos = {skip(text, 0)};
        expect(text, pos, '{');
        pos[0] = skip(text, pos[0]);
        if (peek(text, pos[0]) == '}') {
            return m;
        }
        while (true) {
            pos[0] = skip(text, pos[0]);
            String k = string(text, pos);
            pos[0] = skip(text, pos[0]);
            expect(text, pos, ':');
            pos[0] = skip(text, pos[0]);
            m.put(k, string(text, pos));
            pos[0] = skip(text, pos[0]);
            char c = peek(text, pos[0]);
            pos[0]++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected ',' or '}' at " + (pos[0] - 1) + " in " + text);
            }
        }
    }

    private static String string(String t, int[] pos) {
        expect(t, pos, '"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek(t, pos[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = peek(t, pos[0]++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos[0] + 4 > t.length()) {
                            throw new IllegalArgumentException("short \\u escape in " + t);
                        }
                        sb.append((char) Integer.parseInt(t.substring(pos[0], pos[0] + 4), 16));
                        pos[0] += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + t);
                }
            } else {
                sb.append(c);
            }
        }
    }

    private static void expect(String t, int[] pos, char c) {
        if (peek(t, pos[0]) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + pos[0] + " in " + t
                    + " (payloads are flat JSON objects of strings)");
        }
        pos[0]++;
    }

    private static char peek(String t, int i) {
        if (i >= t.length()) {
            throw new IllegalArgumentException("unexpected end of payload: " + t);
        }
        return t.charAt(i);
    }

    private static int skip(String t, int i) {
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        return i;
    }
}

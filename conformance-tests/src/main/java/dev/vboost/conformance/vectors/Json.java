package dev.vboost.conformance.vectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A small reader for the golden vector files (spec/vectors): objects, arrays, strings and {@code null}, as
 * those files use; numbers and booleans are read as their text. Throws {@link IllegalArgumentException} on
 * anything else.
 */
final class Json {
    private final String t;
    private int pos;

    private Json(String text) {
        this.t = text;
    }

    static @Nullable Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value();
        j.ws();
        if (j.pos != text.length()) {
            throw j.error("trailing characters");
        }
        return v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("vector JSON: " + what + " at offset " + pos);
    }

    private void ws() {
        while (pos < t.length() && Character.isWhitespace(t.charAt(pos))) {
            pos++;
        }
    }

    private char peek() {
        ws();
        if (pos >= t.length()) {
            throw error("unexpected end");
        }
        return t.charAt(pos);
    }

    private @Nullable Object value() {
        char c = peek();
        if (c == '{') {
            pos++;
            Map<String, @Nullable Object> m = new LinkedHashMap<>();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                if (peek() != '"') {
                    throw error("expected a key");
                }
                String k = string();
                if (peek() != ':') {
                    throw error("expected ':'");
                }
                pos++;
                m.put(k, value());
                char n = peek();
                pos++;
                if (n == '}') {
                    return m;
                }
                if (n != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }
        if (c == '[') {
            pos++;
            List<@Nullable Object> l = new ArrayList<>();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                l.add(value());
                char n = peek();
                pos++;
                if (n == ']') {
                    return l;
                }
                if (n != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }
        if (c == '"') {
            return string();
        }
        int start = pos;
        while (pos < t.length() && "{}[],: \t\r\n".indexOf(t.charAt(pos)) < 0) {
            pos++;
        }
        String word = t.substring(start, pos);
        if (word.isEmpty()) {
            throw error("unexpected '" + c + "'");
        }
        return word.equals("null") ? null : word;
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= t.length()) {
                throw error("unterminated string");
            }
            char c = t.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = t.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(t.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
    }
}

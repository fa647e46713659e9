package dev.vboost.tools;

import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A tiny JSON writer: objects, arrays, strings, numbers (NaN as null), booleans. */
public final class Json {
    private final StringBuilder s = new StringBuilder();
    private boolean first = true;
    private int depth;

    public Json open() {
        comma();
        s.append('{');
        depth++;
        first = true;
        return this;
    }

    public Json openArray() {
        comma();
        s.append('[');
        depth++;
        first = true;
        return this;
    }

    public void close() {
        depth--;
        s.append('\n').append("  ".repeat(depth)).append('}');
        first = false;
    }

    public void closeArray() {
        depth--;
        s.append('\n').append("  ".repeat(depth)).append(']');
        first = false;
    }

    private boolean pendingKey;

    private void comma() {
        if (pendingKey) {
            pendingKey = false;
            return;
        }
        if (!first) {
            s.append(',');
        }
        if (depth > 0) {
            s.append('\n').append("  ".repeat(depth));
        }
        first = false;
    }

    public Json key(String k) {
        comma();
        s.append(quote(k)).append(": ");
        pendingKey = true;
        return this;
    }

    public void field(String k, @Nullable String v) {
        key(k);
        comma();
        s.append(v == null ? "null" : quote(v));
    }

    public void field(String k, long v) {
        key(k);
        comma();
        s.append(v);
    }

    public void field(String k, boolean v) {
        key(k);
        comma();
        s.append(v);
    }

    public void field(String k, double v) {
        key(k);
        comma();
        s.append(Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v));
    }

    private static String quote(String v) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"' || ch == '\\') {
                q.append('\\').append(ch);
            } else if (ch < 0x20) {
                q.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                q.append(ch);
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return s.toString() + "\n";
    }
}

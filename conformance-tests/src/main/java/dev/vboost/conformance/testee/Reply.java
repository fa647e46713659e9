package dev.vboost.conformance.testee;

import java.util.Map;

/**
 * A testee's answer to one command or operation (testee protocol §3).
 *
 * @param status {@code ok}, {@code error}, {@code unsupported} or {@code internal}
 * @param values every key of the reply payload except {@code status}
 */
public record Reply(String status, Map<String, String> values) {

    public static Reply ok(Map<String, String> values) {
        return new Reply("ok", Map.copyOf(values));
    }

    public static Reply ok() {
        return new Reply("ok", Map.of());
    }

    public static Reply error(String code, String message) {
        return new Reply("error", Map.of("code", code, "message", message));
    }

    public static Reply unsupported(String message) {
        return new Reply("unsupported", Map.of("message", message));
    }

    public static Reply internal(String message) {
        return new Reply("internal", Map.of("message", message));
    }

    public boolean isOk() {
        return status.equals("ok");
    }

    public boolean isError() {
        return status.equals("error");
    }

    public boolean isUnsupported() {
        return status.equals("unsupported");
    }

    /** The error code of an {@code error} reply, else the empty string. */
    public String code() {
        return values.getOrDefault("code", "");
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("reply has no '" + key + "': " + this);
        }
        return v;
    }

    /** A result parsed as an unsigned (or, with a sign, signed) decimal integer. */
    public long getLong(String key) {
        String v = get(key);
        try {
            return dev.vboost.conformance.region.Unsigned.parse(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("reply key '" + key + "' is not a decimal integer: '" + v + "'", e);
        }
    }

    @Override
    public String toString() {
        return status + " " + values;
    }
}

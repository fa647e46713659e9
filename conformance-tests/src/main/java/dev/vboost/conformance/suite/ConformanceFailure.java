package dev.vboost.conformance.suite;

import java.util.List;

/**
 * The implementation broke a spec rule. Carries the rule in words, a field-by-field diff and, for byte
 * comparisons, a hex dump around the first difference.
 */
public final class ConformanceFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final String rule;
    private final List<String> diff;
    private final String hexdump;

    public ConformanceFailure(String rule, String message, List<String> diff, String hexdump) {
        super(message);
        this.rule = rule;
        this.diff = List.copyOf(diff);
        this.hexdump = hexdump;
    }

    public ConformanceFailure(String rule, String message) {
        this(rule, message, List.of(), "");
    }

    public String rule() {
        return rule;
    }

    public List<String> diff() {
        return diff;
    }

    public String hexdump() {
        return hexdump;
    }

    /** Message, rule, diff and hex dump, for consoles and reports. */
    public String details() {
        StringBuilder sb = new StringBuilder();
        sb.append(getMessage()).append("\n  rule: ").append(rule);
        for (String d : diff) {
            sb.append("\n  ").append(d);
        }
        if (!hexdump.isEmpty()) {
            sb.append('\n').append(hexdump);
        }
        return sb.toString();
    }
}

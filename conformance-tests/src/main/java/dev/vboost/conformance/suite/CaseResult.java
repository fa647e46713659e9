package dev.vboost.conformance.suite;

import java.util.List;

/** What one test did. {@code detail} holds the rule, diff and hex dump of a failure. */
public record CaseResult(String id, Level level, String spec, String title, Status status, String message,
        List<String> diff, String hexdump, String rule, long durationMillis) {
}

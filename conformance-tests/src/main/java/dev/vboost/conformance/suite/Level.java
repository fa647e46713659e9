package dev.vboost.conformance.suite;

/** How much a test weighs in the verdict (conformance design §4.6). */
public enum Level {
    /** Needed to interoperate; a failure makes the implementation NOT CONFORMANT. */
    REQUIRED,
    /** Good practice; a failure is a warning. */
    RECOMMENDED,
    /** Needs a declared feature; a failure of a declared feature counts like REQUIRED. */
    OPTIONAL,
    /** Concurrent evidence; a violation is a definite failure, a pass means "not disproven". */
    STOCHASTIC;

    /** The prefix of test ids at this level: {@code Required}, {@code Recommended}, ... */
    public String prefix() {
        String n = name();
        return n.charAt(0) + n.substring(1).toLowerCase(java.util.Locale.ROOT);
    }
}

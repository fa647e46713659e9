package dev.vboost.conformance.suite;

import java.util.Set;

/**
 * One conformance test. Its {@link #id()} is stable and names its level, area, spec section and subject,
 * e.g. {@code Required.Seqlock.R2.odd-counter-at-rest}; ids are never reused for another check.
 *
 * @param role     the testee role it drives: {@code guest} or {@code host}
 * @param features testee features it needs (testee protocol §4)
 * @param spec     the spec sections it checks, e.g. {@code §4.3}
 */
public record Case(String id, Level level, String spec, String role, Set<String> features, String title, Body body) {

    /** The test itself. */
    @FunctionalInterface
    public interface Body {
        void run(CaseContext c) throws Exception;
    }

    public static Case of(Level level, String area, String rule, String subject, String spec, String role,
            String title, Body body) {
        return new Case(level.prefix() + "." + area + "." + rule + "." + subject, level, spec, role, Set.of(), title, body);
    }

    public Case needing(String... feature) {
        return new Case(id, level, spec, role, Set.of(feature), title, body);
    }
}

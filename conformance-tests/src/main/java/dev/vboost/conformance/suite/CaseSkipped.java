package dev.vboost.conformance.suite;

/** The test cannot run against this testee (role, feature or operation not offered); carries the reason. */
public final class CaseSkipped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaseSkipped(String reason) {
        super(reason);
    }
}

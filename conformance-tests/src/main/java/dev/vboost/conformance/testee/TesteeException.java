package dev.vboost.conformance.testee;

/** The testee did not answer properly: it crashed, timed out or broke the protocol. */
public final class TesteeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** How the exchange failed; names the result status. */
    public enum Kind { CRASH, TIMEOUT, ERROR }

    private final Kind kind;

    public TesteeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

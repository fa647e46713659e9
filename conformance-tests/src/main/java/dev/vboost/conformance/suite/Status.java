package dev.vboost.conformance.suite;

/** Outcome of one test. */
public enum Status {
    PASS, FAIL, SKIP,
    /** The testee broke the testee protocol, or the environment failed. */
    ERROR,
    /** The testee missed a deadline and was killed. */
    TIMEOUT,
    /** The testee exited. */
    CRASH;

    public boolean failed() {
        return this == FAIL || this == ERROR || this == TIMEOUT || this == CRASH;
    }
}

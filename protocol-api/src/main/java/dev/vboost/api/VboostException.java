package dev.vboost.api;

/** A region or call failed one of the protocol's rules; {@link #error()} names which. */
public class VboostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The rule broken. */
    private final WireError error;

    /**
     * A failure of {@code error}'s rule.
     *
     * @param error the rule broken
     * @param detail what was found, for the message
     */
    public VboostException(WireError error, String detail) {
        super(error.code() + ": " + detail);
        this.error = error;
    }

    /**
     * The rule broken.
     *
     * @return the error
     */
    public WireError error() {
        return error;
    }
}

package dev.vboost.api;

/** A region or call failed one of the protocol's rules; {@link #error()} names which. */
public class VboostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final WireError error;

    public VboostException(WireError error, String detail) {
        super(error.code() + ": " + detail);
        this.error = error;
    }

    public WireError error() {
        return error;
    }
}

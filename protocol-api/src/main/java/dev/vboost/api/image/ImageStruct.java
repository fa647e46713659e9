package dev.vboost.api.image;

/** Where in a region an error was found; {@link #wireName()} is the struct name of the layout table. */
public enum ImageStruct {
    /** The image as a whole (too short for what its header describes). */
    REGION("region"),
    /** The host header. */
    HOST_HEADER("host_header"),
    /** The guest header. */
    GUEST_HEADER("guest_header"),
    /** A slot's guest line. */
    SLOT_GUEST_LINE("slot_guest_line"),
    /** A slot's host line. */
    SLOT_HOST_LINE("slot_host_line");

    private final String wireName;

    ImageStruct(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used in spec/layout/region-v1.0.json and in the golden vectors.
     *
     * @return the struct name
     */
    public String wireName() {
        return wireName;
    }
}

package dev.vboost.api.image;

/** Where in a region an error was found; {@link #wireName()} is the struct name of the layout table. */
public enum ImageStruct {
    /** The image as a whole (too short for what its header describes). */
    REGION("region"),
    HOST_HEADER("host_header"),
    GUEST_HEADER("guest_header"),
    SLOT_GUEST_LINE("slot_guest_line"),
    SLOT_HOST_LINE("slot_host_line");

    private final String wireName;

    ImageStruct(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in spec/layout/region-v1.0.json and in the golden vectors. */
    public String wireName() {
        return wireName;
    }
}

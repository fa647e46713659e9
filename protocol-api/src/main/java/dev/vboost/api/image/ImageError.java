package dev.vboost.api.image;

import dev.vboost.api.WireError;

/**
 * A rule of spec §6 broken by an image.
 *
 * @param error  which rule
 * @param struct where
 * @param slot   slot index for slot lines, -1 for the headers and the region
 * @param offset absolute byte offset in the region of the field that broke the rule (for
 *               {@link ImageStruct#REGION}: the image length, where the bytes ran out)
 */
public record ImageError(WireError error, ImageStruct struct, int slot, int offset) {

    @Override
    public String toString() {
        return error.code() + " at " + struct.wireName() + (slot >= 0 ? "[" + slot + "]" : "")
                + " offset 0x" + Integer.toHexString(offset) + " (" + error.rule() + ")";
    }
}

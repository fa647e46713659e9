package dev.vboost.api.image;

import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostState;

/**
 * Slot {@code index} of an image: its guest line and its host line, each judged alone.
 *
 * @param index the slot's index
 * @param guest the slot's guest line
 * @param host  the slot's host line
 */
public record SlotImage(int index, LineImage<GuestRequest> guest, LineImage<HostState> host) {
}

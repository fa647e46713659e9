package dev.vboost.api.image;

import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostState;

/** Slot {@code index} of an image: its guest line and its host line, each judged alone. */
public record SlotImage(int index, LineImage<GuestRequest> guest, LineImage<HostState> host) {
}

package dev.vboost.api;

import dev.vboost.api.wire.AttachState;

/** The guest header, decoded (spec §3.3). u16 widened to int, u32 to long. */
public record GuestHeader(long guestSeq, AttachState attachState, int guestAbiMajor, int guestAbiMinor,
        long attachedGeneration, long acceptedFeatures) {
}

package dev.vboost.api;

import dev.vboost.api.wire.AttachState;

/**
 * The guest header, decoded (spec §3.3). u16 widened to int, u32 to long.
 *
 * @param guestSeq           the header's seqlock counter
 * @param attachState        ATTACHED or DETACHED
 * @param guestAbiMajor      the ABI major the guest implements
 * @param guestAbiMinor      the ABI minor the guest uses (the lower of both sides')
 * @param attachedGeneration the host generation the guest attached to
 * @param acceptedFeatures   the {@link dev.vboost.api.wire.Feature} bits both sides use
 */
public record GuestHeader(long guestSeq, AttachState attachState, int guestAbiMajor, int guestAbiMinor,
        long attachedGeneration, long acceptedFeatures) {
}

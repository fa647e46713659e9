package dev.vboost.impl.line;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.memory.Fences;

/**
 * Host-side reader of the guest header (spec §3.3). Untrusted input: {@link #validate} checks it against the
 * host's own header.
 *
 * <p><b>Threading:</b> holds the last copy; one per reading thread. <b>Ordering:</b> R1..R5 of spec §4.3.
 * <b>Ownership:</b> never writes. <b>Allocation:</b> none, except {@link #toRecord()}.
 */
public final class GuestHeaderReader {
    private static final int BASE = RegionLayout.GUEST_HEADER_OFFSET;

    private final SharedMemory memory;
    private final Fences fences;
    private int seq;
    private int attachState;
    private int abiMajor;
    private int abiMinor;
    private int attachedGeneration;
    private long acceptedFeatures;

    public GuestHeaderReader(SharedMemory memory) {
        this.memory = memory;
        this.fences = Fences.of(memory);
    }

    /** Bounded seqlock copy: OK or BUSY (the previous copy is kept then). */
    public ReadStatus read() {
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int s1 = memory.getIntAcquire(BASE + GuestHeaderLayout.GUEST_SEQ_OFFSET); // R1: pairs with guest header W4 release (spec §4.3)
            if ((s1 & 1) != 0) {                                                          // R2: odd, guest inside W1..W4 (spec §4.3)
                Thread.onSpinWait();
                continue;
            }
            final int state = memory.getInt(BASE + GuestHeaderLayout.ATTACH_STATE_OFFSET); // R3: plain copy (spec §4.3)
            final int major = memory.getShort(BASE + GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET) & 0xFFFF;
            final int minor = memory.getShort(BASE + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET) & 0xFFFF;
            final int generation = memory.getInt(BASE + GuestHeaderLayout.ATTACHED_GENERATION_OFFSET);
            final long features = memory.getLong(BASE + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET);
            fences.acquireFence();                                                         // R4: R3 loads before R5 (spec §4.3)
            final int s2 = memory.getInt(BASE + GuestHeaderLayout.GUEST_SEQ_OFFSET);       // R5: same as R1 (spec §4.3)
            if (s1 == s2) {
                seq = s1;
                attachState = state;
                abiMajor = major;
                abiMinor = minor;
                attachedGeneration = generation;
                acceptedFeatures = features;
                return ReadStatus.OK;
            }
            Thread.onSpinWait();
        }
        return ReadStatus.BUSY;
    }

    /**
     * Checks the last copy against the host's header, CG2..CG7 in the order of spec §6.3 (CG1, a consistent
     * copy, is {@link #read()}'s): a defined attach state, then for an ATTACHED guest no undefined accepted
     * bits, the current generation, the host's major, a minor not above the host's, features offered.
     */
    public WireError validate(int hostGeneration, int hostMinor, long hostFeatures) {
        AttachState state = AttachState.fromCode(attachState);
        if (state == AttachState.UNKNOWN) {                                   // CG2
            return WireError.INVALID_VALUE;
        }
        if (state == AttachState.DETACHED) {
            return WireError.NONE; // the other fields carry no meaning (spec §3.3)
        }
        if (Feature.hasUndefinedBits(acceptedFeatures, abiMinor)) {           // CG3 at the guest's minor
            return WireError.RESERVED_BITS;
        }
        if (attachedGeneration != hostGeneration) {                           // CG4
            return WireError.STALE_GENERATION;
        }
        if (abiMajor != RegionLayout.ABI_MAJOR) {                             // CG5
            return WireError.UNSUPPORTED_MAJOR;
        }
        if (abiMinor > hostMinor) {                                           // CG6
            return WireError.INVALID_VALUE;
        }
        if ((acceptedFeatures & ~hostFeatures) != 0) {                        // CG7
            return WireError.INVALID_VALUE;
        }
        return WireError.NONE;
    }

    public AttachState attachState() {
        return AttachState.fromCode(attachState);
    }

    public int attachedGeneration() {
        return attachedGeneration;
    }

    public long acceptedFeatures() {
        return acceptedFeatures;
    }

    /** The last copy, decoded; allocates. */
    public GuestHeader toRecord() {
        return new GuestHeader(Integer.toUnsignedLong(seq), AttachState.fromCode(attachState), abiMajor, abiMinor,
                Integer.toUnsignedLong(attachedGeneration), acceptedFeatures);
    }
}

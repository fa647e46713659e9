package dev.vboost.impl.line;

import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.AttachState;
import dev.vboost.impl.memory.Fences;

/**
 * Guest-side writer of the guest header (spec §3.3), its only writer.
 *
 * <p><b>Threading:</b> not thread-safe; callers serialise attach and detach. <b>Ordering:</b> seqlock writer
 * steps W1..W4 of spec §4.2. <b>Allocation:</b> none.
 */
public final class GuestHeaderWriter {
    private static final int BASE = RegionLayout.GUEST_HEADER_OFFSET;

    private final SharedMemory memory;
    private final Fences fences;
    private int seq;
    private int attachState;
    private int abiMajor;
    private int abiMinor;
    private int attachedGeneration;
    private long acceptedFeatures;

    public GuestHeaderWriter(SharedMemory memory) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        int current = memory.getInt(BASE + GuestHeaderLayout.GUEST_SEQ_OFFSET);  // the guest's own line
        this.seq = (current & 1) == 0 ? current : current + 1;
    }

    /** Spec §5.2: ATTACHED to {@code generation} with the negotiated minor and features. */
    public void attach(int negotiatedMinor, int generation, long features) {
        attachState = AttachState.ATTACHED.code();
        abiMajor = RegionLayout.ABI_MAJOR;
        abiMinor = negotiatedMinor;
        attachedGeneration = generation;
        acceptedFeatures = features;
        publish(true);
    }

    /**
     * Spec §5.8 D1: DETACHED with the other fields zero (§3.3: they carry no meaning while DETACHED; the host learns
     * which attachment ended from {@code VBOOST_HC_DETACH(g)}, D2).
     */
    public void detach() {
        attachState = AttachState.DETACHED.code();
        abiMajor = 0;
        abiMinor = 0;
        attachedGeneration = 0;
        acceptedFeatures = 0;
        publish(false);
    }

    private void publish(boolean withReserved) {
        final int s = seq;
        memory.putIntOpaque(BASE + GuestHeaderLayout.GUEST_SEQ_OFFSET, s + 1);     // W1: odd; host R2 retries (spec §4.2)
        fences.storeStoreFence();                                                   // W1: odd count before W2; pairs with host R4/R5 (spec §4.2)
        memory.putInt(BASE + GuestHeaderLayout.ATTACH_STATE_OFFSET, attachState);  // W2: plain data stores (spec §4.2)
        memory.putShort(BASE + GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET, (short) abiMajor);
        memory.putShort(BASE + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET, (short) abiMinor);
        memory.putInt(BASE + GuestHeaderLayout.ATTACHED_GENERATION_OFFSET, attachedGeneration);
        memory.putLong(BASE + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET, acceptedFeatures);
        if (withReserved) {
            memory.setMemory(BASE + GuestHeaderLayout.RESERVED0_OFFSET, GuestHeaderLayout.RESERVED0_LENGTH, (byte) 0);
        }
        // W3: nothing between the data and the closing store
        memory.putIntRelease(BASE + GuestHeaderLayout.GUEST_SEQ_OFFSET, s + 2);    // W4: even, release; pairs with host R1 acquire (spec §4.2)
        seq = s + 2;
    }
}

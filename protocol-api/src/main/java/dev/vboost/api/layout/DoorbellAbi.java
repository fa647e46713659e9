package dev.vboost.api.layout;

/**
 * The doorbell transport's numbers (spec §12), since 1.1; the C header's {@code VBOOST_DOORBELL_*}. The
 * feature bit is {@link dev.vboost.api.wire.Feature#DOORBELL}; it is not part of the 1.0 mask
 * ({@link dev.vboost.api.wire.Feature#DEFINED_MASK_1_0}): a host offers it only in a region whose
 * {@code abi_minor} is at least 1.
 */
public final class DoorbellAbi {
    private DoorbellAbi() {
    }

    /** Bit index of feature DOORBELL in {@code host_features} / {@code accepted_features}. */
    public static final int FEATURE_BIT = 4;
    /** Feature DOORBELL as a mask ({@code 1 << FEATURE_BIT}), to test or set in a feature word. */
    public static final long FEATURE = 1L << FEATURE_BIT;
    /** The host (the ivshmem server) is peer 0; clients get ids from 1. */
    public static final int HOST_PEER_ID = 0;
    /** The vector that means "look at my changed lines". */
    public static final int VECTOR = 0;
    /** ivshmem BAR0 {@code IVPosition}: the guest's own peer id. */
    public static final int BAR0_IVPOSITION = 8;
    /** ivshmem BAR0 {@code Doorbell}: a 32-bit write of {@code (peer id << 16) | vector}. */
    public static final int BAR0_DOORBELL = 12;
    /** What a guest writes to ring the host. */
    public static final int VALUE = HOST_PEER_ID << 16 | VECTOR;
}

package dev.vboost.agent;

import dev.vboost.api.wire.HostBoostFlag;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What other threads leave for the agent thread about one VM: NOTIFY flags and host-boost requests per slot,
 * and a DETACH. Lock-free and allocation-free on both sides; the agent thread takes them at its next iteration.
 */
final class VmSignals {
    final int slotCount;
    final AtomicIntegerArray notifyFlags;
    final AtomicIntegerArray hostBoostRequests;
    final AtomicBoolean pending = new AtomicBoolean();
    final AtomicBoolean detachRequested = new AtomicBoolean();
    /** The region's generation as the agent thread last published it (0 while NOT_READY), for ATTACH checks. */
    volatile long generation;

    VmSignals(int slotCount) {
        this.slotCount = slotCount;
        this.notifyFlags = new AtomicIntegerArray(slotCount);
        this.hostBoostRequests = new AtomicIntegerArray(slotCount);
    }

    /** Queues a NOTIFY; false for a slot out of range. */
    boolean queueNotify(int slot, int flags) {
        if (slot < 0 || slot >= slotCount) {
            return false;
        }
        int v;
        do {
            v = notifyFlags.get(slot);
        } while (!notifyFlags.compareAndSet(slot, v, v | flags | 1)); // no lambda: nothing to bootstrap on first use
        pending.set(true);
        return true;
    }

    /** Queues a host-initiated boost (spec §5.5); false for a slot out of range or flags empty or undefined. */
    boolean queueHostBoost(int slot, int flags) {
        if (slot < 0 || slot >= slotCount || flags == 0 || HostBoostFlag.hasUndefinedBits(flags)) {
            return false;
        }
        int v;
        do {
            v = hostBoostRequests.get(slot);
        } while (!hostBoostRequests.compareAndSet(slot, v, v | flags));
        pending.set(true);
        return true;
    }
}

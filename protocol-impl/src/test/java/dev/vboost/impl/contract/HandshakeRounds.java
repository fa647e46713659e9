package dev.vboost.impl.contract;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.util.concurrent.TimeUnit;

/**
 * Lock-step request/acknowledge rounds on one slot, shared by the threaded and the cross-process tests. Every
 * field of both lines is a function of the request id, so a torn copy (fields of two versions) is detected
 * wherever it is read; the host checks ids arrive exactly in order, none lost or duplicated.
 * Failures throw {@link AssertionError} with the round and the values seen.
 */
public final class HandshakeRounds {
    private HandshakeRounds() {
    }

    public static SchedPolicy policyOf(long id) {
        return (id & 1) == 0 ? SchedPolicy.RR : SchedPolicy.FIFO;
    }

    public static int priorityOf(long id) {
        return 1 + (int) (id % 99);
    }

    public static int reasonsOf(long id) {
        return 1 + (int) (id % 127);
    }

    public static int denialOf(long id) {
        return (int) (id % 8);
    }

    public static int flagsOf(long id) {
        return (int) (id % 32);
    }

    public static int budgetOf(long id) {
        return (int) (id * 2654435761L);
    }

    /** Checks a guest line copy against its own request id. */
    public static void checkGuestLine(GuestSlotSnapshot s) {
        long id = s.requestId();
        if (id == 0 && s.request() == BoostRequest.NONE) {
            return;     // the line as attach left it
        }
        if (s.request() != BoostRequest.BOOST || s.policy() != policyOf(id) || s.priority() != priorityOf(id)
                || s.nice() != 0 || s.reasons() != reasonsOf(id) || s.hostBoostAck() != 0) {
            throw new AssertionError("torn or wrong guest line for request " + id + ": " + s);
        }
    }

    /** Checks a host line copy against its own acted request id. */
    public static void checkHostLine(HostSlotSnapshot s) {
        long id = s.actedRequestId();
        if (id == 0) {
            if (s.status() != SlotStatus.NORMAL || s.hostBoostId() != 0 || s.hostBoostFlags() != 0) {
                throw new AssertionError("initial host line is not clean: " + s);
            }
            return;
        }
        if (s.status() != SlotStatus.BOOSTED || s.policy() != policyOf(id) || s.priority() != priorityOf(id)
                || s.denialCode() != denialOf(id) || s.hostBoostFlags() != flagsOf(id)
                || s.budgetRemainingUs() != budgetOf(id) || s.hostBoostId() != id) {
            throw new AssertionError("torn or wrong host line for acted request " + id + ": " + s);
        }
    }

    /**
     * The guest side: on each of {@code slots} slots from {@code firstSlot}, {@code roundsPerSlot} requests. A
     * round publishes one request per slot, then waits until the host has acted on exactly each of them, so
     * the host can answer a whole round at once (as for a guest with several busy vCPUs).
     *
     * @return the number of requests acknowledged
     */
    public static long guest(GuestEndpoint guest, int firstSlot, int slots, long roundsPerSlot, long roundTimeoutMillis)
            throws InterruptedException {
        HostSlotSnapshot state = new HostSlotSnapshot();
        long[] ids = new long[slots];
        long acknowledged = 0;
        for (long r = 0; r < roundsPerSlot; r++) {
            for (int k = 0; k < slots; k++) {
                long next = ids[k] + 1;
                long id = guest.requestBoost(firstSlot + k, policyOf(next), priorityOf(next), 0, reasonsOf(next));
                if (id != next) {
                    throw new AssertionError("slot " + (firstSlot + k) + ": request id " + id + " after " + ids[k]
                            + " (the rounds need a freshly created region)");
                }
                ids[k] = id;
            }
            for (int k = 0; k < slots; k++) {
                int slot = firstSlot + k;
                if (!guest.awaitActed(slot, ids[k], TimeUnit.MILLISECONDS.toNanos(roundTimeoutMillis), state)) {
                    throw new AssertionError("round " + r + ", slot " + slot + ": host did not act on request " + ids[k]
                            + " within " + roundTimeoutMillis + " ms; last state " + state);
                }
                if (state.actedRequestId() != ids[k]) {
                    throw new AssertionError("round " + r + ", slot " + slot + ": host acted on "
                            + state.actedRequestId() + ", not " + ids[k]);
                }
                checkHostLine(state);
                acknowledged++;
            }
        }
        return acknowledged;
    }

    /**
     * The host side: acts on {@code roundsPerSlot} requests on each of {@code slots} slots from {@code firstSlot},
     * checking that each arrives once, in order, as the slot's next id, and untorn; publishes a host line
     * derived from it. Finds work through {@link HostEndpoint#pollChangedSlots}.
     *
     * @return the number of BUSY reads seen (allowed; the slot is reported again and re-read)
     */
    public static long host(HostEndpoint host, int firstSlot, int slots, long roundsPerSlot, long timeoutMillis) {
        GuestSlotSnapshot request = new GuestSlotSnapshot();
        HostSlotSnapshot state = new HostSlotSnapshot();
        int[] changed = new int[host.slotCount()];
        long[] expected = new long[slots];
        java.util.Arrays.fill(expected, 1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long total = roundsPerSlot * slots;
        long acted = 0;
        long busy = 0;
        long idle = 0;
        while (acted < total) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("host timed out after acting on " + acted + " of " + total + " requests");
            }
            int n = host.pollChangedSlots(changed);
            if (n == 0) {
                if ((++idle & 63) == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                int slot = changed[i];
                int k = slot - firstSlot;
                ReadStatus rs = host.readRequest(slot, request);
                if (rs == ReadStatus.BUSY) {
                    busy++;
                    continue;       // the counter moved on; the next poll reports the slot again
                }
                if (rs != ReadStatus.OK) {
                    throw new AssertionError("slot " + slot + ": invalid guest line: " + request);
                }
                checkGuestLine(request);
                if (request.request() == BoostRequest.NONE) {
                    continue;
                }
                if (k < 0 || k >= slots) {
                    throw new AssertionError("request on slot " + slot + ", outside the slots under test");
                }
                long id = request.requestId();
                if (id == expected[k] - 1) {
                    continue;       // already acted on: a counter change without a new request
                }
                if (id != expected[k]) {
                    throw new AssertionError("slot " + slot + ": expected request " + expected[k] + ", got " + id
                            + " (lost or duplicated)");
                }
                state.set(SlotStatus.BOOSTED, policyOf(id), priorityOf(id), DenialReason.fromCode(denialOf(id)),
                        flagsOf(id), budgetOf(id), id, id);
                host.publishState(slot, state);
                expected[k] = id + 1;
                acted++;
            }
        }
        return busy;
    }
}

package dev.vboost.hardening.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.HostUnderTest;
import java.util.concurrent.TimeUnit;

/** The second half of both restart tests: a new host over the same region, the guest re-attaching. */
final class HostRestartTestSupport {
    private HostRestartTestSupport() {
    }

    static void restartAndReattach(HostUnderTest host, HostUnderTest.Vm vm, GuestEndpoint old, long oldGeneration,
            long lastId) throws Exception {
        assertFalse(old.hostRestarted(), "restart seen before the host re-initialised the region");
        vm.restartEndpoint();                               // NOT_READY, host lines reset, generation + 1, READY
        assertTrue(old.hostRestarted(), "the attached guest did not notice the restart");
        HostSlotSnapshot seen = new HostSlotSnapshot();
        // §5.3: the stale endpoint refuses to request; its wait gives up at once instead of waiting for a host that
        // will never act, and does not take the id the restarted host took over (§5.9 step 3) for an answer
        VboostException refused = assertThrows(VboostException.class,
                () -> old.requestBoost(0, SchedPolicy.FIFO, 7, 0, BoostReason.RT_TASK.bit()));
        assertEquals(WireError.STALE_GENERATION, refused.error());
        long stale = lastId;
        long t0 = System.nanoTime();
        assertFalse(old.awaitActed(0, stale, TimeUnit.SECONDS.toNanos(10), seen));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "awaitActed waited for a dead generation");

        host.newAgent(null, true);
        // the ids each slot's line carries now: a re-attached guest must continue above them
        long[] before = new long[2];
        for (int slot = 0; slot < 2; slot++) {
            before[slot] = vm.file.memory().getLong(RegionLayout.guestLineOffset(slot) + GuestSlotLayout.REQUEST_ID_OFFSET);
        }
        assertTrue(before[0] >= stale, "slot 0 ids: " + before[0] + ", last " + stale);
        GuestEndpoint again = vm.attachGuest();
        long generation = again.hostHeader().hostGeneration();
        assertNotEquals(oldGeneration, generation, "generation unchanged by a restart");
        assertEquals(oldGeneration + 1, generation);
        for (int slot = 0; slot < 2; slot++) {
            long id = again.requestBoost(slot, SchedPolicy.FIFO, 7, 0, BoostReason.IRQ.bit());
            assertTrue(id > before[slot], "slot " + slot + ": request id " + id + " after " + before[slot]);
            assertTrue(again.awaitActed(slot, id, TimeUnit.SECONDS.toNanos(5), seen), "new host did not act");
            assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);
            long r = again.release(slot);
            assertTrue(again.awaitActed(slot, r, TimeUnit.SECONDS.toNanos(5), seen));
            assertEquals(SlotStatus.NORMAL, seen.status(), seen::toString);
        }
        host.stopAndCheck();
    }
}

package dev.vboost.hardening.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.HostUnderTest;
import dev.vboost.hardening.support.Realtime;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host restarts while guests are attached and boosted (spec §5.9): the old boosts are put back, the
 * generation changes, the guests notice, attach again and are served by the new host. Once with an orderly
 * stop, once with an agent that vanishes without stopping (a crash) and a successor that restores from the
 * lease journal.
 */
class HostRestartTest {
    private static final long ACK = TimeUnit.SECONDS.toNanos(5);

    private static long boost(GuestEndpoint guest, int slot) throws InterruptedException {
        HostSlotSnapshot seen = new HostSlotSnapshot();
        long id = guest.requestBoost(slot, SchedPolicy.FIFO, 7, 0, BoostReason.LOCK_HOLDER.bit());
        assertTrue(guest.awaitActed(slot, id, ACK, seen), "boost " + id + " on slot " + slot + " not acted on");
        assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);
        return id;
    }

    @Test
    void hostRestartsWithGuestsAttached(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy()
                .maxBoostNanos(TimeUnit.SECONDS.toNanos(30)).build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            HostAgent first = host.start();
            GuestEndpoint guest = vm.attachGuest();
            long generation = guest.hostHeader().hostGeneration();
            long last = boost(guest, 0);
            boost(guest, 1);
            assertTrue(host.linux().read(vm.tid(0)).isRealTime());

            first.stop();                                   // orderly: every thread back first
            host.assertOriginalsRestored();
            HostRestartTestSupport.restartAndReattach(host, vm, guest, generation, last);
        }
    }

    @Test
    void hostCrashesWithGuestsAttached(@TempDir Path dir) throws Exception {
        Realtime.assume();
        Path journal = dir.resolve("leases");
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy()
                .maxBoostNanos(TimeUnit.SECONDS.toNanos(30)).build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            // the crashing agent runs its loop on this thread, so it can vanish without stop()
            HostAgent crashing = host.newAgent(journal, false).prepare();
            GuestEndpoint guest = vm.attachGuest();
            long generation = guest.hostHeader().hostGeneration();
            HostSlotSnapshot seen = new HostSlotSnapshot();
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 7, 0, BoostReason.LOCK_HOLDER.bit());
            for (int i = 0; i < 1000 && !(guest.readHostState(0, seen) == dev.vboost.api.ReadStatus.OK
                    && seen.actedRequestId() >= id); i++) {
                crashing.runOnce();
            }
            assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);
            ThreadAttributes boosted = host.linux().read(vm.tid(0));
            assertTrue(boosted.isRealTime(), "not boosted: " + boosted);
            // crash: the agent is abandoned; the thread stays boosted and the journal holds its original. A real
            // crash also drops the journal's lock, which an agent abandoned in this JVM keeps: the successor reads
            // a copy of what is on disk
            Path onDisk = dir.resolve("leases-after-crash");
            java.nio.file.Files.copy(journal, onDisk);

            HostAgent successor = host.newAgent(onDisk, true);
            LeaseJournal.Recovery recovery = successor.recovery();
            assertTrue(recovery != null && recovery.clean(), "recovery failed: " + recovery);
            assertEquals(1, recovery.restored().size(), "recovery restored " + recovery.restored());
            assertEquals(vm.originals.get(vm.tid(0)), host.linux().read(vm.tid(0)), "crash left the thread boosted");
            successor.stop();
            HostRestartTestSupport.restartAndReattach(host, vm, guest, generation, id);
        }
    }
}

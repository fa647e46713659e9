package dev.vboost.hardening.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.Await;
import dev.vboost.hardening.support.ChildJvm;
import dev.vboost.hardening.support.HostUnderTest;
import dev.vboost.hardening.support.RawGuestLine;
import dev.vboost.hardening.support.Realtime;
import dev.vboost.impl.line.HostStateReader;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest process is killed with SIGKILL in the middle of a seqlock write: its slot's counter stays odd. The
 * host must stay sane (the boost it granted ends at its bound, the slot reads BUSY, other VMs are served), and
 * a restarted guest process must be able to attach again and be served on every slot.
 */
class GuestKilledMidWriteTest {

    @Test
    void guestKilledInTheMiddleOfAWrite(@TempDir Path dir) throws Exception {
        Realtime.assume();
        // a bound long enough for a cold child JVM to see its boost before it expires
        long bound = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        // and a budget the dead guest's boost cannot use up, so the restarted guest is not refused for it
        // (a quick restart lands in the same budget window)
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy().maxBoostNanos(bound)
                .budget(2 * bound, 4 * bound).build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "victim", 2);
            HostUnderTest.Vm other = host.addVm(dir, "other", 1);
            HostAgent agent = host.start();
            GuestEndpoint otherGuest = other.attachGuest();

            try (ChildJvm child = ChildJvm.start(dir, "dying-guest", GuestChild.class, vm.path.toString(),
                    "die-mid-write", "2")) {
                assertEquals("ACKED 0 BOOSTED NONE", child.expectLine("ACKED", 30_000), child::output);
                assertTrue(host.linux().read(vm.tid(0)).isRealTime(), "the dying guest's vCPU is not boosted");
                String mid = child.expectLine("MIDWRITE", 10_000);
                child.kill();
                assertTrue(!child.alive());
                int odd = Integer.parseInt(mid.substring("MIDWRITE ".length()));
                SharedMemory memory = MappedRegionFile.open(vm.path).memory();
                assertEquals(odd, new RawGuestLine(memory, 0).seq(), "the dead guest's counter changed");
                assertEquals(1, odd & 1);
            }
            // the host: the boost the dead guest held ends at its bound; the slot reads busy and stays so
            Await.until(5_000, () -> {
                try {
                    return host.linux().read(vm.tid(0)).equals(vm.originals.get(vm.tid(0)));
                } catch (Exception e) {
                    return false;
                }
            }, () -> "the dead guest's boost was not ended");
            Await.until(2_000, () -> agent.counters("victim").busyReads() > 0, () -> "odd counter never read busy");
            HostSlotSnapshot line = new HostSlotSnapshot();
            SharedMemory memory = MappedRegionFile.open(vm.path).memory();
            HostStateReader hostLine = new HostStateReader(memory, 0);
            // the agent restores the thread first, then publishes the end
            Await.until(2_000, () -> hostLine.read(line) == ReadStatus.OK && line.status() != SlotStatus.BOOSTED,
                    () -> "end of the dead guest's boost not published: " + line);
            // ended by its longest duration or, first, by the window's budget: either bound, published
            assertTrue(line.status() != SlotStatus.BOOSTED && (line.denial() == dev.vboost.api.wire.DenialReason.EXPIRED
                    || line.denial() == dev.vboost.api.wire.DenialReason.BUDGET_EXHAUSTED), "end not published: " + line);
            // other VMs are served meanwhile
            HostSlotSnapshot seen = new HostSlotSnapshot();
            long id = otherGuest.requestBoost(0, dev.vboost.api.wire.SchedPolicy.FIFO, 3, 0,
                    dev.vboost.api.wire.BoostReason.RT_TASK.bit());
            assertTrue(otherGuest.awaitActed(0, id, 5_000_000_000L, seen));
            assertEquals(SlotStatus.BOOSTED, seen.status());
            long r = otherGuest.release(0);
            assertTrue(otherGuest.awaitActed(0, r, 5_000_000_000L, seen));
            assertEquals(SlotStatus.NORMAL, seen.status());

            // a restarted guest takes the lines over (the odd counter moves on) and is served on every slot
            try (ChildJvm again = ChildJvm.start(dir, "restarted-guest", GuestChild.class, vm.path.toString(),
                    "reattach", "2")) {
                assertTrue(again.expectLine("ACKED 0", 30_000).startsWith("ACKED 0 BOOSTED"), again::output);
                assertTrue(again.expectLine("ACKED 1", 10_000).startsWith("ACKED 1 BOOSTED"), again::output);
                again.expectLine("DONE", 10_000);
                again.awaitSuccess(10_000);
            }
            assertEquals(0, new RawGuestLine(memory, 0).seq() & 1, "counter still odd after re-attach");
            assertTrue(HostUnderTest.agentThreadAlive());
            host.stopAndCheck();
        }
    }
}

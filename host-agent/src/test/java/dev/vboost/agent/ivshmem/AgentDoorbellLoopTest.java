package dev.vboost.agent.ivshmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.linux.Libc;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's own loop sleeping in an EventfdLoopWaiter: only a ring explains a prompt service. */
class AgentDoorbellLoopTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(5);
    private static final long SAFETY_POLL = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    @Test
    void aRingWakesTheAgentsOwnLoopAndASpuriousRingIsCounted() throws Exception {
        int ringFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        RecordingActuator actuator = new RecordingActuator().addThread(101, ThreadAttributes.normal(0));
        try (MappedRegionFile file = MappedRegionFile.create(dir.resolve("vm.vboost"), RegionLayout.regionSize(1));
                EventfdLoopWaiter waiter = new EventfdLoopWaiter(ringFd)) {
            // waits on the doorbell, so offers DOORBELL (spec §12.2): the guest accepts it and rings
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(1, Feature.DEFINED_MASK, 50, 3000));
            HostAgent agent = doorbellAgent(host, actuator, waiter).build().start();
            try {
                GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, new EventfdDoorbell(ringFd));
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                HostSlotSnapshot seen = new HostSlotSnapshot();
                assertTrue(guest.awaitActed(0, id, WAIT, seen), "only a ring can have served it in time: " + seen);
                // granted, not denied: the thread got the boost. A loaded machine may let the 3 ms boost expire
                // before this thread reads the line: expiry publishes EXPIRED with the same acted id (§5.6), so
                // NONE and EXPIRED both mean granted; any other reason is a denial
                assertTrue(seen.denial() == DenialReason.NONE || seen.denial() == DenialReason.EXPIRED,
                        "denial " + seen.denial());
                assertTrue(actuator.calls().stream().anyMatch(c -> c.op() == RecordingActuator.Op.APPLY && c.tid() == 101
                        && c.succeeded() && c.attributes() != null && c.attributes().policy() == ThreadAttributes.SCHED_RR
                        && c.attributes().priority() == 5),
                        "RR 5 applied to the vCPU thread: " + actuator.calls());
                long spurious = waiter.spuriousRings();
                new EventfdDoorbell(ringFd).ring(); // a ring with nothing changed
                long deadline = System.nanoTime() + WAIT;
                while (waiter.spuriousRings() == spurious && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertEquals(spurious + 1, waiter.spuriousRings(), "rings " + waiter.ringsReceived());
            } finally {
                agent.stop();
            }
        } finally {
            Libc.closeQuietly(ringFd);
        }
    }

    /**
     * Spec §12.2: a guest attached without DOORBELL never rings, so it is looked at at lazy-mode moments even by
     * an agent whose safety poll is 10 s. Its request is served well inside 5 s, where the safety poll alone
     * would take 10 s.
     */
    @Test
    void aGuestWithoutDoorbellIsLookedAtLazilyByADoorbellAgent() throws Exception {
        int ringFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        RecordingActuator actuator = new RecordingActuator().addThread(101, ThreadAttributes.normal(0));
        try (MappedRegionFile file = MappedRegionFile.create(dir.resolve("vm.vboost"), RegionLayout.regionSize(1));
                EventfdLoopWaiter waiter = new EventfdLoopWaiter(ringFd)) {
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(1, Feature.DEFINED_MASK, 50, 3000));
            GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.ALL_BUT_DOORBELL); // cannot ring
            HostAgent agent = doorbellAgent(host, actuator, waiter).lazyPollNanos(TimeUnit.MILLISECONDS.toNanos(1))
                    .build().start();
            try {
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                HostSlotSnapshot seen = new HostSlotSnapshot();
                assertTrue(guest.awaitActed(0, id, WAIT, seen), "a guest that never rings waited for the safety poll: "
                        + seen);
                assertEquals(0, waiter.ringsReceived(), "no ring was involved");
            } finally {
                agent.stop();
            }
        } finally {
            Libc.closeQuietly(ringFd);
        }
    }

    /** One VM on thread 101, the agent sleeping in {@code waiter} with a 10 s safety poll. */
    private static HostAgent.Builder doorbellAgent(HostEndpoint host, RecordingActuator actuator,
            EventfdLoopWaiter waiter) {
        return HostAgent.builder()
                .addVm("vm", host, PolicyConfig.defaults(), Map.of(0, 101))
                .actuator(actuator)
                .loopWaiter(waiter)
                .idlePollNanos(SAFETY_POLL);
    }

    @Test
    void aLongIdlePollNeedsAWaiterThatWakesOnRings() {
        HostAgent.Builder b = HostAgent.builder().actuator(new RecordingActuator()).idlePollNanos(SAFETY_POLL);
        assertThrows(IllegalArgumentException.class, b::build);
    }
}

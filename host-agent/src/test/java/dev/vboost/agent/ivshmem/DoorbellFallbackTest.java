package dev.vboost.agent.ivshmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doorbell end to end between threads (a guest endpoint ringing through an ivshmem client, the agent
 * sleeping in the eventfd waiter), and its loss: the server goes away, the guest keeps ringing an eventfd
 * nobody reads, and the agent still serves it by polling.
 */
class DoorbellFallbackTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);
    /** So long that only a ring can get a request served within {@link #WAIT}. */
    private static final long NO_POLL = TimeUnit.HOURS.toNanos(1);
    /**
     * The agent's clock runs this far ahead of {@link System#nanoTime()}, so every deadline it returns (at most
     * its 100 ms idle poll later on its own clock) lies an hour away for the loop: only a ring wakes it.
     */
    private static final long AHEAD = TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    void ringsWakeTheAgentAndALostDoorbellFallsBackToPolling() throws Exception {
        Path regionPath = dir.resolve("vm.vboost");
        Path socket = dir.resolve("vm.ivshmem");
        RecordingActuator actuator = new RecordingActuator().addThread(101, ThreadAttributes.normal(0));
        try (MappedRegionFile file = MappedRegionFile.create(regionPath, RegionLayout.regionSize(1))) {
            // waits on the doorbell, so offers DOORBELL (spec §12.2): the guest accepts it and rings
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(1, Feature.DEFINED_MASK, 50, 3000));
            HostAgent agent = HostAgent.builder()
                    .addVm("vm", host, PolicyConfig.defaults(), Map.of(0, 101))
                    .actuator(actuator)
                    .clock(() -> System.nanoTime() + AHEAD)
                    .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(100))
                    .build()
                    .prepare();
            HostSlotSnapshot seen = new HostSlotSnapshot();
            IvshmemServer server = IvshmemServer.start(socket, regionPath, 1,
                    PosixFilePermissions.fromString("rw-------"));
            EventfdLoopWaiter waiter = new EventfdLoopWaiter(server.hostEventFds());
            WaiterLoop loop = WaiterLoop.start(agent, waiter, NO_POLL);
            try (IvshmemPeer vm = IvshmemPeer.connect(socket, 1, 10_000);
                    MappedRegionFile guestFile = MappedRegionFile.open(regionPath)) {
                // the attach rings too: without it the agent would not see the guest before the safety poll
                GuestEndpoint guest = Regions.attachGuest(guestFile.memory(), Feature.DEFINED_MASK, vm.doorbell(0));
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                assertTrue(guest.awaitActed(0, id, WAIT, seen), "a ring got the request served: " + seen);
                assertEquals(SlotStatus.BOOSTED, seen.status());
                assertEquals(ThreadAttributes.rr(5), actuator.current(101));
                assertTrue(waiter.ringsReceived() >= 2, "attach and request rang: " + waiter.ringsReceived());

                // the doorbell is lost: the agent's server is gone (as after an agent restart, QEMU cannot
                // reconnect); the agent now waits with a short safety poll and no eventfd of that VM
                loop.close();
                waiter.close();
                server.close();
                long before = waiter.ringsReceived();
                try (EventfdLoopWaiter timerOnly = new EventfdLoopWaiter();
                        WaiterLoop polling = WaiterLoop.start(agent, timerOnly, TimeUnit.MILLISECONDS.toNanos(5))) {
                    long release = guest.release(0);  // still rings: into an eventfd nobody reads, harmlessly
                    assertTrue(guest.awaitActed(0, release, WAIT, seen), "served by polling: " + seen);
                    assertEquals(SlotStatus.NORMAL, seen.status());
                    assertEquals(ThreadAttributes.normal(0), actuator.current(101), "original attributes back");
                    assertEquals(0, timerOnly.ringsReceived());
                    assertEquals(before, waiter.ringsReceived());
                    guest.detach();
                }
            } finally {
                loop.close();
                waiter.close();
                server.close();
                agent.stop();
            }
        }
    }
}

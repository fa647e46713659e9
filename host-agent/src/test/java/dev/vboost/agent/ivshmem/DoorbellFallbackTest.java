package dev.vboost.agent.ivshmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.LoopWaiter;
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
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doorbell end to end between threads (a guest endpoint ringing through an ivshmem client, the agent's own
 * loop sleeping in the eventfd waiter), and its loss: the server goes away, the guest keeps ringing an eventfd
 * nobody reads, and the agent still serves it by polling (spec §12.5).
 */
class DoorbellFallbackTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);
    /**
     * The agent's clock runs this far ahead of {@link System#nanoTime()}, so every deadline its loop waits for
     * (at most its 100 ms idle poll later on its own clock) lies an hour away for the waiter: only a ring wakes it.
     */
    private static final long AHEAD = TimeUnit.HOURS.toNanos(1);
    /** After the loss: the lazy-mode period the host returns the guest to (§12.5), on the waiter's clock. */
    private static final long LAZY = TimeUnit.MILLISECONDS.toNanos(5);

    @TempDir
    Path dir;

    @Test
    void ringsWakeTheAgentAndALostDoorbellFallsBackToPolling() throws Exception {
        Path regionPath = dir.resolve("vm.vboost");
        Path socket = dir.resolve("vm.ivshmem");
        RecordingActuator actuator = new RecordingActuator().addThread(101, ThreadAttributes.normal(0));
        try (MappedRegionFile file = MappedRegionFile.create(regionPath, RegionLayout.regionSize(1));
                EventfdLoopWaiter timerOnly = new EventfdLoopWaiter()) {
            HostSlotSnapshot seen = new HostSlotSnapshot();
            IvshmemServer server = IvshmemServer.start(socket, regionPath, 1,
                    PosixFilePermissions.fromString("rw-------"));
            EventfdLoopWaiter doorbell = new EventfdLoopWaiter(server.hostEventFds());
            LosableDoorbell waiter = new LosableDoorbell(doorbell, timerOnly);
            // waits on the doorbell, so offers DOORBELL (spec §12.2): the guest accepts it and rings
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(1, Feature.DEFINED_MASK, 50, 3000));
            HostAgent agent = HostAgent.builder()
                    .addVm("vm", host, PolicyConfig.defaults(), Map.of(0, 101))
                    .actuator(actuator)
                    .clock(() -> System.nanoTime() + AHEAD)
                    .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(100))
                    .loopWaiter(waiter)
                    .build()
                    .start();
            try (IvshmemPeer vm = IvshmemPeer.connect(socket, 1, 10_000);
                    MappedRegionFile guestFile = MappedRegionFile.open(regionPath)) {
                // the attach rings too: without it the agent would not see the guest before the safety poll
                GuestEndpoint guest = Regions.attachGuest(guestFile.memory(), Feature.DEFINED_MASK, vm.doorbell(0));
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                assertTrue(guest.awaitActed(0, id, WAIT, seen), "a ring got the request served: " + seen);
                assertEquals(SlotStatus.BOOSTED, seen.status());
                assertEquals(ThreadAttributes.rr(5), actuator.current(101));
                assertTrue(doorbell.ringsReceived() >= 2, "attach and request rang: " + doorbell.ringsReceived());

                // the doorbell is lost: the agent's server is gone (as after a server failure; QEMU cannot
                // reconnect); the agent's loop now waits with the lazy period and no eventfd of that VM
                assertTrue(waiter.lose(WAIT), "the agent thread left the doorbell's wait");
                doorbell.close();
                server.close();
                long before = doorbell.ringsReceived();
                long release = guest.release(0);  // still rings: into an eventfd nobody reads, harmlessly
                assertTrue(guest.awaitActed(0, release, WAIT, seen), "served by polling: " + seen);
                assertEquals(SlotStatus.NORMAL, seen.status());
                assertEquals(ThreadAttributes.normal(0), actuator.current(101), "original attributes back");
                assertEquals(0, timerOnly.ringsReceived());
                assertEquals(before, doorbell.ringsReceived());
                guest.detach();
            } finally {
                agent.stop();
                doorbell.close();
                server.close();
            }
        }
    }

    /**
     * The agent's waiter: the doorbell's until {@link #lose}, then a timer-only waiter capped at {@link #LAZY}
     * (the host, knowing the doorbell lost, returns the guest to its lazy period, §12.5). The doorbell is used
     * only under {@link #doorbellInUse}, so once {@link #lose} holds it the agent thread never touches the
     * server's descriptors again and they may be closed.
     */
    private static final class LosableDoorbell implements LoopWaiter {
        private final EventfdLoopWaiter doorbell;
        private final EventfdLoopWaiter timerOnly;
        private final ReentrantLock doorbellInUse = new ReentrantLock();
        private volatile boolean lost;
        private boolean lastByRing;

        LosableDoorbell(EventfdLoopWaiter doorbell, EventfdLoopWaiter timerOnly) {
            this.doorbell = doorbell;
            this.timerOnly = timerOnly;
        }

        /** @return false if the agent thread did not leave the doorbell's wait within {@code timeoutNanos} */
        boolean lose(long timeoutNanos) throws InterruptedException {
            lost = true;
            doorbell.wakeUp();
            if (!doorbellInUse.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            doorbellInUse.unlock(); // `lost` is set: the doorbell is never waited on again
            return true;
        }

        @Override
        public void awaitUntil(long deadlineNanos) throws InterruptedException {
            doorbellInUse.lock();
            try {
                if (!lost) {
                    doorbell.awaitUntil(deadlineNanos); // an hour away on this clock: only a ring ends it
                    lastByRing = doorbell.lastWakeByRing();
                    return;
                }
            } finally {
                doorbellInUse.unlock();
            }
            timerOnly.awaitUntil(Math.min(deadlineNanos, System.nanoTime() + LAZY));
            lastByRing = timerOnly.lastWakeByRing();
        }

        @Override
        public void wakeUp() {
            if (lost) {
                timerOnly.wakeUp();
            } else {
                doorbell.wakeUp();
            }
        }

        @Override
        public boolean lastWakeByRing() {
            return lastByRing;
        }

        @Override
        public boolean wakesOnRings() {
            return true;
        }
    }
}

package dev.vboost.hardening.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.Await;
import dev.vboost.hardening.support.HostUnderTest;
import dev.vboost.hardening.support.Realtime;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The region file is truncated while the agent has it mapped (a hostile or broken VMM-side tool): the next
 * access to the vanished page raises SIGBUS, which the JVM turns into {@link InternalError} on the faulting
 * thread. The agent must survive it, put the VM's boosted threads back, stop touching that region, and keep
 * serving every other VM.
 */
class TruncatedRegionTest {
    private static final long ACK_TIMEOUT = 2_000_000_000L;

    @Test
    void regionFileTruncatedWhileMapped(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy()
                .maxBoostNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(30)).build())) {
            HostUnderTest.Vm doomed = host.addVm(dir, "doomed", 2);
            HostUnderTest.Vm healthy = host.addVm(dir, "healthy", 2);
            HostAgent agent = host.start();
            GuestEndpoint doomedGuest = doomed.attachGuest();
            GuestEndpoint healthyGuest = healthy.attachGuest();
            HostSlotSnapshot seen = new HostSlotSnapshot();

            // a boost that would last 30 s unless the agent ends it
            long id = doomedGuest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.RT_TASK.bit());
            assertTrue(doomedGuest.awaitActed(0, id, ACK_TIMEOUT, seen), "doomed VM's request not acted on");
            assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);
            assertTrue(host.linux().read(doomed.tid(0)).isRealTime(), "thread not raised");

            try (RandomAccessFile raf = new RandomAccessFile(doomed.path.toFile(), "rw")) {
                raf.setLength(0); // every page of the mapping is gone: the agent's next read faults
            }
            // guests of the doomed VM can no longer talk; the healthy VM's guest keeps asking
            Await.until(5_000, () -> {
                try {
                    return host.linux().read(doomed.tid(0)).equals(doomed.originals.get(doomed.tid(0)));
                } catch (Exception e) {
                    return false;
                }
            }, () -> "the doomed VM's boosted thread was not put back after its region vanished; agent error: "
                    + agent.lastError());
            assertTrue(agent.lastError() instanceof InternalError,
                    "the fault was not seen as the JVM's SIGBUS InternalError: " + agent.lastError());
            assertTrue(agent.regionFailed("doomed"), "doomed region not marked failed");
            assertTrue(!agent.regionFailed("healthy"), "healthy region marked failed");
            assertTrue(HostUnderTest.agentThreadAlive(), "agent thread died");

            for (int round = 0; round < 3; round++) {
                long b = healthyGuest.requestBoost(1, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());
                assertTrue(healthyGuest.awaitActed(1, b, ACK_TIMEOUT, seen), "healthy VM no longer served");
                assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);
                long r = healthyGuest.release(1);
                assertTrue(healthyGuest.awaitActed(1, r, ACK_TIMEOUT, seen), "healthy VM release not acted on");
                assertEquals(SlotStatus.NORMAL, seen.status(), seen::toString);
            }
            host.stopAndCheck();
        }
    }
}

package dev.vboost.agent.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.RealtimeCapability;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.testing.ChildJvm;
import dev.vboost.agent.testing.ParkedThread;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease journal's purpose, end to end: an agent in a child JVM boosts real threads of this process to
 * SCHED_FIFO, is killed with SIGKILL while the boosts are active, and a restarted agent puts every thread
 * back to its exact original policy, priority and nice, as {@code sched_getattr} shows.
 */
class AgentCrashRecoveryTest {
    private static final int SLOTS = 3;

    @TempDir
    Path dir;

    @Test
    void restartedAgentRestoresEveryThreadAKilledAgentLeftBoosted() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ThreadAttributes[] originals = {ThreadAttributes.normal(7),
                new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, -4), ThreadAttributes.rr(2)};
        ParkedThread[] vcpus = new ParkedThread[SLOTS];
        Map<Integer, Integer> tids = new HashMap<>();
        String[] args = new String[2 + SLOTS];
        Path region = dir.resolve("vm.region");
        Path journal = dir.resolve("leases.journal");
        args[0] = region.toString();
        args[1] = journal.toString();
        try {
            for (int i = 0; i < SLOTS; i++) {
                vcpus[i] = ParkedThread.start("vcpu-" + i);
                actuator.apply(vcpus[i].tid(), originals[i]);
                // raising a thread always sets reset-on-fork: that flag is part of the original from here on
                ThreadAttributes set = actuator.read(vcpus[i].tid());
                assertEquals(originals[i].withFlags(set.flags()), set);
                originals[i] = set;
                tids.put(i, vcpus[i].tid());
                args[2 + i] = Integer.toString(vcpus[i].tid());
            }

            try (ChildJvm child = ChildJvm.start(CrashingAgentMain.class, args)) {
                child.awaitLine("READY", 60, TimeUnit.SECONDS);
                // this process is the guest: it asks for the boosts through the shared region file
                MappedRegionFile file = MappedRegionFile.open(region);
                GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK);
                HostSlotSnapshot state = new HostSlotSnapshot();
                for (int slot = 0; slot < SLOTS; slot++) {
                    long id = guest.requestBoost(slot, SchedPolicy.FIFO, 30, 0, BoostReason.LOCK_HOLDER.bit());
                    assertTrue(guest.awaitActed(slot, id, TimeUnit.SECONDS.toNanos(30), state),
                            "agent did not act on slot " + slot + "; child output:\n" + child.output());
                    assertEquals(SlotStatus.BOOSTED, state.status(), "slot " + slot + ": " + state);
                }
                for (int slot = 0; slot < SLOTS; slot++) {
                    assertEquals(ThreadAttributes.fifo(10), actuator.read(vcpus[slot].tid()),
                            "slot " + slot + " boosted by the child agent, clamped to its ceiling");
                }
                assertEquals(SLOTS, LeaseJournal.read(journal, new int[1]).size(), "originals journaled");

                child.process().destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no stop()
                assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "killed child did not exit");
                assertEquals(128 + 9, child.process().exitValue(), "child died of SIGKILL");
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                assertEquals(ThreadAttributes.fifo(10), actuator.read(vcpus[slot].tid()),
                        "the killed agent left slot " + slot + " boosted (else this test proves nothing)");
            }

            // the restarted agent takes the region over (host restart) and recovers from the journal first
            HostEndpoint endpoint = Regions.createHost(MappedRegionFile.open(region).memory(),
                    HostRegionConfig.defaults(SLOTS));
            HostAgent restarted = HostAgent.builder()
                    .addVm("crash", endpoint, PolicyConfig.defaults(), tids)
                    .actuator(actuator)
                    .journal(journal)
                    .build()
                    .prepare();
            try {
                LeaseJournal.Recovery recovery = restarted.recovery();
                assertTrue(recovery != null && recovery.clean(), "recovery: " + recovery);
                assertEquals(SLOTS, recovery.restored().size(), "recovery: " + recovery);
                assertEquals(0, recovery.badRecords());
                for (int slot = 0; slot < SLOTS; slot++) {
                    assertEquals(originals[slot], actuator.read(vcpus[slot].tid()),
                            "slot " + slot + " back to its exact original");
                }
                assertEquals(0, Files.size(journal), "journal cleared after a clean recovery");
            } finally {
                restarted.stop();
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                assertEquals(originals[slot], actuator.read(vcpus[slot].tid()));
            }
        } finally {
            ParkedThread.restoreAndStop(actuator, vcpus);
        }
    }
}

package dev.vboost.agent.shutdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.RealtimeCapability;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.testing.ChildJvm;
import dev.vboost.agent.testing.ParkedThread;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM and SIGINT to a real agent process holding real boosts (issue 13, issue 16 row 8): the shutdown hook
 * from {@code installShutdownHook()} puts every thread back to its exact original, as {@code sched_getattr}
 * shows, and clears the journal, on every one of many runs.
 */
class SignalShutdownTest {
    private static final int SLOTS = 2;
    private static final int RUNS = Integer.getInteger("vboost.signalRuns", 10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void everyThreadIsRestoredOnASignal(String signal) throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ThreadAttributes[] originals = {ThreadAttributes.normal(5), new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, 3)};
        ParkedThread[] vcpus = new ParkedThread[SLOTS];
        try {
            for (int i = 0; i < SLOTS; i++) {
                vcpus[i] = ParkedThread.start("vcpu-" + i);
                actuator.apply(vcpus[i].tid(), originals[i]);
            }
            for (int run = 0; run < RUNS; run++) {
                oneRun(signal, run, actuator, originals, vcpus);
            }
        } finally {
            ParkedThread.restoreAndStop(actuator, vcpus);
        }
    }

    private void oneRun(String signal, int run, LinuxPriorityActuator actuator, ThreadAttributes[] originals,
            ParkedThread[] vcpus) throws Exception {
        Path region = dir.resolve("vm-" + run + ".region");
        Path journal = dir.resolve("leases-" + run + ".journal");
        String[] args = new String[2 + SLOTS];
        args[0] = region.toString();
        args[1] = journal.toString();
        for (int i = 0; i < SLOTS; i++) {
            args[2 + i] = Integer.toString(vcpus[i].tid());
        }
        try (ChildJvm child = ChildJvm.start(SignalledAgentMain.class, args)) {
            child.awaitLine("READY", 60, TimeUnit.SECONDS);
            GuestEndpoint guest = Regions.attachGuest(MappedRegionFile.open(region).memory(), Feature.DEFINED_MASK,
                    Duration.ofSeconds(30));
            HostSlotSnapshot state = new HostSlotSnapshot();
            for (int slot = 0; slot < SLOTS; slot++) {
                long id = guest.requestBoost(slot, SchedPolicy.RR, 50, 0, BoostReason.IRQ.bit());
                assertTrue(guest.awaitActed(slot, id, TimeUnit.SECONDS.toNanos(30), state),
                        "run " + run + ": slot " + slot + " not acted on; child:\n" + child.output());
                assertEquals(SlotStatus.BOOSTED, state.status(), "run " + run + " slot " + slot + ": " + state);
                assertEquals(ThreadAttributes.rr(8), actuator.read(vcpus[slot].tid()), "boost held before the signal");
            }
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.process().pid()))
                    .inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal);
            int exit = child.awaitExit(60, TimeUnit.SECONDS);
            assertTrue(exit == 128 + 15 || exit == 128 + 2, "run " + run + ": exit " + exit + "; child:\n" + child.output());
            for (int slot = 0; slot < SLOTS; slot++) {
                assertEquals(originals[slot], actuator.read(vcpus[slot].tid()),
                        "run " + run + " (SIG" + signal + "): slot " + slot + " left boosted; child:\n" + child.output());
            }
            assertEquals(0, Files.size(journal), "run " + run + ": journal not cleared");
        }
    }
}

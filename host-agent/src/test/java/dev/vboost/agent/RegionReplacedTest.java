package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 row 11: a region file unlinked and recreated while mapped fails its VM loudly. */
class RegionReplacedTest {
    private static final ThreadAttributes ORIGINAL = ThreadAttributes.normal(0);

    @TempDir
    Path dir;
    private long now = 1_000_000_000L;

    @Test
    void aRegionFileReplacedWhileMappedFailsTheVmAndRestoresItsThreads() throws Exception {
        Path region = dir.resolve("vm.region");
        MappedRegionFile file = MappedRegionFile.create(region, RegionLayout.regionSize(2));
        HostEndpoint endpoint = Regions.createHost(file.memory(), HostRegionConfig.defaults(2));
        RecordingActuator actuator = new RecordingActuator().addThread(101, ORIGINAL);
        HostAgent a = HostAgent.builder().actuator(actuator).clock(() -> now).build().prepare();
        a.addVm("vm", endpoint, PolicyConfig.defaults(), Map.of(0, 101), Feature.DEFINED_MASK, 0,
                VmOptions.NONE.withRegionCheck(file::stillLinked));
        a.runOnce();
        GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK);
        guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());
        a.runOnce();
        assertTrue(actuator.current(101).isRealTime(), "boosted first");
        // someone replaces the file under the mapping
        Files.delete(region);
        MappedRegionFile.create(region, RegionLayout.regionSize(2)).close();
        now += HostAgent.LINK_CHECK_NANOS / 2;
        a.runOnce();
        assertFalse(a.regionFailed("vm"), "checked about once a second, not every iteration");
        now += HostAgent.LINK_CHECK_NANOS;
        a.runOnce();
        assertTrue(a.regionFailed("vm"));
        assertEquals(ORIGINAL, actuator.current(101), "its thread restored");
        // nothing more is published to the orphaned mapping, nothing more is raised
        HostSlotSnapshot before = new HostSlotSnapshot();
        endpoint.lastPublished(0, before);
        int applies = actuator.successfulApplies();
        guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());
        now += HostAgent.LINK_CHECK_NANOS;
        a.runOnce();
        assertEquals(applies, actuator.successfulApplies());
        HostSlotSnapshot after = new HostSlotSnapshot();
        endpoint.lastPublished(0, after);
        assertEquals(before.actedRequestId(), after.actedRequestId());
        assertEquals(before.status(), after.status(), "the failed VM's line is left as it was");
        a.stop();
        file.close();
    }
}

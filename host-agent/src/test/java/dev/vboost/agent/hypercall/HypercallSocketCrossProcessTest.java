package dev.vboost.agent.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.testing.ChildJvm;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.layout.RegionLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VMM in another process forwards hypercalls to the agent's Unix socket, including malformed frames. */
class HypercallSocketCrossProcessTest {
    @TempDir
    Path dir;

    @Test
    void vmmInAnotherProcessForwardsHypercalls() throws Exception {
        Path socket = dir.resolve("agent.sock");
        FakeTarget target = new FakeTarget(4, 0x10000, RegionLayout.regionSize(4));
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, List.of(new HypercallDispatcher(target)));
                ChildJvm vmm = ChildJvm.start(SocketClientMain.class, socket.toString())) {
            assertEquals("slots=4", vmm.awaitLine("slots=", 60, TimeUnit.SECONDS));
            assertEquals("notify=0", vmm.awaitLine("notify=", 30, TimeUnit.SECONDS));
            assertEquals("unknown=-1000", vmm.awaitLine("unknown=", 30, TimeUnit.SECONDS), "-KVM_ENOSYS");
            assertEquals("badslot=-22", vmm.awaitLine("badslot=", 30, TimeUnit.SECONDS), "-EINVAL");
            assertEquals("reserved=-22", vmm.awaitLine("reserved=", 30, TimeUnit.SECONDS), "reserved exit argument");
            assertEquals("unknownvm=the agent serves no VM with index 7", vmm.awaitLine("unknownvm=", 30, TimeUnit.SECONDS));
            assertEquals("again=4", vmm.awaitLine("again=", 30, TimeUnit.SECONDS));
            assertEquals("bad=" + Integer.toHexString(HypercallFrame.RESPONSE_MAGIC) + ","
                    + HypercallFrame.STATUS_BAD_FRAME + ",-22", vmm.awaitLine("bad=", 30, TimeUnit.SECONDS));
            assertEquals("closed=true", vmm.awaitLine("closed=", 30, TimeUnit.SECONDS));
            vmm.awaitLine("DONE", 30, TimeUnit.SECONDS);
            assertEquals(0, vmm.awaitExit(30, TimeUnit.SECONDS), vmm.output());

            assertEquals(List.of("notify 1 1"), target.calls(), "only the valid NOTIFY reached the agent");
            assertEquals(1, server.badFrames());
            // the server survived all of it
            try (HypercallSocketClient c = HypercallSocketClient.connect(socket)) {
                assertEquals(4, c.call(0, HypercallNumbers.QUERY, new long[] {2, 0, 0, 0, 0, 0}));
            }
            assertTrue(server.frames() >= 8, "frames " + server.frames());
        }
    }
}

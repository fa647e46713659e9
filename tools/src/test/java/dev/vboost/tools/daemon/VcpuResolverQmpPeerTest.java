package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.tools.FakeQemuMain;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM file's {@code qmp} key (spec §9 H2): the vCPU threads QEMU names must be threads of the process that serves
 * the QMP socket, as the kernel reports it ({@code SO_PEERCRED}); QEMU is a real process ({@link FakeQemuMain}).
 */
@Timeout(120)
class VcpuResolverQmpPeerTest {
    @TempDir
    Path tmp;

    @Test
    void threadsOfAnotherProcessAreRefusedAndQemusOwnAreResolved() throws Exception {
        try (FakeQemuMain.Impostor fake = new FakeQemuMain.Impostor(tmp.resolve("foreign.qmp"))) {
            VmFile f = VmFile.parse(tmp.resolve("v.vm"), "region=/r\nqmp=" + tmp.resolve("foreign.qmp") + "\n");
            VmFileException e = assertThrows(VmFileException.class, () -> VcpuResolver.resolve(f));
            assertEquals("qmp", e.key());
            assertTrue(e.getMessage().contains("is served by process " + fake.qemu.pid()), e.getMessage());
            long other = fake.other.pid();
            assertTrue(e.getMessage().contains("thread-id " + other + " is a thread of process " + other),
                    e.getMessage());
        }
        Process own = FakeQemuMain.start(tmp.resolve("own.qmp"), "self");
        try {
            VmFile f = VmFile.parse(tmp.resolve("w.vm"), "region=/r\nqmp=" + tmp.resolve("own.qmp") + "\n");
            assertEquals(Map.of(0, (int) own.pid()), VcpuResolver.resolve(f));
        } finally {
            FakeQemuMain.stop(own);
        }
    }
}

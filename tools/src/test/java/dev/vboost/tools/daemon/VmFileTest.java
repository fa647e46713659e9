package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmFileTest {
    private static final Path FILE = Path.of("/etc/vboost/vms/web1.vm");

    @Test
    void fullFileParses() throws Exception {
        VmFile f = VmFile.parse(FILE, "# web server\nname = web-1\nregion = /dev/shm/vboost-web1\nslots = 8\n"
                + "policy = /etc/vboost/web.policy\npid = 4242\nthread-name = CPU ([0-9]+)/KVM\n"
                + "doorbell = /run/vboost/web1.sock\n");
        assertEquals("web-1", f.name());
        assertEquals(Path.of("/dev/shm/vboost-web1"), f.region());
        assertEquals(8, f.slots());
        assertEquals(Path.of("/etc/vboost/web.policy"), f.policy());
        assertEquals(VmFile.Source.PID, f.source());
        assertEquals(4242, f.pid());
        assertEquals(Path.of("/run/vboost/web1.sock"), f.doorbell());
    }

    @Test
    void defaultsAndFixedThreads() throws Exception {
        VmFile f = VmFile.parse(FILE, "region=/dev/shm/r\nvcpus = 1=101, 0=100\n");
        assertEquals("web1", f.name(), "name defaults to the file name without .vm");
        assertEquals(0, f.slots());
        assertNull(f.policy());
        assertEquals(VmFile.Source.FIXED, f.source());
        assertEquals(Map.of(0, 100, 1, 101), f.vcpus());
        VmFile q = VmFile.parse(FILE, "region=/dev/shm/r\nqmp=/run/qemu/web1.qmp\n");
        assertEquals(VmFile.Source.QMP, q.source());
        VmFile p = VmFile.parse(FILE, "region=/dev/shm/r\npid=7\n");
        assertEquals(VmFile.DEFAULT_THREAD_NAME, String.valueOf(p.threadName()));
    }

    @Test
    void errorsNameTheFileAndTheKey() {
        String[][] cases = {
            {"turbo", "region=/r\npid=1\nturbo=yes\n", "unknown key"},
            {"region", "pid=1\n", "missing"},
            {"region", "region=relative/path\npid=1\n", "must be an absolute path"},
            {"slots", "region=/r\npid=1\nslots=0\n", "outside 1..4096"},
            {"slots", "region=/r\npid=1\nslots=x\n", "not a decimal number"},
            {"pid", "region=/r\npid=-3\n", "outside"},
            {"pid", "region=/r\npid=1\npid=2\n", "given twice"},
            {"thread-name", "region=/r\npid=1\nthread-name=((\n", "bad regular expression"},
            {"thread-name", "region=/r\nvcpus=0=5\nthread-name=x\n", "only used with the key pid"},
            {"vcpus", "region=/r\nvcpus=0:5\n", "is not SLOT=TID"},
            {"vcpus", "region=/r\nvcpus=0=5,0=6\n", "slot 0 given twice"},
            {"vcpus", "region=/r\nslots=2\nvcpus=2=5\n", "outside the region's 2 slot(s)"},
            {"name", "name=bad name\nregion=/r\npid=1\n", "must be 1..64"},
            {"policy", "region=/r\npid=1\npolicy=\n", "empty value"},
            {null, "region=/r\n", "exactly one of the keys qmp, pid, vcpus (none given)"},
            {null, "region=/r\npid=1\nqmp=/q\n", "(several given)"},
            {null, "region=/r\nthis line has no equals\n", "line 2 is not 'key = value'"},
        };
        for (String[] c : cases) {
            VmFileException e = assertThrows(VmFileException.class, () -> VmFile.parse(FILE, c[1]), c[1]);
            assertEquals(c[0], e.key(), () -> c[1] + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith(FILE.toString()), e::getMessage);
            assertTrue(e.getMessage().contains(c[2]), () -> "'" + c[2] + "' expected in: " + e.getMessage());
            if (c[0] != null) {
                assertTrue(e.getMessage().contains("key '" + c[0] + "'"), e::getMessage);
            }
        }
    }

    @Test
    void sameRegionAndPolicyIgnoresOnlyTheThreadSource() throws Exception {
        VmFile a = VmFile.parse(FILE, "region=/r\nvcpus=0=5\n");
        assertTrue(a.sameRegionAndPolicy(VmFile.parse(FILE, "region=/r\nvcpus=0=6,1=7\n")));
        assertTrue(a.sameRegionAndPolicy(VmFile.parse(FILE, "region=/r\npid=9\n")));
        assertTrue(!a.sameRegionAndPolicy(VmFile.parse(FILE, "region=/r2\nvcpus=0=5\n")));
        assertTrue(!a.sameRegionAndPolicy(VmFile.parse(FILE, "region=/r\nvcpus=0=5\npolicy=/p\n")));
    }
}

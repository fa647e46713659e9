package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vboost region: a file QEMU can map (power-of-two size, spec §3.1), private by default, with the QEMU line. */
class RegionCommandTest {
    @TempDir
    Path dir;

    @Test
    void theFileHasTheBackingSizeAPrivateModeAndTheQemuLine() throws Exception {
        Path f = dir.resolve("vm1.vboost");
        CliRun r = CliRun.of("region", f.toString(), "--slots", "64");
        assertEquals(0, r.exit, r::toString);
        assertEquals(16384, Files.size(f), "region 12288 bytes rounded up to a power of two");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertTrue(r.out.contains("16384 bytes (region 12288)"), r::toString);
        assertTrue(r.out.contains("-object memory-backend-file,id=vbmem,mem-path=" + f.toAbsolutePath()
                + ",size=16384,share=on -device ivshmem-plain,memdev=vbmem,id=vboost0"), r::toString);
        assertTrue(r.out.contains("<size unit='KiB'>16</size>"), r::toString);
    }

    @Test
    void aGroupGetsReadWriteByDefault() throws Exception {
        Path f = dir.resolve("g.vboost");
        String group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        CliRun r = CliRun.of("region", f.toString(), "--group", group);
        assertEquals(0, r.exit, r::toString);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(group, Files.readAttributes(f, java.nio.file.attribute.PosixFileAttributes.class).group().getName());
    }

    @Test
    void badModesAndGroups() {
        for (String bad : new String[] {"0666", "0700", "0400", "rw", "0662"}) {
            CliRun r = CliRun.of("region", dir.resolve("m").toString(), "--mode", bad);
            assertEquals(VboostCli.USAGE, r.exit, r::toString);
            assertTrue(r.err.contains("--mode"), r::toString);
        }
        CliRun r = CliRun.of("region", dir.resolve("n").toString(), "--group", "no-such-group-vboost");
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains("no such user or group: no-such-group-vboost"), r::toString);
    }

    @Test
    void aRegionNothingServesIsNotReadyUnlessAskedFor() {
        Path f = dir.resolve("nr.vboost");
        CliRun r = CliRun.of("region", f.toString(), "--slots", "2");
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.out.contains("NOT_READY until an agent serves it"), r::toString);
        CliRun i = CliRun.of("inspect", f.toString());
        assertTrue(i.out.contains("state NOT_READY"), i::toString);
        CliRun a = CliRun.of("guest", "attach", f.toString(), "--attach-timeout", "100");
        assertEquals(1, a.exit, "a guest cannot attach to a region nothing serves: " + a);

        Path g = dir.resolve("ready.vboost");
        CliRun rr = CliRun.of("region", g.toString(), "--slots", "2", "--ready");
        assertEquals(0, rr.exit, rr::toString);
        assertTrue(rr.out.contains("READY, generation ") && rr.out.contains("nothing serves it"), rr::toString);
        assertTrue(CliRun.of("inspect", g.toString()).out.contains("state READY"));
        assertEquals(0, CliRun.of("guest", "attach", g.toString()).exit);
    }
}

package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.memory.FileAccess;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spec §9 H1 for {@code vboost agent --vm-dir}: a VM's region file is opened as the one-VM agent opens its
 * {@code --region} ({@code MappedRegionFile.createOrReuse}), with the owner, group and mode it is given.
 */
class ServedRegionAccessTest {
    @TempDir
    Path tmp;

    private VmFile vm(Path region) {
        return new VmFile(tmp.resolve("web1.vm"), "web1", region, 1, null, null, 0, null, Map.of(0, 1), null);
    }

    @Test
    void aRegionIsCreatedWithTheModeGivenAndReusedOnlyAsOurOwn() throws Exception {
        Path region = tmp.resolve("region");
        try (ServedRegion r = ServedRegion.open(vm(region), PolicyConfig.defaults(), 1, FileAccess.of(0640))) {
            assertFalse(r.reinitialised);
            assertEquals(0100640, (Integer) Files.getAttribute(region, "unix:mode", LinkOption.NOFOLLOW_LINKS),
                    "mode exactly as given, whatever the umask");
            assertEquals(RegionLayout.backingSize(1), Files.size(region));
        }
        try (ServedRegion r = ServedRegion.open(vm(region), PolicyConfig.defaults(), 1, FileAccess.of(0640))) {
            assertTrue(r.reinitialised, "our own file of the right size is re-initialised in place");
        }
    }

    @Test
    void aLinkAtTheRegionPathIsRefusedAndItsTargetUntouched() throws Exception {
        Path target = tmp.resolve("precious");
        Files.writeString(target, "do not touch");
        Path region = tmp.resolve("region");
        Files.createSymbolicLink(region, target);
        VmFileException e = assertThrows(VmFileException.class,
                () -> ServedRegion.open(vm(region), PolicyConfig.defaults(), 1, FileAccess.OWNER_ONLY));
        assertTrue(String.valueOf(e.getMessage()).contains(region.toString()), e.getMessage());
        assertEquals("do not touch", Files.readString(target));
    }
}

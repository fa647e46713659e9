package dev.vboost.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.Feature;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PciRegionLocator} against a fake sysfs tree: the devices are directories, the BARs plain files. */
class PciRegionLocatorTest {
    @TempDir
    Path sysfs;

    private Path device(String bdf, String vendor, String device, long bar2, long size) throws IOException {
        Path dev = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(bdf));
        Files.writeString(dev.resolve("vendor"), vendor + "\n");
        Files.writeString(dev.resolve("device"), device + "\n");
        Files.writeString(dev.resolve("resource"), String.format(
                "0x00000000fea00000 0x00000000fea000ff 0x0000000000040200%n"
                        + "0x0000000000000000 0x0000000000000000 0x0000000000000000%n"
                        + "0x%016x 0x%016x 0x000000000014220c%n", bar2, bar2 + size - 1));
        try (MappedRegionFile f = MappedRegionFile.create(dev.resolve("resource2"), size)) {
            f.force();
        }
        return dev;
    }

    /** Publishes a READY region of {@code slots} slots in the device's BAR, as the host agent does. */
    private static void hostRegion(Path dev, int slots) {
        MappedRegionFile bar = MappedRegionFile.open(dev.resolve("resource2"));
        Regions.createHost(bar.memory(), new HostRegionConfig(slots, Feature.DEFINED_MASK, 8, 3000));
    }

    @Test
    void findsTheIvshmemDeviceWithTheMagicSkippingOthers() throws Exception {
        device("0000:00:02.0", "0x1af4", "0x1110", 0xfd000000L, 4096);          // ivshmem, not a region
        device("0000:00:01.0", "0x8086", "0x100e", 0xfc000000L, 4096);          // a NIC
        Path dev = device("0000:00:03.0", "0x1af4", "0x1110", 0xfe000000L, RegionLayout.backingSize(64));
        hostRegion(dev, 64);
        PciRegion r = new PciRegionLocator(sysfs, f -> MappedRegionFile.open(f)).locate(null);
        assertEquals("0000:00:03.0", r.bdf());
        assertEquals(0xfe000000L, r.gpa());
        assertEquals(16384, r.mapping().size());
        GuestEndpoint g = Regions.attachGuest(r.mapping().memory(), Feature.DEFINED_MASK);
        assertEquals(64, g.slotCount()); // region_size 12288 inside a 16384-byte BAR: accepted (C9)
    }

    @Test
    void anExplicitDeviceIsUsedShortOrLongForm() throws Exception {
        hostRegion(device("0000:00:03.0", "0x1af4", "0x1110", 0xfe000000L, 4096), 2);
        hostRegion(device("0000:00:04.0", "0x1af4", "0x1110", 0xfe100000L, 4096), 2);
        PciRegionLocator l = new PciRegionLocator(sysfs, f -> MappedRegionFile.open(f));
        assertEquals(0xfe100000L, l.locate("00:04.0").gpa());
        assertEquals("0000:00:03.0", l.locate("0000:00:03.0").bdf());
        PciRegionException e = assertThrows(PciRegionException.class, () -> l.locate("0000:00:09.0"));
        assertEquals(PciRegionException.Reason.NO_DEVICE, e.reason());
        assertTrue(e.getMessage().contains("0000:00:09.0"), e.getMessage());
    }

    @Test
    void noDeviceNamesTheDirectory() throws Exception {
        device("0000:00:01.0", "0x8086", "0x100e", 0xfc000000L, 4096);
        PciRegionException e = assertThrows(PciRegionException.class,
                () -> new PciRegionLocator(sysfs, f -> MappedRegionFile.open(f)).locate(null));
        assertEquals(PciRegionException.Reason.NO_DEVICE, e.reason());
        assertEquals(sysfs.resolve("bus/pci/devices"), e.path());
        assertTrue(e.getMessage().startsWith(sysfs.resolve("bus/pci/devices") + ": no ivshmem device"), e.getMessage());
    }

    @Test
    void noSysfsAtAll() {
        PciRegionException e = assertThrows(PciRegionException.class,
                () -> new PciRegionLocator(sysfs.resolve("missing"), f -> MappedRegionFile.open(f)).locate(null));
        assertEquals(PciRegionException.Reason.NO_DEVICE, e.reason());
        assertTrue(e.getMessage().contains("sysfs is not mounted"), e.getMessage());
    }

    @Test
    void devicesWithoutTheMagic() throws Exception {
        device("0000:00:02.0", "0x1af4", "0x1110", 0xfd000000L, 4096);
        PciRegionException e = assertThrows(PciRegionException.class,
                () -> new PciRegionLocator(sysfs, f -> MappedRegionFile.open(f)).locate(null));
        assertEquals(PciRegionException.Reason.NO_REGION, e.reason());
        assertTrue(e.getMessage().contains("1 ivshmem device(s), none holds the vboost magic"), e.getMessage());
    }

    @Test
    void accessRefusedNamesTheBarFile() throws Exception {
        Path dev = device("0000:00:03.0", "0x1af4", "0x1110", 0xfe000000L, 4096);
        PciRegionException e = assertThrows(PciRegionException.class, () -> new PciRegionLocator(sysfs,
                f -> { throw new AccessDeniedException(f.toString()); }).locate(null));
        assertEquals(PciRegionException.Reason.ACCESS_REFUSED, e.reason());
        assertEquals(dev.resolve("resource2"), e.path());
        assertTrue(e.getMessage().contains("needs root"), e.getMessage());
    }

    @Test
    void lockdownIsNamedWhenTheKernelIsLockedDown() throws Exception {
        device("0000:00:03.0", "0x1af4", "0x1110", 0xfe000000L, 4096);
        Path lockdown = Files.createDirectories(sysfs.resolve("kernel/security")).resolve("lockdown");
        Files.writeString(lockdown, "none [integrity] confidentiality\n");
        PciRegionLocator l = new PciRegionLocator(sysfs, f -> { throw new IOException("Operation not permitted"); });
        PciRegionException e = assertThrows(PciRegionException.class, () -> l.locate(null));
        assertEquals(PciRegionException.Reason.LOCKDOWN, e.reason());
        assertTrue(e.getMessage().contains("locked down (integrity)"), e.getMessage());
        Files.writeString(lockdown, "[none] integrity confidentiality\n");
        assertEquals(PciRegionException.Reason.ACCESS_REFUSED, assertThrows(PciRegionException.class, () -> l.locate(null)).reason());
    }

    @Test
    void aBadResourceFileIsABadDevice() throws Exception {
        Path dev = device("0000:00:03.0", "0x1af4", "0x1110", 0xfe000000L, 4096);
        hostRegion(dev, 1);
        Files.writeString(dev.resolve("resource"), "0x0 0x0 0x0\n");
        PciRegionException e = assertThrows(PciRegionException.class,
                () -> new PciRegionLocator(sysfs, f -> MappedRegionFile.open(f)).locate(null));
        assertEquals(PciRegionException.Reason.BAD_DEVICE, e.reason());
        assertEquals(dev.resolve("resource"), e.path());
    }
}

package dev.vboost.impl.pci;

import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Finds the region that an ivshmem-plain device carries into a Linux guest (spec §3.8): lists
 * {@code <sysfs>/bus/pci/devices/*} for vendor 0x1af4, device 0x1110, maps each one's {@code resource2} (BAR2,
 * never {@code resource2_wc}: write-combining reorders stores) and keeps the first whose host header starts with
 * the vboost magic; the BAR's guest-physical address comes from the third line of {@code resource}.
 *
 * <p>The sysfs root is a parameter so that tests can point it at a fake tree. Mapping needs root in the guest;
 * a locked-down kernel refuses it whatever the user (reported as {@link PciRegionException.Reason#LOCKDOWN}).
 */
public final class PciRegionLocator {
    /** PCI vendor id of QEMU's ivshmem devices (Red Hat / virtio). */
    public static final int IVSHMEM_VENDOR = 0x1af4;
    /** PCI device id of ivshmem ({@code ivshmem-plain} and {@code ivshmem-doorbell}). */
    public static final int IVSHMEM_DEVICE = 0x1110;
    /** Bounds the scan: a guest with more PCI functions than this is not one we serve. */
    private static final int MAX_DEVICES = 4096;

    /** Maps a BAR file; the default maps it shared, read-write. Tests substitute one that fails. */
    @FunctionalInterface
    public interface BarMapper {
        /**
         * Maps a BAR.
         *
         * @param resource a device's {@code resource2} file
         * @return the mapping; the caller closes it
         * @throws IOException if the file cannot be opened or mapped
         */
        MappedRegionFile map(Path resource) throws IOException;
    }

    private final Path sysfs;
    private final BarMapper mapper;

    /** A locator over the real {@code /sys}. */
    public PciRegionLocator() {
        this(Path.of("/sys"), PciRegionLocator::mapShared);
    }

    /**
     * A locator over another sysfs tree, for tests.
     *
     * @param sysfsRoot stands for {@code /sys}
     * @param mapper    maps each candidate's {@code resource2}
     */
    public PciRegionLocator(Path sysfsRoot, BarMapper mapper) {
        this.sysfs = sysfsRoot;
        this.mapper = mapper;
    }

    /**
     * Locates the region.
     *
     * @param bdf the device to use ({@code 0000:00:03.0}, or the short {@code 00:03.0}); null: the first ivshmem
     *     device, in address order, whose BAR2 holds the magic
     * @return the region, its device and its guest-physical address
     * @throws PciRegionException naming the path and the reason when there is none or it cannot be mapped
     */
    public PciRegion locate(@Nullable String bdf) throws PciRegionException {
        Path devices = sysfs.resolve("bus/pci/devices");
        List<Path> candidates = ivshmemDevices(devices, bdf);
        if (candidates.isEmpty()) {
            throw new PciRegionException(PciRegionException.Reason.NO_DEVICE, devices, bdf == null
                    ? "no ivshmem device (PCI 1af4:1110); the VMM must add -device ivshmem-plain (spec §3.8)"
                    : "no ivshmem device (PCI 1af4:1110) at " + bdf);
        }
        @Nullable PciRegionException firstFailure = null;
        for (Path dev : candidates) {
            Path resource2 = dev.resolve("resource2");
            MappedRegionFile mapping;
            try {
                mapping = mapper.map(resource2);
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                if (firstFailure == null) {
                    firstFailure = refused(resource2, e);
                }
                continue;
            }
            if (mapping.size() < RegionLayout.REGION_ALIGNMENT
                    || mapping.memory().getIntAcquire(HostHeaderLayout.MAGIC_OFFSET) != RegionLayout.MAGIC) {
                mapping.close(); // another ivshmem user's memory: not ours
                continue;
            }
            long gpa = bar2Address(dev);
            return new PciRegion(name(dev), gpa, mapping);
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        throw new PciRegionException(PciRegionException.Reason.NO_REGION, devices, candidates.size()
                + " ivshmem device(s), none holds the vboost magic at BAR2 offset 0 (is the host agent running?)");
    }

    private List<Path> ivshmemDevices(Path devices, @Nullable String bdf) throws PciRegionException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(devices)) {
            int seen = 0;
            for (Path dev : ds) {
                if (++seen > MAX_DEVICES) {
                    break;
                }
                String name = name(dev);
                if (bdf != null && !name.equals(bdf) && !name.equals("0000:" + bdf)) {
                    continue;
                }
                if (hexFile(dev.resolve("vendor")) == IVSHMEM_VENDOR && hexFile(dev.resolve("device")) == IVSHMEM_DEVICE) {
                    found.add(dev);
                }
            }
        } catch (NoSuchFileException e) {
            throw new PciRegionException(PciRegionException.Reason.NO_DEVICE, devices,
                    "does not exist (no PCI bus, or sysfs is not mounted)", e);
        } catch (IOException e) {
            throw new PciRegionException(PciRegionException.Reason.ACCESS_REFUSED, devices, "cannot list: " + e, e);
        }
        found.sort(java.util.Comparator.naturalOrder()); // address order: the same device every time
        return found;
    }

    private static String name(Path p) {
        Path n = p.getFileName();
        return n == null ? "" : n.toString();
    }

    /** The value of a sysfs hex file ({@code 0x1af4}), or -1 if it cannot be read. */
    private static long hexFile(Path f) {
        try {
            String s = Files.readString(f, StandardCharsets.US_ASCII).strip();
            return Long.parseLong(s.startsWith("0x") ? s.substring(2) : s, 16);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** BAR2's base: the first field of the third line of {@code resource} ("start end flags", hex). */
    private static long bar2Address(Path dev) throws PciRegionException {
        Path resource = dev.resolve("resource");
        try {
            List<String> lines = Files.readAllLines(resource, StandardCharsets.US_ASCII);
            if (lines.size() >= 3) {
                String[] f = lines.get(2).trim().split("\\s+");
                if (f.length == 3 && f[0].startsWith("0x")) {
                    long start = Long.parseLong(f[0].substring(2), 16);
                    if (start != 0 && (start & (RegionLayout.REGION_ALIGNMENT - 1)) == 0) {
                        return start;
                    }
                }
            }
            throw new PciRegionException(PciRegionException.Reason.BAD_DEVICE, resource,
                    "no page-aligned BAR2 address on its third line");
        } catch (IOException | NumberFormatException e) {
            throw new PciRegionException(PciRegionException.Reason.BAD_DEVICE, resource, "cannot read BAR2's address: " + e, e);
        }
    }

    private PciRegionException refused(Path resource2, Exception e) {
        Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String lockdown = lockdownMode();
        if (lockdown != null) {
            return new PciRegionException(PciRegionException.Reason.LOCKDOWN, resource2, "the kernel is locked down ("
                    + lockdown + "): user space may not map PCI resources; use a guest kernel driver (spec §3.8)", cause);
        }
        boolean denied = cause instanceof AccessDeniedException
                || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("not permitted");
        return new PciRegionException(denied ? PciRegionException.Reason.ACCESS_REFUSED : PciRegionException.Reason.BAD_DEVICE,
                resource2, (denied ? "access refused (mapping a BAR needs root in the guest): " : "cannot map: ")
                        + cause.getMessage(), cause);
    }

    /** The active lockdown mode ({@code integrity}, {@code confidentiality}) or null when none. */
    private @Nullable String lockdownMode() {
        try {
            String s = Files.readString(sysfs.resolve("kernel/security/lockdown"), StandardCharsets.US_ASCII);
            int open = s.indexOf('[');
            int close = s.indexOf(']', open + 1);
            if (open >= 0 && close > open) {
                String mode = s.substring(open + 1, close);
                return mode.equals("none") ? null : mode;
            }
        } catch (IOException e) {
            // no securityfs: no lockdown to report
        }
        return null;
    }

    private static MappedRegionFile mapShared(Path resource) throws IOException {
        try {
            return MappedRegionFile.open(resource);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

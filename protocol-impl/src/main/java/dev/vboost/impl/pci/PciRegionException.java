package dev.vboost.impl.pci;

import java.io.IOException;
import java.nio.file.Path;

/** The region could not be found or mapped through PCI sysfs; {@link #reason()} says why, the message names the path. */
public final class PciRegionException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a guest could not reach the region. */
    public enum Reason {
        /** No ivshmem device (1af4:1110) at all, or not the one asked for. */
        NO_DEVICE,
        /** ivshmem devices exist but none carries a region (no vboost magic at BAR2 offset 0). */
        NO_REGION,
        /** The device's files could not be opened or mapped (not root, or a mode forbids it). */
        ACCESS_REFUSED,
        /** The kernel is locked down: user space may not map PCI resources (spec §3.8). */
        LOCKDOWN,
        /** The device's sysfs files are not what a PCI device has (unreadable BAR address or size). */
        BAD_DEVICE
    }

    /** Why the region could not be located. */
    private final Reason reason;
    /** The sysfs path the failure is about. */
    private final Path path;

    PciRegionException(Reason reason, Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.reason = reason;
        this.path = path;
    }

    PciRegionException(Reason reason, Path path, String message) {
        super(path + ": " + message);
        this.reason = reason;
        this.path = path;
    }

    /**
     * Why the region could not be located.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The sysfs path the failure is about.
     *
     * @return a device directory or one of its files
     */
    public Path path() {
        return path;
    }
}

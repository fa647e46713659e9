package dev.vboost.impl.pci;

import dev.vboost.impl.memory.MappedRegionFile;

/**
 * A region found on an ivshmem PCI device inside a guest (spec §3.8).
 *
 * @param bdf the device's address, e.g. {@code 0000:00:03.0}
 * @param gpa BAR2's guest-physical base address, what ATTACH's a0 reports (spec §7.3)
 * @param mapping BAR2 mapped shared, read-write; its size is the backing size (spec §3.1)
 */
public record PciRegion(String bdf, long gpa, MappedRegionFile mapping) {
}

package dev.vboost.impl;

import dev.vboost.api.layout.DoorbellAbi;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The doorbell of a QEMU {@code ivshmem-doorbell} device seen from Linux guest user space (root): BAR0 mapped
 * from {@code /sys/bus/pci/devices/<bdf>/resource0}, and one 32-bit store of {@code (hostPeerId << 16) |
 * vector} to the {@code Doorbell} register at offset 12 per ring (spec §12.2). The BAR is uncached MMIO: the
 * store leaves the CPU in program order after the line's stores, and with KVM's ioeventfd it becomes an eventfd
 * signal in the host kernel.
 */
public final class PciDoorbell implements Doorbell {
    /** BAR0 register offsets (QEMU {@code docs/specs/ivshmem-spec.rst}). */
    static final int IV_POSITION = DoorbellAbi.BAR0_IVPOSITION;
    static final int DOORBELL = DoorbellAbi.BAR0_DOORBELL;
    /** Smallest BAR0 that holds the registers. */
    static final int BAR0_MIN = 16;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final MappedByteBuffer bar0;
    private final int value;
    private final int ownPeerId;

    private PciDoorbell(MappedByteBuffer bar0, int value, int ownPeerId) {
        this.bar0 = bar0;
        this.value = value;
        this.ownPeerId = ownPeerId;
    }

    /**
     * Maps {@code device}'s BAR0 and rings the host's vector of spec §12.3 (peer 0, vector 0).
     *
     * @param device the ivshmem-doorbell device's sysfs directory, such as {@code /sys/bus/pci/devices/0000:00:04.0}
     * @return the doorbell, mapped
     * @throws IOException as for {@link #open(Path, int, int)}
     */
    public static PciDoorbell open(Path device) throws IOException {
        return open(device, DoorbellAbi.HOST_PEER_ID, DoorbellAbi.VECTOR);
    }

    /**
     * Maps {@code device}'s {@code resource0} (a device directory such as {@code /sys/bus/pci/devices/0000:00:04.0})
     * and rings {@code hostPeerId}'s {@code vector}.
     *
     * @param device     the ivshmem-doorbell device's sysfs directory
     * @param hostPeerId the peer to ring, 0..65535 (the high half of the {@code Doorbell} register value)
     * @param vector     its vector, 0..65535 (the low half)
     * @return the doorbell, mapped
     * @throws IOException naming the path and the reason: no such file, not a PCI resource, access refused (root
     *     is needed; a kernel in lockdown refuses the mapping)
     */
    public static PciDoorbell open(Path device, int hostPeerId, int vector) throws IOException {
        if (hostPeerId < 0 || hostPeerId > 0xFFFF || vector < 0 || vector > 0xFFFF) {
            throw new IllegalArgumentException("peer id and vector are 16-bit: " + hostPeerId + ", " + vector);
        }
        Path res = device.resolve("resource0");
        if (!Files.isRegularFile(res, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(res + ": no BAR0 resource file (is " + device + " an ivshmem-doorbell device?)");
        }
        try (FileChannel ch = FileChannel.open(res, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < BAR0_MIN) {
                throw new IOException(res + ": BAR0 of " + ch.size() + " bytes has no Doorbell register");
            }
            MappedByteBuffer bar = ch.map(FileChannel.MapMode.READ_WRITE, 0, BAR0_MIN);
            int own = (int) INT.getVolatile(bar, IV_POSITION);
            return new PciDoorbell(bar, hostPeerId << 16 | vector, own);
        } catch (IOException e) {
            throw new IOException(res + ": cannot map BAR0 (" + e.getMessage() + "; root is needed, and a kernel in "
                    + "lockdown refuses PCI resource mappings)", e);
        }
    }

    /**
     * This guest's own peer id.
     *
     * @return {@code IVPosition} as read at open; -1 while the device had no server
     */
    public int ownPeerId() {
        return ownPeerId;
    }

    @Override
    public void ring() {
        // spec §12.4: the caller's W4 and full fence come first; the volatile store keeps the JIT from moving,
        // merging or dropping the MMIO store
        INT.setVolatile(bar0, DOORBELL, value);
    }

    @Override
    public String toString() {
        return "PciDoorbell[value=0x" + Integer.toHexString(value) + ", own peer " + ownPeerId + "]";
    }
}

package dev.vboost.agent.ivshmem;

import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import dev.vboost.impl.Doorbell;

/**
 * A guest doorbell that adds 1 to an eventfd: what KVM's ioeventfd does for a guest's BAR0 write, for guests
 * running as host processes (tests, benchmarks). The descriptor belongs to whoever created this (an
 * {@link IvshmemPeer}); allocation-free.
 */
public final class EventfdDoorbell implements Doorbell {
    private final int fd;
    private final Memory one = new Memory(8);

    EventfdDoorbell(int fd) {
        this.fd = fd;
        one.setLong(0, 1);
    }

    @Override
    public void ring() {
        Libc.write(fd, one, 8);
    }

    @Override
    public String toString() {
        return "EventfdDoorbell[fd=" + fd + "]";
    }
}

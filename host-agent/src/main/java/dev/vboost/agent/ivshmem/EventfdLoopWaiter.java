package dev.vboost.agent.ivshmem;

import dev.vboost.agent.LoopWaiter;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LoopWaiter} that sleeps in {@code ppoll} on the agent's doorbell eventfds (from its
 * {@link IvshmemServer}s), a private wake-up eventfd and the deadline as the timeout, so an idle agent costs
 * one wake-up per deadline or safety poll instead of one per poll period. A ring carries no slot index: the
 * loop scans the lines whose counters moved after every return (spec §12.3).
 *
 * <p>Counts rings: {@link #ringsReceived()} adds up the eventfd counters read (one per guest write),
 * {@link #ringsCoalesced()} the rings that arrived while an earlier one was still unread (they cost no extra
 * scan), and {@link #spuriousRings()} the wake-ups by a ring after which the loop found nothing changed (the
 * loop reports those with {@link #scanFoundNothing()}).
 *
 * <p>{@link #awaitUntil} belongs to the agent thread; it allocates nothing. {@link #wakeUp} is for any thread.
 * The ring descriptors stay owned by their servers: close this waiter's use of them (stop the loop) first.
 */
public final class EventfdLoopWaiter implements LoopWaiter, AutoCloseable {
    private final int[] ringFds;
    private final int wakeFd;
    private final Memory pollFds;
    private final Memory timeout = new Memory(16);
    private final Memory counter = new Memory(8);
    private final Memory one = new Memory(8);
    private final AtomicLong rings = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong spurious = new AtomicLong();
    private final AtomicLong wakes = new AtomicLong();
    private boolean lastWakeByRing;
    private volatile boolean closed;

    /**
     * Waits on {@code ringFds} (may be empty: then only the deadline and {@link #wakeUp} end a wait).
     *
     * @param ringFds the doorbell eventfds, non-blocking; the array is copied, the descriptors stay owned by their
     *                servers
     */
    public EventfdLoopWaiter(int... ringFds) {
        this.ringFds = ringFds.clone();
        this.wakeFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        this.pollFds = new Memory((long) Libc.POLLFD_SIZE * (1 + this.ringFds.length));
        one.setLong(0, 1);
        setPollFd(0, wakeFd);
        for (int i = 0; i < this.ringFds.length; i++) {
            setPollFd(1 + i, this.ringFds[i]);
        }
    }

    private void setPollFd(int i, int fd) {
        long o = (long) i * Libc.POLLFD_SIZE;
        pollFds.setInt(o, fd);
        pollFds.setShort(o + 4, Libc.POLLIN);
    }

    @Override
    public void awaitUntil(long deadlineNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        lastWakeByRing = false;
        long left = deadlineNanos - System.nanoTime();
        if (left > 0 && !closed) {
            timeout.setLong(0, left / 1_000_000_000L);
            timeout.setLong(8, left % 1_000_000_000L);
            for (int i = 0; i <= ringFds.length; i++) {
                pollFds.setShort((long) i * Libc.POLLFD_SIZE + 6, (short) 0);
            }
            try {
                Libc.ppoll(pollFds, 1 + ringFds.length, timeout, null);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Libc.EINTR) {
                    throw e;
                }
            }
            wakes.incrementAndGet();
        }
        drain(wakeFd);
        for (int fd : ringFds) {
            long n = drain(fd);
            if (n > 0) {
                lastWakeByRing = true;
                rings.addAndGet(n);
                coalesced.addAndGet(n - 1);
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Reads (and so resets) an eventfd's counter; 0 if it was not signalled. */
    private long drain(int fd) {
        try {
            return Libc.read(fd, counter, 8) == 8 ? counter.getLong(0) : 0;
        } catch (LastErrorException e) {
            return 0; // EAGAIN: not signalled
        }
    }

    /**
     * Whether the last wait ended by a doorbell.
     *
     * @return true if the last {@link #awaitUntil} consumed at least one ring
     */
    public boolean lastWakeByRing() {
        return lastWakeByRing;
    }

    /** The loop scanned after a ring ({@link #lastWakeByRing()}) and found no changed line. */
    @Override
    public void scanFoundNothing() {
        if (lastWakeByRing) {
            spurious.incrementAndGet();
        }
    }

    /** Rings wake it: the agent's idle poll may be a long safety poll. */
    @Override
    public boolean wakesOnRings() {
        return true;
    }

    @Override
    public void wakeUp() {
        if (!closed) {
            Libc.write(wakeFd, one, 8);
        }
    }

    /**
     * Guest writes to the doorbell that the agent consumed.
     *
     * @return count since construction
     */
    public long ringsReceived() {
        return rings.get();
    }

    /**
     * Rings that arrived while an earlier one was still unread: they woke no one and cost no extra scan.
     *
     * @return count since construction
     */
    public long ringsCoalesced() {
        return coalesced.get();
    }

    /**
     * Wake-ups by a ring after which the loop found no changed line.
     *
     * @return count since construction
     */
    public long spuriousRings() {
        return spurious.get();
    }

    /**
     * Times the waiter slept and woke (a ring, {@link #wakeUp}, the deadline or a signal).
     *
     * @return count since construction
     */
    public long wakeUps() {
        return wakes.get();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(wakeFd);
        }
    }
}

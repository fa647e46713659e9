package dev.vboost.agent.ivshmem;

import dev.vboost.agent.LoopWaiter;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.util.concurrent.TimeoutException;
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
 * <p>{@link #awaitUntil} belongs to the agent thread; it allocates nothing unless the set of descriptors changed.
 * {@link #wakeUp}, {@link #addRingFds} and {@link #removeRingFds} are for any thread: a changed set is published
 * whole and adopted by the agent thread at the start of its next wait, so one agent can serve doorbell VMs that
 * come and go. The ring descriptors stay owned by their servers: close one only after {@link #removeRingFds}
 * returned for it, or after the loop stopped.
 */
public final class EventfdLoopWaiter implements LoopWaiter, AutoCloseable {
    /** How often a remover re-checks whether the agent thread left its wait, while it waits for adoption. */
    private static final long ADOPTION_RECHECK_MILLIS = 10;

    /** A set of ring descriptors, replaced as a whole and never changed once published. */
    private static final class RingSet {
        final int[] fds;
        final long version;

        RingSet(int[] fds, long version) {
            this.fds = fds;
            this.version = version;
        }
    }

    /** The set publishers want waited on; written under {@link #publishers}, read by the agent thread. */
    private volatile RingSet published;
    /** Serialises publishers and carries the agent thread's adoption notices to removers. */
    private final Object publishers = new Object();
    /** The version of the set the agent thread waits on now (adopted at the start of its last wait). */
    private volatile long adoptedVersion;
    /** True from the start of {@link #awaitUntil} until it touches no ring descriptor any more. */
    private volatile boolean waiting;
    // agent thread only: the adopted set and its pollfd array (grown when a set outgrows it)
    private RingSet adopted;
    private Memory pollFds;
    private final int wakeFd;
    private final Memory timeout = new Memory(16);
    private final Memory counter = new Memory(8);
    private final Memory one = new Memory(8);
    private final AtomicLong rings = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong spurious = new AtomicLong();
    private final AtomicLong wakes = new AtomicLong();
    private final AtomicLong adoptions = new AtomicLong();
    private boolean lastWakeByRing;
    private volatile boolean closed;

    /**
     * Waits on {@code ringFds} (may be empty: then only the deadline and {@link #wakeUp} end a wait); the set
     * may change later with {@link #addRingFds} and {@link #removeRingFds}.
     *
     * @param ringFds the doorbell eventfds, non-blocking; the array is copied, the descriptors stay owned by their
     *                servers
     */
    public EventfdLoopWaiter(int... ringFds) {
        RingSet first = new RingSet(distinct(ringFds.clone()), 0);
        this.published = first;
        this.adopted = first;
        this.wakeFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        this.pollFds = new Memory((long) Libc.POLLFD_SIZE * (1 + first.fds.length));
        one.setLong(0, 1);
        fillPollFds(first);
    }

    private static int[] distinct(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] < 0) {
                throw new IllegalArgumentException("not a descriptor: " + fds[i]);
            }
            for (int j = 0; j < i; j++) {
                if (fds[i] == fds[j]) {
                    throw new IllegalArgumentException("descriptor " + fds[i] + " given twice");
                }
            }
        }
        return fds;
    }

    private void fillPollFds(RingSet set) {
        setPollFd(0, wakeFd);
        for (int i = 0; i < set.fds.length; i++) {
            setPollFd(1 + i, set.fds[i]);
        }
    }

    private void setPollFd(int i, int fd) {
        long o = (long) i * Libc.POLLFD_SIZE;
        pollFds.setInt(o, fd);
        pollFds.setShort(o + 4, Libc.POLLIN);
    }

    /**
     * Adds doorbell eventfds to the set waited on, from any thread: the agent thread's current wait ends and its
     * next one waits on them too (a ring that came before is not lost: an eventfd keeps its count).
     *
     * @param fds non-blocking eventfds not yet in the set; they must stay open until {@link #removeRingFds}
     *            returned for them (or the agent thread stopped waiting for good)
     * @throws IllegalArgumentException if one is already in the set or given twice
     */
    public void addRingFds(int... fds) {
        synchronized (publishers) {
            RingSet now = published;
            int[] next = java.util.Arrays.copyOf(now.fds, now.fds.length + fds.length);
            System.arraycopy(fds, 0, next, now.fds.length, fds.length);
            published = new RingSet(distinct(next), now.version + 1);
        }
        wakeUp();
    }

    /**
     * Removes doorbell eventfds from the set waited on, from any thread, and returns only once the agent thread
     * can no longer touch them: it adopted a set without them, or it is not inside {@link #awaitUntil} (its next
     * wait adopts the new set before it polls or reads anything). Only then may their owner close them: a closed
     * number can be reused at once by an unrelated descriptor, which the agent thread would then read.
     *
     * @param timeoutNanos how long to wait for the agent thread
     * @param fds          descriptors in the set (others are ignored)
     * @throws TimeoutException     if the agent thread stayed in a wait with the old set that long (it is stuck):
     *                              the descriptors must then stay open
     * @throws InterruptedException if interrupted while waiting (the descriptors must then stay open)
     */
    public void removeRingFds(long timeoutNanos, int... fds) throws TimeoutException, InterruptedException {
        long version;
        synchronized (publishers) {
            RingSet now = published;
            int[] next = new int[now.fds.length];
            int n = 0;
            for (int fd : now.fds) {
                if (!contains(fds, fd)) {
                    next[n++] = fd;
                }
            }
            version = now.version + 1;
            published = new RingSet(java.util.Arrays.copyOf(next, n), version);
        }
        wakeUp();
        long until = System.nanoTime() + timeoutNanos;
        synchronized (publishers) {
            // Dekker pair with awaitUntil: it writes `waiting` then reads `published`; this wrote `published`
            // then reads `waiting`. Seeing waiting == false, the agent thread's next wait sees the new set.
            while (adoptedVersion < version && waiting) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("the agent thread did not adopt the doorbell set without "
                            + java.util.Arrays.toString(fds) + " within " + timeoutNanos / 1_000_000 + " ms");
                }
                publishers.wait(Math.min(ADOPTION_RECHECK_MILLIS, Math.max(1, left / 1_000_000)));
            }
        }
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * The descriptors waited on now or from the agent thread's next wait.
     *
     * @return a copy of the published set
     */
    public int[] ringFds() {
        return published.fds.clone();
    }

    /** The agent thread takes the published set if it changed: allocation only then. */
    private RingSet adopt() {
        RingSet want = published;
        RingSet have = adopted;
        if (want != have) {
            long need = (long) Libc.POLLFD_SIZE * (1 + want.fds.length);
            if (pollFds.size() < need) {
                pollFds = new Memory(need);
            }
            fillPollFds(want);
            adopted = want;
            adoptions.incrementAndGet();
            synchronized (publishers) {
                adoptedVersion = want.version;
                publishers.notifyAll();
            }
            have = want;
        }
        return have;
    }

    @Override
    public void awaitUntil(long deadlineNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        waiting = true;
        try {
            RingSet set = adopt();
            int[] ringFds = set.fds;
            lastWakeByRing = false;
            long left = deadlineNanos - System.nanoTime();
            for (int i = 0; i <= ringFds.length; i++) {
                pollFds.setShort((long) i * Libc.POLLFD_SIZE + 6, (short) 0); // revents: none until ppoll says
            }
            if (left > 0 && !closed) {
                timeout.setLong(0, left / 1_000_000_000L);
                timeout.setLong(8, left % 1_000_000_000L);
                try {
                    Libc.ppoll(pollFds, 1 + ringFds.length, timeout, null);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Libc.EINTR) {
                        throw e;
                    }
                }
                wakes.incrementAndGet();
            }
            // Only the descriptors ppoll reported readable are read: reading an unsignalled eventfd fails with
            // EAGAIN, which JNA raises as an exception, tens of microseconds per VM at every wake-up (64 idle VMs:
            // 0.68 % of a core instead of 0.24 %). A ring that arrives after ppoll returned wakes the next one.
            if (readable(0)) {
                drain(wakeFd);
            }
            for (int i = 0; i < ringFds.length; i++) {
                long n = readable(1 + i) ? drain(ringFds[i]) : 0;
                if (n > 0) {
                    lastWakeByRing = true;
                    rings.addAndGet(n);
                    coalesced.addAndGet(n - 1);
                }
            }
        } finally {
            waiting = false;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Whether the last ppoll reported entry {@code i} of the poll set readable. */
    private boolean readable(int i) {
        return (pollFds.getShort((long) i * Libc.POLLFD_SIZE + 6) & Libc.POLLIN) != 0;
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
     * Times the agent thread took a changed descriptor set ({@link #addRingFds}, {@link #removeRingFds}).
     *
     * @return count since construction
     */
    public long adoptions() {
        return adoptions.get();
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

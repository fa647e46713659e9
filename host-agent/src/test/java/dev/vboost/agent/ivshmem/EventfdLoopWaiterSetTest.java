package dev.vboost.agent.ivshmem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An {@link EventfdLoopWaiter} whose descriptor set changes while another thread sleeps in it, over real
 * eventfds: an added descriptor wakes it, a removed one is never read again once {@code removeRingFds} returned.
 */
class EventfdLoopWaiterSetTest {
    private static final long BOUND_SECONDS = 5;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private final int a = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
    private final int b = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
    private final Memory word = new Memory(8);

    @AfterEach
    void close() {
        Libc.closeQuietly(a);
        Libc.closeQuietly(b);
    }

    private void ring(int fd) {
        word.setLong(0, 1);
        Libc.write(fd, word, 8);
    }

    /** The eventfd's count, consumed; 0 if nobody rang it since the last read. */
    private long count(int fd) {
        try {
            return Libc.read(fd, word, 8) == 8 ? word.getLong(0) : 0;
        } catch (LastErrorException e) {
            return 0; // EAGAIN
        }
    }

    /** The agent thread: waits an hour at a time, so only a ring or wakeUp ends a wait; reports ring wake-ups. */
    private static Thread agent(EventfdLoopWaiter w, LinkedBlockingQueue<Long> ringWakes, AtomicReference<Throwable> died,
            boolean[] stop) {
        Thread t = new Thread(() -> {
            try {
                while (!stopped(stop)) {
                    w.awaitUntil(System.nanoTime() + HOUR);
                    if (w.lastWakeByRing()) {
                        ringWakes.add(w.ringsReceived());
                    }
                }
            } catch (Throwable e) {
                died.set(e);
            }
        }, "waiter-set-test-agent");
        t.setDaemon(true);
        return t;
    }

    private static boolean stopped(boolean[] stop) {
        synchronized (stop) {
            return stop[0];
        }
    }

    @Test
    void descriptorsComeAndGoWhileTheAgentThreadSleeps() throws Exception {
        LinkedBlockingQueue<Long> ringWakes = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> died = new AtomicReference<>();
        boolean[] stop = {false};
        try (EventfdLoopWaiter w = new EventfdLoopWaiter()) {
            Thread t = agent(w, ringWakes, died, stop);
            t.start();
            try {
                // added while the thread sleeps on the wake-up eventfd alone: a ring on it wakes the thread
                w.addRingFds(a);
                assertArrayEquals(new int[] {a}, w.ringFds());
                ring(a);
                assertEquals(1L, ringWakes.poll(BOUND_SECONDS, TimeUnit.SECONDS), "a ring on the added fd woke it");

                // b added, then a removed while the thread sleeps on {a, b}: removal returns once it can no
                // longer touch a, so a ring on a stays unread, and b still wakes it
                w.addRingFds(b);
                w.removeRingFds(TimeUnit.SECONDS.toNanos(BOUND_SECONDS), a);
                assertArrayEquals(new int[] {b}, w.ringFds());
                ring(a);
                ring(b);
                assertEquals(2L, ringWakes.poll(BOUND_SECONDS, TimeUnit.SECONDS),
                        "b's ring woke it and only b's ring was counted");
                assertEquals(1, count(a), "the removed fd's ring was never read by the waiter");

                // both gone: a wake-up still ends a wait, rings on either are left alone
                w.removeRingFds(TimeUnit.SECONDS.toNanos(BOUND_SECONDS), b);
                ring(a);
                ring(b);
                w.addRingFds(a); // a's pending count wakes the thread as soon as it adopts the set
                assertEquals(3L, ringWakes.poll(BOUND_SECONDS, TimeUnit.SECONDS), "a pending ring is not lost");
                assertEquals(1, count(b), "b, removed, was not read");
                assertEquals(3, w.ringsReceived());
            } finally {
                synchronized (stop) {
                    stop[0] = true;
                }
                w.wakeUp();
                t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            }
            assertTrue(!t.isAlive(), "the agent thread ended");
            assertEquals(null, died.get());
        }
    }

    @Test
    void removalWithNoThreadInsideAWaitReturnsAtOnceAndTheNextWaitUsesTheNewSet() throws Exception {
        try (EventfdLoopWaiter w = new EventfdLoopWaiter(a, b)) {
            w.removeRingFds(TimeUnit.SECONDS.toNanos(BOUND_SECONDS), a); // nobody waits: nobody can touch a
            assertEquals(0, w.adoptions());
            ring(a);
            ring(b);
            w.awaitUntil(System.nanoTime() + HOUR); // b's count ends it at once
            assertTrue(w.lastWakeByRing());
            assertEquals(1, w.ringsReceived());
            assertEquals(1, w.adoptions());
            assertEquals(1, count(a), "a was left alone");
        }
    }

    @Test
    void aDescriptorIsInTheSetAtMostOnce() {
        try (EventfdLoopWaiter w = new EventfdLoopWaiter(a)) {
            assertThrows(IllegalArgumentException.class, () -> w.addRingFds(a));
            assertThrows(IllegalArgumentException.class, () -> w.addRingFds(b, b));
            assertArrayEquals(new int[] {a}, w.ringFds(), "a refused change publishes nothing");
        }
        assertThrows(IllegalArgumentException.class, () -> new EventfdLoopWaiter(a, a));
    }
}

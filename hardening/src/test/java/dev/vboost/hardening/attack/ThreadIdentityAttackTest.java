package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.ThreadGoneException;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.hardening.support.Realtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 rows 2 and 3 on real threads and a real process: a registered thread is only ever touched while its
 * id still names it (an exited thread, a stale identity on a live SCHED_FIFO process, a start time of 0), and
 * every boost carries SCHED_FLAG_RESET_ON_FORK so a boosted vCPU thread cannot hand its boost to a thread or
 * process it creates, while a thread's own flags come back exactly.
 */
class ThreadIdentityAttackTest {
    private final LinuxPriorityActuator actuator = new LinuxPriorityActuator();
    private Process bystander;

    @BeforeEach
    void needsRealtime() {
        Realtime.assume();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (bystander != null) {
            bystander.destroyForcibly();
            bystander.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anExitedThreadIsNeverTouched() throws Exception {
        Worker w = Worker.start("vcpu-gone");
        VcpuThread t = actuator.identify(w.tid);
        w.stop();
        awaitGone(w.tid);
        assertThrows(ThreadGoneException.class, () -> actuator.read(t));
        ThreadGoneException e = assertThrows(ThreadGoneException.class, () -> actuator.apply(t, ThreadAttributes.rr(8)));
        assertEquals(ActuatorException.Kind.NO_SUCH_THREAD, e.kind());
    }

    @Test
    void aStaleIdentityNeverDemotesALiveFifoProcessNorRaisesIt() throws Exception {
        // an unrelated root process at SCHED_FIFO 50 now holds the id the agent registered (simulated by an
        // identity whose start time no longer matches: what a reused id looks like)
        bystander = new ProcessBuilder("sleep", "60").start();
        int pid = (int) bystander.pid();
        VcpuThread real = actuator.identify(pid);
        actuator.apply(real, ThreadAttributes.fifo(50));
        ThreadAttributes before = actuator.read(real);
        for (VcpuThread stale : new VcpuThread[] {new VcpuThread(pid, pid, real.startTime() - 1),
                new VcpuThread(pid, pid, 0), new VcpuThread(pid + 1 == Integer.MAX_VALUE ? 1 : pid + 1, pid, real.startTime())}) {
            assertThrows(ThreadGoneException.class, () -> actuator.apply(stale, ThreadAttributes.DEFAULT), stale::toString);
            assertThrows(ThreadGoneException.class, () -> actuator.apply(stale, ThreadAttributes.rr(8)), stale::toString);
            assertThrows(ThreadGoneException.class, () -> actuator.read(stale), stale::toString);
        }
        assertEquals(before, actuator.read(real), "the bystander keeps SCHED_FIFO 50");
        assertEquals("1", statField(pid, pid, 41), "kernel view: still SCHED_FIFO");
    }

    @Test
    void identityParsesACommThatHoldsSpacesAndParentheses() throws Exception {
        Worker w = Worker.start("a) (b c) ");
        try {
            VcpuThread t = actuator.identify(w.tid);
            assertEquals(ProcessHandle.current().pid(), t.tgid());
            assertEquals(Long.parseLong(statField(t.tgid(), w.tid, 22)), t.startTime());
            assertEquals(t.startTime(), LinuxThreads.startTimeOf(w.tid));
        } finally {
            w.stop();
        }
    }

    @Test
    void threadsAndProcessesABoostedThreadCreatesDoNotInheritTheBoost() throws Exception {
        Worker w = Worker.start("vcpu-forks");
        try {
            VcpuThread t = actuator.identify(w.tid);
            ThreadAttributes original = actuator.read(t);
            actuator.apply(t, ThreadAttributes.rr(8));
            assertTrue(actuator.read(t).resetOnFork(), "the boost carries SCHED_FLAG_RESET_ON_FORK");
            int childTid = w.call(() -> {
                SynchronousQueue<Integer> q = new SynchronousQueue<>();
                Thread child = new Thread(() -> {
                    try {
                        q.put(LinuxThreads.currentTid());
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                child.start();
                return q.poll(10, TimeUnit.SECONDS);
            });
            ThreadAttributes child = actuator.read(childTid);
            assertFalse(child.isRealTime(), "a thread created by the boosted thread inherited " + child);
            int childPid = w.call(() -> {
                bystander = new ProcessBuilder("sleep", "60").start();
                return (int) bystander.pid();
            });
            ThreadAttributes proc = actuator.read(childPid);
            assertFalse(proc.isRealTime(), "a process started by the boosted thread inherited " + proc);
            actuator.apply(t, original);
            assertEquals(original, actuator.read(t));
        } finally {
            w.stop();
        }
    }

    @Test
    void aThreadsOwnFlagsAreRestoredExactly() throws Exception {
        Worker w = Worker.start("vcpu-flags");
        try {
            VcpuThread t = actuator.identify(w.tid);
            // its own RESET_ON_FORK, set by the VMM: kept through a boost
            ThreadAttributes withFlag = ThreadAttributes.normal(0).withFlags(ThreadAttributes.SCHED_FLAG_RESET_ON_FORK);
            actuator.apply(t, withFlag);
            assertEquals(withFlag, actuator.read(t));
            actuator.apply(t, ThreadAttributes.fifo(30));
            actuator.apply(t, withFlag);
            assertEquals(withFlag, actuator.read(t));
            // a real-time original without the flag (reached by lowering, as a VMM would set it): comes back without
            actuator.apply(t, ThreadAttributes.fifo(20));
            ThreadAttributes rtNoFlag = new ThreadAttributes(ThreadAttributes.SCHED_FIFO, 10, 0, 0);
            actuator.apply(t, rtNoFlag);
            assertEquals(rtNoFlag, actuator.read(t));
            actuator.apply(t, ThreadAttributes.fifo(30));
            assertTrue(actuator.read(t).resetOnFork());
            actuator.apply(t, rtNoFlag);
            assertEquals(rtNoFlag, actuator.read(t), "the boost's flag does not stay behind");
            actuator.apply(t, ThreadAttributes.DEFAULT);
        } finally {
            w.stop();
        }
    }

    private static String statField(long tgid, int tid, int field) throws Exception {
        String stat = Files.readString(Paths.get("/proc/" + tgid + "/task/" + tid + "/stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return rest[field - 3];
    }

    private static void awaitGone(int tid) throws InterruptedException {
        Path task = Paths.get("/proc/self/task/" + tid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(task)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread " + tid + " still listed 10 s after it ended");
            }
            Thread.sleep(1);
        }
    }

    /** A real thread that runs the tasks it is given (so they run on it) until stopped. */
    private static final class Worker {
        private final SynchronousQueue<CompletableFuture<Object>> work = new SynchronousQueue<>();
        private final SynchronousQueue<java.util.concurrent.Callable<?>> tasks = new SynchronousQueue<>();
        private final Thread thread;
        volatile int tid;

        private Worker(String name) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
        }

        static Worker start(String name) throws Exception {
            Worker w = new Worker(name);
            w.thread.start();
            int tid = w.call(LinuxThreads::currentTid);
            w.tid = tid;
            return w;
        }

        private void run() {
            try {
                while (true) {
                    java.util.concurrent.Callable<?> task = tasks.take();
                    CompletableFuture<Object> result = work.take();
                    try {
                        result.complete(task.call());
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }

        @SuppressWarnings("unchecked")
        <T> T call(java.util.concurrent.Callable<T> task) throws Exception {
            CompletableFuture<Object> f = new CompletableFuture<>();
            if (!tasks.offer(task, 10, TimeUnit.SECONDS) || !work.offer(f, 10, TimeUnit.SECONDS)) {
                throw new AssertionError("worker not taking tasks");
            }
            return (T) f.get(20, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            if (thread.isAlive()) {
                throw new AssertionError("worker did not stop");
            }
        }
    }
}

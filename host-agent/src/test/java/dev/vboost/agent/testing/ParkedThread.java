package dev.vboost.agent.testing;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real platform thread that reports its Linux tid and waits until stopped: a stand-in vCPU thread. */
public final class ParkedThread {
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger tid = new AtomicInteger();
    private final Thread thread;

    private ParkedThread(String name) {
        thread = new Thread(() -> {
            tid.set(LinuxThreads.currentTid());
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.setDaemon(true);
    }

    public static ParkedThread start(String name) throws InterruptedException {
        ParkedThread p = new ParkedThread(name);
        p.thread.start();
        if (!p.started.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("thread " + name + " did not start");
        }
        return p;
    }

    public int tid() {
        return tid.get();
    }

    /**
     * Ends the thread and returns once the kernel has removed its task: {@code Thread.join} returns while the
     * native thread may still be on its way out, and a test that then expects the tid gone would race it.
     */
    public void stop() throws InterruptedException {
        release.countDown();
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError("thread did not stop");
        }
        Path task = Paths.get("/proc/self/task/" + tid.get());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(task)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread " + tid.get() + " still listed 10 s after it ended");
            }
            Thread.sleep(1);
        }
    }

    /** Puts each started thread of {@code threads} back to the default attributes, then stops it (test clean-up). */
    public static void restoreAndStop(LinuxPriorityActuator actuator, ParkedThread[] threads)
            throws InterruptedException {
        for (ParkedThread t : threads) {
            if (t != null) {
                try {
                    actuator.apply(t.tid(), ThreadAttributes.DEFAULT);
                } catch (ActuatorException e) {
                    // the thread is stopped next anyway
                }
                t.stop();
            }
        }
    }
}

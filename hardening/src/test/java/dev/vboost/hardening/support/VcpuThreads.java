package dev.vboost.hardening.support;

import dev.vboost.agent.actuator.LinuxThreads;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Real platform threads standing in for a VMM's vCPU threads: each reports its Linux thread id and then waits
 * (off-CPU) until {@link #close()}. The agent boosts and restores them with real {@code sched_setattr}.
 */
public final class VcpuThreads implements AutoCloseable {
    private final Thread[] threads;
    private final int[] tids;
    private final CountDownLatch started;
    private final CountDownLatch release = new CountDownLatch(1);

    public VcpuThreads(String prefix, int count) throws InterruptedException {
        threads = new Thread[count];
        tids = new int[count];
        started = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            final int index = i;
            threads[i] = new Thread(() -> {
                tids[index] = LinuxThreads.currentTid();
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, prefix + "-vcpu" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("vCPU threads did not start within 10 s");
        }
    }

    public int tid(int i) {
        return tids[i];
    }

    public int count() {
        return tids.length;
    }

    /** vCPU index (= slot) to thread id, as {@code HostAgent.Builder.addVm} takes it. */
    public Map<Integer, Integer> slotMap() {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < tids.length; i++) {
            m.put(i, tids[i]);
        }
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        release.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}

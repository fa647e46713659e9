package dev.vboost.examples;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The host half of the README's example: creates a region file for a VM with one vCPU, runs a host agent over
 * it, and serves until a line (or end of input) arrives on stdin. Start {@link GuestExample} with the same file
 * in another JVM while it runs.
 *
 * <p>In a real deployment the vCPU threads belong to the VMM (QEMU's {@code CPU 0/KVM} ...); here one thread of
 * this JVM stands in for vCPU 0. Changing its priority needs root or {@code CAP_SYS_NICE}; without it the agent
 * answers {@code ACTUATOR_FAILED}.
 */
public final class HostExample {
    private HostExample() {
    }

    /**
     * Runs the host.
     *
     * @param args the region file to create, e.g. {@code /dev/shm/vm1.vboost}
     * @throws Exception if the region cannot be created or the agent cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HostExample REGION_FILE");
            System.exit(2);
        }
        Path regionFile = Path.of(args[0]);
        StandInVcpu vcpu0 = StandInVcpu.start();
        try {
            int vcpus = 1;
            try (MappedRegionFile file = MappedRegionFile.create(regionFile, RegionLayout.regionSize(vcpus));
                 HostEndpoint region = Regions.createHost(file.memory(), HostRegionConfig.defaults(vcpus));
                 HostAgent agent = HostAgent.builder()
                         .addVm("vm1", region, PolicyConfig.defaults(), Map.of(0, vcpu0.tid))
                         .build()
                         .start()) {
                System.out.println("host: serving " + regionFile + ", vCPU 0 is thread " + vcpu0.tid
                        + "; press Enter to stop");
                waitForEnter();
                System.out.println("host: granted " + agent.counters("vm1").granted() + ", denied "
                        + agent.counters("vm1").denied());
            }   // closing the agent restores every boosted thread; closing the endpoint disables the region
        } finally {
            vcpu0.stop();
        }
    }

    private static void waitForEnter() throws IOException {
        int c;
        do {
            c = System.in.read();
        } while (c != -1 && c != '\n');
    }

    /** A thread of this JVM standing in for a VMM's vCPU thread: it only waits to be stopped. */
    private static final class StandInVcpu {
        final int tid;
        private final Thread thread;
        private final CountDownLatch stop;

        private StandInVcpu(int tid, Thread thread, CountDownLatch stop) {
            this.tid = tid;
            this.thread = thread;
            this.stop = stop;
        }

        static StandInVcpu start() throws Exception {
            CountDownLatch stop = new CountDownLatch(1);
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                tid.complete(LinuxThreads.currentTid());
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "vcpu-0");
            t.setDaemon(true);
            t.start();
            return new StandInVcpu(tid.get(), t, stop);
        }

        void stop() throws InterruptedException {
            stop.countDown();
            thread.join();
        }
    }
}

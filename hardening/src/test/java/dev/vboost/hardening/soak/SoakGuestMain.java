package dev.vboost.hardening.soak;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The guest process of {@link SoakTest}: several vCPU threads, one slot each, making random requests and
 * releases from a seeded {@link SplittableRandom} and acknowledging host boosts, logging every request and what
 * the host answered.
 *
 * <p>Arguments: {@code <region file> <vcpus> <seed> <seconds> <log dir>}. Protocol on stdout/stdin: prints
 * {@code TIDS <tid>...} once its vCPU threads exist, waits for {@code GO} (the host has created the region and
 * started its agent), runs, writes {@code <log dir>/vcpu<i>.log}, prints {@code DONE <requests>}, and keeps its
 * threads alive until {@code EXIT} so the host can check they were put back.
 *
 * <p>Log lines: {@code <id> BOOST|UNBOOST ACTED <status> <denial> <acted id>} or {@code <id> ... TIMEOUT}, and
 * {@code HOSTACK <host boost id>}.
 */
public final class SoakGuestMain {
    static final long ACT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Reasons the guest draws from: every defined one, so some are refused by the soak policy. */
    static final int REASONS = BoostReason.DEFINED_MASK;

    private SoakGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        Path region = Paths.get(args[0]);
        int vcpus = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int seconds = Integer.parseInt(args[3]);
        Path logDir = Paths.get(args[4]);
        int[] tids = new int[vcpus];
        CountDownLatch started = new CountDownLatch(vcpus);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch exit = new CountDownLatch(1);
        GuestEndpoint[] guest = new GuestEndpoint[1];
        java.util.concurrent.atomic.AtomicLongArray requests = new java.util.concurrent.atomic.AtomicLongArray(vcpus);
        CountDownLatch finished = new CountDownLatch(vcpus);
        Throwable[] failure = new Throwable[vcpus];
        long[] deadline = new long[1];
        Thread[] threads = new Thread[vcpus];
        for (int i = 0; i < vcpus; i++) {
            final int slot = i;
            threads[i] = new Thread(() -> {
                tids[slot] = LinuxThreads.currentTid();
                started.countDown();
                try {
                    go.await();
                    requests.set(slot, runVcpu(guest[0], slot, new SplittableRandom(seed), slot, deadline[0],
                            logDir.resolve("vcpu" + slot + ".log")));
                } catch (Throwable t) {
                    failure[slot] = t;
                } finally {
                    finished.countDown(); // publishes requests[slot] and failure[slot] to main
                }
                try {
                    exit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "guest-vcpu" + i);
            threads[i].start();
        }
        started.await();
        StringBuilder sb = new StringBuilder("TIDS");
        for (int t : tids) {
            sb.append(' ').append(t);
        }
        System.out.println(sb);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        expect(in, "GO");
        MappedRegionFile file = MappedRegionFile.open(region);
        guest[0] = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(10));
        deadline[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        go.countDown();
        if (!finished.await(seconds + 60L, TimeUnit.SECONDS)) {
            System.err.println("vCPU threads did not finish within " + (seconds + 60) + " s");
            System.exit(1);
        }
        long total = 0;
        for (int i = 0; i < vcpus; i++) {
            if (failure[i] != null) {
                failure[i].printStackTrace();
                System.exit(1);
            }
            total += requests.get(i);
        }
        System.out.println("DONE " + total);
        System.out.flush();
        expect(in, "EXIT");
        exit.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        System.exit(0);
    }

    private static void expect(BufferedReader in, String word) throws java.io.IOException {
        String line = in.readLine();
        if (!word.equals(line)) {
            System.err.println("expected " + word + " on stdin, got " + line);
            System.exit(2);
        }
    }

    /** One vCPU's random run; returns how many requests it made. */
    private static long runVcpu(GuestEndpoint guest, int slot, SplittableRandom base, int index, long deadline,
            Path log) throws Exception {
        SplittableRandom rnd = base;
        for (int i = 0; i < index; i++) {
            rnd = rnd.split(); // vCPU i uses the i-th split stream: reproducible from the seed alone
        }
        HostSlotSnapshot seen = new HostSlotSnapshot();
        HostSlotSnapshot line = new HostSlotSnapshot();
        long count = 0;
        long acked = 0;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            while (System.nanoTime() - deadline < 0) {
                long id;
                String kind;
                if (rnd.nextInt(100) < 60) {
                    SchedPolicy policy = rnd.nextBoolean() ? SchedPolicy.FIFO : SchedPolicy.RR;
                    int reasons = 1 + rnd.nextInt(REASONS);
                    id = guest.requestBoost(slot, policy, 1 + rnd.nextInt(99), 0, reasons & REASONS);
                    kind = "BOOST";
                } else {
                    id = guest.release(slot);
                    kind = "UNBOOST";
                }
                count++;
                if (guest.awaitActed(slot, id, ACT_TIMEOUT_NANOS, seen)) {
                    out.println(id + " " + kind + " ACTED " + seen.status() + " " + seen.denial() + " "
                            + seen.actedRequestId());
                } else {
                    out.println(id + " " + kind + " TIMEOUT");
                }
                // a host-initiated boost the guest has not acknowledged yet
                if (guest.readHostState(slot, line) == ReadStatus.OK && line.hostBoostId() > acked) {
                    acked = line.hostBoostId();
                    guest.acknowledgeHostBoost(slot, acked);
                    out.println("HOSTACK " + acked);
                }
                // mostly short holds; now and then one longer than the host's bound
                int pause = rnd.nextInt(100) < 5 ? 15_000 + rnd.nextInt(20_000) : rnd.nextInt(3_000);
                LockSupport.parkNanos(pause * 1_000L);
            }
            long id = guest.release(slot);
            count++;
            out.println(id + " UNBOOST " + (guest.awaitActed(slot, id, ACT_TIMEOUT_NANOS, seen)
                    ? "ACTED " + seen.status() + " " + seen.denial() + " " + seen.actedRequestId() : "TIMEOUT"));
        }
        return count;
    }
}

package dev.vboost.hardening.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.hardening.support.ChildJvm;
import dev.vboost.hardening.support.HostUnderTest;
import dev.vboost.hardening.support.PolicySampler;
import dev.vboost.hardening.support.Realtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded cross-process soak: a guest process ({@link SoakGuestMain}) with several vCPU threads makes random
 * requests and releases over a memory-mapped region against one host agent in this JVM, which boosts the
 * guest's own threads with real {@code sched_setattr} while a host thread fires random host-initiated boosts.
 * A sampler reads the threads' policy with {@code sched_getattr} at a fixed rate throughout.
 *
 * <p>At the end: every request id of every vCPU was acted on, in order, none lost; every BOOST request got
 * exactly one decision the host counted (granted, joined or denied with a cause); no priority above the ceiling
 * was applied or sampled; no boost outlived its bound (applied intervals and sampled runs); every thread is back
 * at its original attributes.
 *
 * <p>{@code -Dvboost.soak.seconds=N} sets the length (default 20; {@code scripts/soak.sh} and {@code -Psoak} run
 * 60), {@code -Dvboost.soak.seed=S} replays a run's random choices (the seed is printed).
 */
class SoakTest {
    private static final int VCPUS = 4;
    /** Above the ceiling (a boosted guest cannot starve the sampler), below the agent (it cannot delay the agent). */
    private static final int SAMPLER_PRIORITY = HostUnderTest.CEILING + 5;
    /** Reasons the soak policy accepts: all but USER_HINT, so some random requests are refused. */
    private static final int ALLOWED = BoostReason.DEFINED_MASK & ~BoostReason.USER_HINT.bit();

    @Test
    void soak(@TempDir Path dir) throws Exception {
        Realtime.assume();
        int seconds = Integer.getInteger("vboost.soak.seconds", 20);
        String seedProperty = System.getProperty("vboost.soak.seed", "").trim();
        long seed = seedProperty.isEmpty() ? new SplittableRandom().nextLong() : Long.parseLong(seedProperty);
        System.out.println("soak: " + seconds + " s, " + VCPUS + " vCPUs, seed " + seed
                + " (replay with -Dvboost.soak.seed=" + seed + ")");
        assertTrue(seconds > 0 && seconds <= 24 * 3600, "vboost.soak.seconds out of range: " + seconds);

        // tight limits so the run meets every bound: short boosts, a budget, a rate limit, host boosts
        HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy()
                .allowedReasons(ALLOWED)
                .maxBoostNanos(TimeUnit.MILLISECONDS.toNanos(20))
                .budget(TimeUnit.MILLISECONDS.toNanos(40), TimeUnit.MILLISECONDS.toNanos(100))
                .maxTransitionsPerSecond(200)
                .hostBoostEnabled(true)
                .build());
        Path logs = Files.createDirectories(dir.resolve("logs"));
        try (host; ChildJvm guest = ChildJvm.start(dir, "soak-guest", SoakGuestMain.class,
                dir.resolve("vm.vboost").toString(), Integer.toString(VCPUS), Long.toString(seed),
                Integer.toString(seconds), logs.toString())) {
            String[] words = guest.expectLine("TIDS", 60_000).split(" ");
            int[] tids = new int[VCPUS];
            for (int i = 0; i < VCPUS; i++) {
                tids[i] = Integer.parseInt(words[i + 1]);
            }
            HostUnderTest.Vm vm = host.addVm(dir, "vm", tids);
            HostAgent agent = host.start();
            AtomicBoolean hostEvents = new AtomicBoolean(true);
            Thread hostBooster = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed ^ 0x5EEDL);
                int vmIndex = agent.vmIndex("vm");
                while (hostEvents.get()) {
                    agent.requestHostBoost(vmIndex, rnd.nextInt(VCPUS), HostBoostFlag.IRQ_INJECTED.bit());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5 + rnd.nextInt(20)));
                }
            }, "soak-host-boosts");
            try (PolicySampler sampler = new PolicySampler(tids, TimeUnit.MILLISECONDS.toNanos(1), SAMPLER_PRIORITY).start()) {
                guest.send("GO");
                hostBooster.start();
                String done = guest.expectLine("DONE", TimeUnit.SECONDS.toMillis(seconds + 90L));
                hostEvents.set(false);
                hostBooster.join(10_000);
                long requests = Long.parseLong(done.substring("DONE ".length()));
                VmCounters c = agent.counters("vm");
                host.stopAndCheck(); // no priority above the ceiling, every boost within its bound, originals back
                sampler.close();
                System.out.println("soak: " + requests + " requests; " + c + "; sampler " + sampler.samples()
                        + " samples, " + sampler.realtimeSamples() + " real-time, " + sampler.gaps() + " late passes, longest run "
                        + sampler.longestRunNanos() / 1000 + " us; canary: " + host.canary().stallCount() + " stalls, longest "
                        + host.canary().longestNanos() / 1000 + " us");
                assertEquals("", sampler.error());
                assertEquals("", host.canary().error());
                assertTrue(sampler.maxPriority() <= HostUnderTest.CEILING, "sampled priority " + sampler.maxPriority());
                // back-to-back boosts may merge in the samples, but the budget caps any real-time stretch at the
                // end of one window plus the start of the next
                long stretch = 2 * host.policy().budgetNanos() + HostUnderTest.SLACK_NANOS + host.canary().longestNanos();
                assertTrue(sampler.longestRunNanos() <= stretch, "thread " + sampler.longestRunTid()
                        + " sampled real-time for " + sampler.longestRunNanos() / 1000 + " us, more than two budgets");
                assertTrue(sampler.realtimeSamples() > 0, "the sampler never saw a boost: the soak tested nothing");
                checkGuestLogs(logs, requests, c);
            } finally {
                hostEvents.set(false);
                guest.send("EXIT");
                guest.awaitSuccess(30_000);
            }
        }
    }

    /** Every request acted on in id order, and every BOOST request counted by the host exactly once. */
    private static void checkGuestLogs(Path logs, long requests, VmCounters c) throws Exception {
        long logged = 0;
        long boosts = 0;
        long hostAcks = 0;
        List<String> problems = new ArrayList<>();
        for (int slot = 0; slot < VCPUS; slot++) {
            long expected = 0;
            for (String line : Files.readAllLines(logs.resolve("vcpu" + slot + ".log"))) {
                if (line.startsWith("HOSTACK ")) {
                    hostAcks++;
                    continue;
                }
                String[] f = line.split(" ");
                long id = Long.parseLong(f[0]);
                if (expected != 0 && id != expected + 1) {
                    problems.add("vCPU " + slot + ": id " + id + " after " + expected);
                }
                expected = id;
                logged++;
                if (f[1].equals("BOOST")) {
                    boosts++;
                }
                if (!f[2].equals("ACTED")) {
                    problems.add("vCPU " + slot + ": request " + id + " never acted on");
                } else if (Long.parseLong(f[5]) < id) {
                    problems.add("vCPU " + slot + ": request " + id + " reported acted with id " + f[5]);
                }
            }
        }
        assertEquals(List.of(), problems, "guest logs disagree with the host");
        assertEquals(requests, logged, "requests made vs logged");
        assertEquals(0, c.invalid(), "a well-formed guest's line counted invalid");
        assertEquals(boosts, c.granted() + c.joined() + c.denied(),
                "BOOST requests " + boosts + " vs decisions counted by the host: " + c);
        assertTrue(c.granted() > 0 && c.denied() > 0, "the soak never saw both grants and denials: " + c);
        assertTrue(c.expired() + c.throttled() > 0, "no boost ended at a bound: the bounds went untested: " + c);
        System.out.println("soak: " + logged + " requests logged, " + boosts + " boosts, " + hostAcks + " host boosts acknowledged");
    }
}

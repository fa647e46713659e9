package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host-scale run of the real {@code vboost agent --vm-dir} in its own JVM, on real threads (vCPUs are
 * {@code sleep} processes): VMs added and removed while boosts are held, metrics scraped over loopback, the
 * agent stopped by {@code SIGTERM} or {@code SIGINT} while boosted; afterwards no thread may be left boosted
 * (read from /proc). Several rounds, alternating the signal.
 */
class HostScaleRunTest {
    private static final int VMS = 4;
    private static final int VCPUS = 2;

    @TempDir
    Path tmp;

    private final LinuxPriorityActuator proc = new LinuxPriorityActuator();

    @Test
    void vmsComeAndGoWhileBoostedAndASignalRestoresEverything() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            String noRt = DemoEndToEndTest.realtimeUnavailable();
            assumeTrue(noRt == null, () -> "cannot set real-time priorities here: " + noRt + " (CI=true forces the test)");
        }
        Path vmDir = Files.createDirectory(tmp.resolve("vms"));
        Path policy = tmp.resolve("rr.policy");
        Files.writeString(policy, "boost.policy=RR\npriority.ceiling=3\nboost.max.us=30000000\n"
                + "budget.window.us=60000000\nbudget.us=60000000\n");
        List<Process> vcpus = new ArrayList<>();
        try {
            for (int i = 0; i < (VMS + 1) * VCPUS; i++) {
                vcpus.add(new ProcessBuilder("sleep", "600").start());
            }
            for (int round = 0; round < 3; round++) {
                round(vmDir, policy, vcpus, round % 2 == 0 ? "TERM" : "INT", round);
            }
        } finally {
            for (Process p : vcpus) {
                p.destroyForcibly();
            }
        }
    }

    private int tid(List<Process> vcpus, int vm, int slot) {
        return (int) vcpus.get(vm * VCPUS + slot).pid();
    }

    private void writeVm(Path vmDir, Path policy, List<Process> vcpus, int vm) throws Exception {
        Path t = vmDir.resolve(".vm" + vm + ".tmp");
        Files.writeString(t, "region = " + tmp.resolve("r" + vm) + "\npolicy = " + policy + "\nvcpus = 0="
                + tid(vcpus, vm, 0) + ", 1=" + tid(vcpus, vm, 1) + "\n");
        Files.move(t, vmDir.resolve("vm" + vm + ".vm"), StandardCopyOption.ATOMIC_MOVE);
    }

    private boolean boosted(int tid) {
        try {
            return proc.read(tid).policy() == ThreadAttributes.SCHED_RR;
        } catch (Exception e) {
            throw new AssertionError("thread " + tid + " cannot be read", e);
        }
    }

    private void round(Path vmDir, Path policy, List<Process> vcpus, String signal, int round) throws Exception {
        for (int vm = 0; vm <= VMS; vm++) {
            Files.deleteIfExists(tmp.resolve("r" + vm)); // a guest must never attach to the last round's region
        }
        for (int vm = 0; vm < VMS; vm++) {
            writeVm(vmDir, policy, vcpus, vm);
        }
        Files.deleteIfExists(vmDir.resolve("vm" + VMS + ".vm"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), VboostCli.class.getName(), "agent", "--vm-dir",
                vmDir.toString(), "--metrics", "127.0.0.1:0", "--rescan", "0.2", "--stats", "0");
        pb.redirectErrorStream(true);
        Process agent = pb.start();
        StringBuffer log = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    log.append(line).append('\n');
                }
            } catch (java.io.IOException e) {
                log.append("(reader: ").append(e).append(")\n");
            }
        });
        reader.start();
        List<Guest> guests = new ArrayList<>();
        try {
            await("metrics URL printed", () -> log.indexOf("metrics on http://") >= 0, agent, log);
            Matcher m = Pattern.compile("metrics on (http://\\S+)").matcher(log);
            assertTrue(m.find(), log::toString);
            URI metrics = URI.create(m.group(1));
            for (int vm = 0; vm < VMS; vm++) {
                String serving = "[vm" + vm + "] serving";
                await(serving, () -> log.indexOf(serving) >= 0, agent, log);
                guests.add(new Guest(tmp.resolve("r" + vm)));
                for (int s = 0; s < VCPUS; s++) {
                    assertEquals(SlotStatus.BOOSTED, guests.get(vm).boost(s), () -> "round " + round + "\n" + log);
                    assertTrue(boosted(tid(vcpus, guests.size() - 1, s)));
                }
            }
            // a VM added while every other one is boosted
            writeVm(vmDir, policy, vcpus, VMS);
            await("new VM's region published", () -> log.indexOf("[vm" + VMS + "] serving") >= 0, agent, log);
            Guest added = new Guest(tmp.resolve("r" + VMS));
            guests.add(added);
            assertEquals(SlotStatus.BOOSTED, added.boost(0));
            assertTrue(boosted(tid(vcpus, VMS, 0)));
            // a boosted VM removed: its threads come back while the others stay boosted
            Files.delete(vmDir.resolve("vm1.vm"));
            await("removed VM's threads restored", () -> !boosted(tid(vcpus, 1, 0)) && !boosted(tid(vcpus, 1, 1)),
                    agent, log);
            assertTrue(boosted(tid(vcpus, 0, 0)) && boosted(tid(vcpus, 2, 1)) && boosted(tid(vcpus, VMS, 0)),
                    "removing vm1 disturbs no other VM");
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(scrape.contains("\nvboost_vms " + VMS + ".0\n"), scrape);
            assertTrue(scrape.contains("vboost_grants_total{reason=\"rt_task\",vm=\"vm0\"} 2.0"), scrape);
            assertTrue(scrape.contains("vboost_grants_total{reason=\"rt_task\",vm=\"vm" + VMS + "\"} 1.0"), scrape);
            assertTrue(!scrape.contains("vm=\"vm1\""), "a removed VM drops out of the metrics");
            // the daemon's one agent loop: woken by the VM changes and boosts above
            assertTrue(java.util.regex.Pattern.compile("(?m)^vboost_agent_wakeups_total\\{cause=\"signal\"} [1-9]")
                    .matcher(scrape).find(), scrape);
            assertTrue(java.util.regex.Pattern.compile("(?m)^vboost_agent_loop_lateness_seconds_count [1-9]")
                    .matcher(scrape).find(), scrape);

            new ProcessBuilder("kill", "-" + signal, Long.toString(agent.pid())).inheritIO().start().waitFor();
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), () -> "agent did not exit on SIG" + signal + "\n" + log);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            for (int vm = 0; vm <= VMS; vm++) {
                for (int s = 0; s < VCPUS; s++) {
                    int tid = tid(vcpus, vm, s);
                    ThreadAttributes a = proc.read(tid);
                    assertEquals(ThreadAttributes.SCHED_OTHER, a.policy(), () -> "round " + round + ": thread " + tid
                            + " left at " + a + " after SIG" + signal + "\n" + log);
                }
            }
            assertTrue(log.indexOf("stopped by signal; every boosted thread restored") >= 0, log::toString);
        } finally {
            for (Guest g : guests) {
                g.close();
            }
            agent.destroyForcibly();
        }
    }

    private static void await(String what, BooleanSupplier c, Process agent, CharSequence log) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.getAsBoolean()) {
            assertTrue(agent.isAlive(), () -> "agent exited (" + agent.exitValue() + ") before: " + what + "\n" + log);
            assertTrue(System.nanoTime() - until < 0, () -> "not within 30 s: " + what + "\n" + log);
            Thread.sleep(10);
        }
    }

    /** One VM's guest side in this JVM. */
    private static final class Guest implements AutoCloseable {
        final MappedRegionFile mapping;
        final GuestEndpoint guest;
        final HostSlotSnapshot state = new HostSlotSnapshot();

        Guest(Path region) throws Exception {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(region)) {
                assertTrue(System.nanoTime() - until < 0, "region " + region + " not created within 30 s");
                Thread.sleep(10);
            }
            mapping = MappedRegionFile.open(region);
            guest = Regions.attachGuest(mapping.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(30));
        }

        SlotStatus boost(int slot) throws InterruptedException {
            long id = guest.requestBoost(slot, SchedPolicy.RR, 3, 0, BoostReason.RT_TASK.bit());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() - until < 0) {
                if (guest.readHostState(slot, state) == ReadStatus.OK && state.actedRequestId() >= id) {
                    return state.status();
                }
                Thread.sleep(1);
            }
            throw new AssertionError("no answer to request " + id + ": " + state);
        }

        @Override
        public void close() {
            mapping.close();
        }
    }
}

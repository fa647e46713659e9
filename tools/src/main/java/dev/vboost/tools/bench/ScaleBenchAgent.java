package dev.vboost.tools.bench;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.ivshmem.EventfdLoopWaiter;
import dev.vboost.agent.ivshmem.IvshmemServer;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The agent process of {@link ScaleBench}: one {@link HostAgent} serving every VM of a spec file, alone in its
 * JVM so that its CPU time and RSS are the agent's. In doorbell mode it also runs one {@link IvshmemServer} per VM
 * (socket {@code REGION.ivshmem}) and waits on all their eventfds with one {@link EventfdLoopWaiter}.
 *
 * <p>Arguments: SPEC lazy|doorbell. Prints {@code ready PID fifo|normal} once serving.
 */
public final class ScaleBenchAgent {
    /** Lazy mode's poll period, the agent's default. */
    static final long LAZY_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Doorbell mode's safety poll: only lines changed without a ring wait for it. */
    static final long SAFETY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private ScaleBenchAgent() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !ScaleBench.isAgentMode(args[1])) {
            System.err.println("usage: ScaleBenchAgent SPEC lazy|doorbell");
            System.exit(2);
        }
        serve(Path.of(args[0]), args[1].equals("doorbell"));
    }

    /** The ivshmem server socket of a VM's region (doorbell mode). */
    static Path socketOf(Path region) {
        return region.resolveSibling(region.getFileName() + ".ivshmem");
    }

    private static PolicyConfig policy() throws IOException {
        Path p = Files.createTempFile("scale-bench", ".policy");
        try {
            Files.writeString(p, "boost.policy=RR\npriority.ceiling=2\nboost.max.us=50000\n"
                    + "budget.window.us=1000000\nbudget.us=1000000\n");
            return PolicyConfig.load(p);
        } finally {
            Files.delete(p);
        }
    }

    /**
     * Serves every VM of the spec file (lines "REGION TID,TID,...") until stdin closes; answers each
     * line "counters" on stdin with a line "counters rings=.. coalesced=.. spurious=.. wakeups=..".
     */
    private static void serve(Path spec, boolean doorbell) throws Exception {
        PolicyConfig policy = policy();
        HostAgent.Builder b = HostAgent.builder();
        List<AutoCloseable> open = new ArrayList<>();
        List<IvshmemServer> servers = new ArrayList<>();
        int i = 0;
        for (String line : Files.readAllLines(spec)) {
            String[] f = line.split(" ");
            String[] tids = f[1].split(",");
            // DOORBELL offered only when the agent waits on the doorbell (spec §12.2): the guests ring only then
            HostRegionConfig cfg = new HostRegionConfig(tids.length, doorbell ? Feature.DEFINED_MASK
                    : Feature.ALL_BUT_DOORBELL, policy.priorityCeiling(),
                    (int) TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos()));
            Path region = Path.of(f[0]);
            MappedRegionFile m = MappedRegionFile.create(region, cfg.regionSize());
            HostEndpoint e = Regions.createHost(m.memory(), cfg);
            open.add(m);
            if (doorbell) {
                servers.add(IvshmemServer.start(socketOf(region), region, 1, PosixFilePermissions.fromString("rw-------")));
            }
            Map<Integer, Integer> map = new TreeMap<>();
            for (int s = 0; s < tids.length; s++) {
                map.put(s, Integer.parseInt(tids[s]));
            }
            b.addVm("vm" + i++, e, policy, map);
        }
        EventfdLoopWaiter waiter = null;
        if (doorbell) {
            // one waiter over every VM's doorbell; the idle poll is then only a safety net
            waiter = new EventfdLoopWaiter(servers.stream().flatMapToInt(s -> Arrays.stream(s.hostEventFds())).toArray());
            b.loopWaiter(waiter);
        }
        // the agent's own thread at SCHED_FIFO above the guests' ceiling, as docs/deploying.md tells a deployment
        HostAgent agent = b.agentThreadAttributes(ThreadAttributes.fifo(policy.priorityCeiling() + 1))
                .idlePollNanos(doorbell ? SAFETY_POLL_NANOS : LAZY_POLL_NANOS).build().start();
        try {
            System.out.println("ready " + ProcessHandle.current().pid() + " " + agentThreadPolicy());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String l = in.readLine(); l != null; l = in.readLine()) { // until the parent closes our stdin
                if (l.equals("counters")) {
                    long wakeUps = Arrays.stream(agent.loopCounters().wakeUps()).sum();
                    System.out.println(String.format(Locale.ROOT, "counters rings=%d coalesced=%d spurious=%d wakeups=%d",
                            waiter == null ? 0 : waiter.ringsReceived(), waiter == null ? 0 : waiter.ringsCoalesced(),
                            waiter == null ? 0 : waiter.spuriousRings(), wakeUps));
                    System.out.flush();
                }
            }
        } finally {
            agent.stop(); // first: the waiter reads the servers' descriptors, the servers the region files
            List<AutoCloseable> closing = new ArrayList<>();
            if (waiter != null) {
                closing.add(waiter);
            }
            closing.addAll(servers);
            closing.addAll(open);
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    /** "fifo" or "normal": the policy the agent thread got (field 41 of its /proc stat), as the table reports it. */
    private static String agentThreadPolicy() throws IOException {
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm")).strip().equals("vboost-agent")) {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return Integer.parseInt(f[38]) == ThreadAttributes.SCHED_FIFO ? "fifo" : "normal";
                }
            }
        }
        return "unknown";
    }
}

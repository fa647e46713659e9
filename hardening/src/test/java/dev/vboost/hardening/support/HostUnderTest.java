package dev.vboost.hardening.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The real host side of a hardening test: one region file per VM in a temporary directory, the
 * protocol-impl host endpoint over it, real vCPU threads with deliberately non-default original attributes, and
 * a {@link HostAgent} driving {@link LinuxPriorityActuator} through an {@link ObservingActuator}. The agent
 * thread runs at SCHED_FIFO above the ceiling, as a deployment should run it, so a boosted thread cannot delay
 * the expiry that ends its own boost.
 */
public final class HostUnderTest implements AutoCloseable {
    /** Priority ceiling of every test policy. */
    public static final int CEILING = 10;
    /** Priority of the agent thread (above the ceiling). */
    public static final int AGENT_PRIORITY = 20;
    /**
     * Longest single boost in the test policies and the regions' headers: long enough that a guest on a loaded
     * machine sees its boost before it expires, short enough that tests waiting for an expiry stay quick.
     */
    public static final long MAX_BOOST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * What a boost may outlive its bound by, before the stalls a same-priority thread measured meanwhile
     * ({@link LatencyCanary}) and the agent's own time in {@code sched_*attr} are added per boost: 25 ms of agent
     * wake-up latency (override with {@code -Dvboost.hardening.slack.ms}). On the 2-core build machine under a
     * load of ~25, boosts ended up to 16 ms late with none of the measured causes; 25 ms keeps that from failing
     * builds while a boost that is not ended (or ended by the guest only) still fails at once.
     */
    public static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("vboost.hardening.slack.ms", 25));

    /** One VM: its region file, host endpoint, vCPU threads and their original attributes. */
    public static final class Vm {
        public final String name;
        public final Path path;
        public final MappedRegionFile file;
        public final HostRegionConfig config;
        public HostEndpoint endpoint;
        /** Threads of this JVM, or {@code null} when the vCPU threads live in a guest process. */
        public final @Nullable VcpuThreads threads;
        final int[] tids;
        public final Map<Integer, ThreadAttributes> originals = new LinkedHashMap<>();

        Vm(String name, Path path, MappedRegionFile file, HostRegionConfig config, HostEndpoint endpoint,
                @Nullable VcpuThreads threads, int[] tids) {
            this.name = name;
            this.path = path;
            this.file = file;
            this.config = config;
            this.endpoint = endpoint;
            this.threads = threads;
            this.tids = tids;
        }

        Map<Integer, Integer> slotMap() {
            Map<Integer, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < tids.length; i++) {
                m.put(i, tids[i]);
            }
            return m;
        }

        /** A guest attached through a second mapping of the region file, as another process would map it. */
        public GuestEndpoint attachGuest() throws InterruptedException {
            return Regions.attachGuest(MappedRegionFile.open(path).memory(), Feature.DEFINED_MASK,
                    java.time.Duration.ofSeconds(10));
        }

        /** The host re-initialises the region over the same memory (spec §5.9): a new endpoint, generation + 1. */
        public HostEndpoint restartEndpoint() {
            endpoint = Regions.createHost(file.memory(), config);
            return endpoint;
        }

        public int tid(int slot) {
            return tids[slot];
        }
    }

    private final PolicyConfig policy;
    private final List<Vm> vms = new ArrayList<>();
    private final LinuxPriorityActuator linux = new LinuxPriorityActuator();
    private final ObservingActuator actuator = new ObservingActuator(linux);
    private @Nullable HostAgent agent;
    private final List<HostAgent> allAgents = new ArrayList<>();
    private final LatencyCanary canary;
    private long firstAgentStart;
    /** How long after the first agent's start boosts get {@link #WARMUP_SLACK_NANOS} more. */
    public static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(3);
    /**
     * Extra slack while the agent warms up: its first passes through a code path run on its own thread through
     * class loading and the interpreter; the soak saw a first expiry 30 ms late at 1.3 s with nothing else to
     * blame.
     */
    public static final long WARMUP_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    public HostUnderTest(PolicyConfig policy) throws InterruptedException {
        this.policy = policy;
        this.canary = new LatencyCanary(AGENT_PRIORITY);
    }

    /** The test policy: RR at most {@link #CEILING}, {@link #MAX_BOOST_NANOS} per boost, generous budget. */
    public static PolicyConfig.Builder testPolicy() {
        return PolicyConfig.builder().priorityCeiling(CEILING).maxBoostNanos(MAX_BOOST_NANOS)
                .budget(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(1))
                .maxTransitionsPerSecond(1_000).hostBoostTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }

    /** Adds a VM with {@code slots} vCPU threads; slot i's thread starts at a nice value or class of its own. */
    public Vm addVm(Path dir, String name, int slots) throws InterruptedException, ActuatorException {
        VcpuThreads threads = new VcpuThreads(name, slots);
        int[] tids = new int[slots];
        for (int i = 0; i < slots; i++) {
            tids[i] = threads.tid(i);
        }
        return addVm(dir, name, threads, tids);
    }

    /** Adds a VM whose vCPU threads are {@code tids} (threads of a guest process, say); one slot per thread. */
    public Vm addVm(Path dir, String name, int[] tids) throws InterruptedException, ActuatorException {
        return addVm(dir, name, null, tids.clone());
    }

    private Vm addVm(Path dir, String name, @Nullable VcpuThreads threads, int[] tids) throws ActuatorException {
        int slots = tids.length;
        Path path = dir.resolve(name + ".vboost");
        HostRegionConfig config = new HostRegionConfig(slots, Feature.DEFINED_MASK, CEILING,
                (int) TimeUnit.NANOSECONDS.toMicros(MAX_BOOST_NANOS));
        MappedRegionFile file = MappedRegionFile.create(path, RegionLayout.regionSize(slots));
        HostEndpoint endpoint = Regions.createHost(file.memory(), config);
        Vm vm = new Vm(name, path, file, config, endpoint, threads, tids);
        for (int i = 0; i < slots; i++) {
            // originals the agent must put back exactly: a nice value, or SCHED_BATCH
            ThreadAttributes original = i % 3 == 2 ? new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, 3)
                    : ThreadAttributes.normal(1 + i % 5);
            linux.apply(tids[i], original);
            vm.originals.put(tids[i], original);
        }
        vms.add(vm);
        return vm;
    }

    /** A new agent over the VMs' current endpoints; started unless {@code start} is false (then only built). */
    public HostAgent newAgent(@Nullable Path journal, boolean start) throws ActuatorException, IOException {
        HostAgent.Builder b = HostAgent.builder().actuator(actuator);
        if (journal != null) {
            b.journal(journal);
        }
        for (Vm vm : vms) {
            b.addVm(vm.name, vm.endpoint, policy, vm.slotMap());
        }
        HostAgent a = b.build();
        agent = a;
        allAgents.add(a);
        if (firstAgentStart == 0) {
            firstAgentStart = System.nanoTime();
        }
        if (start) {
            a.start();
            raiseAgentThread();
        }
        return a;
    }

    public HostAgent start() throws ActuatorException, IOException {
        return newAgent(null, true);
    }

    public HostAgent agent() {
        HostAgent a = agent;
        if (a == null) {
            throw new IllegalStateException("no agent yet");
        }
        return a;
    }

    public ObservingActuator actuator() {
        return actuator;
    }

    public LinuxPriorityActuator linux() {
        return linux;
    }

    public PolicyConfig policy() {
        return policy;
    }

    public List<Vm> vms() {
        return vms;
    }

    /** Every vCPU thread id of every VM. */
    public int[] allTids() {
        List<Integer> l = new ArrayList<>();
        for (Vm vm : vms) {
            l.addAll(vm.originals.keySet());
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Ids of live threads named {@code vboost-agent} in this process. */
    public static List<Integer> agentThreadTids() throws IOException {
        List<Integer> r = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    String comm = new String(Files.readAllBytes(t.resolve("comm")), StandardCharsets.US_ASCII).trim();
                    if (comm.equals("vboost-agent")) {
                        r.add(Integer.parseInt(t.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // the thread exited while we listed
                }
            }
        }
        return r;
    }

    /** True while exactly this fixture's running agent thread exists (it died otherwise). */
    public static boolean agentThreadAlive() throws IOException {
        return !agentThreadTids().isEmpty();
    }

    private void raiseAgentThread() throws IOException, ActuatorException {
        // the thread names itself natively once it runs: wait for it, bounded
        Await.until(10_000, () -> {
            try {
                return !agentThreadTids().isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, () -> "agent thread not found after start");
        List<Integer> tids = agentThreadTids();
        for (int tid : tids) {
            linux.apply(tid, ThreadAttributes.fifo(AGENT_PRIORITY));
        }
    }


    public LatencyCanary canary() {
        return canary;
    }

    /** Fails unless every thread is back at its original attributes right now. */
    public void assertOriginalsRestored() throws ActuatorException {
        for (Vm vm : vms) {
            for (Map.Entry<Integer, ThreadAttributes> e : vm.originals.entrySet()) {
                assertEquals(e.getValue(), linux.read(e.getKey()),
                        "thread " + e.getKey() + " of " + vm.name + " not back at its original attributes");
            }
        }
    }

    /**
     * Stops the agent and checks the host's invariants: no priority above the ceiling was applied, every boost
     * ended within the policy's longest boost (plus the agent's wake-up slack), every thread is back at its
     * original attributes.
     */
    public void stopAndCheck() throws ActuatorException {
        HostAgent a = agent();
        a.stop();
        actuator.assertBoundsHeld(CEILING, policy.maxBoostNanos(), SLACK_NANOS, canary::stalledNanos,
                firstAgentStart + WARMUP_NANOS, WARMUP_SLACK_NANOS);
        assertOriginalsRestored();
    }

    @Override
    public void close() throws InterruptedException {
        canary.close();
        for (HostAgent a : allAgents) {
            a.stop();
        }
        for (Vm vm : vms) {
            for (int tid : vm.originals.keySet()) {
                try {
                    linux.apply(tid, ThreadAttributes.DEFAULT);
                } catch (ActuatorException e) {
                    // thread gone
                }
            }
            VcpuThreads t = vm.threads;
            if (t != null) {
                t.close();
            }
        }
    }
}

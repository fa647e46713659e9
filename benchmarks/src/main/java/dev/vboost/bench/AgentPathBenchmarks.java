package dev.vboost.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.linux.Libc;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.checkerframework.checker.nullness.qual.MonotonicNonNull;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The host agent's per-request path (issue 12: request, vCPU boosted, acknowledged), piece by piece, on real
 * threads of this process: what the kernel charges for the identity proof of spec §9 H2 (a read through the
 * thread's kept {@code /proc} file), the actuator's read and its boost-then-restore, and one whole
 * {@link HostAgent#runOnce()} with one request pending (a boost, then its release) with an actuator that does
 * nothing (the agent's own share; {@code RecordingActuator} would keep every call) and with the Linux actuator. Needs root or {@code CAP_SYS_NICE} for the real-time boost. Not part of
 * {@link RunBenchmarks}' set. Sampled (p50, p99): on a shared machine the median says more than the mean. Run it
 * by name:
 *
 * <pre>
 *   java -cp ... org.openjdk.jmh.Main AgentPathBenchmarks -f 1 -wi 3 -i 5 -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseSerialGC")
public class AgentPathBenchmarks {
    private static final ThreadAttributes BOOST = ThreadAttributes.rr(5);

    /** The "vCPU": a thread parked until tear-down, so its tid stays its own. */
    private final CountDownLatch stop = new CountDownLatch(1);
    private int vcpuTid;
    private @MonotonicNonNull LinuxPriorityActuator linux;
    private @MonotonicNonNull VcpuThread vcpu;
    private ThreadAttributes original = ThreadAttributes.DEFAULT;
    private int statFd = -1;
    private int commFd = -1;
    private int eventFd = -1;
    private final Memory buffer = new Memory(1024);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        vcpuTid = parkedThread(stop);
        linux = new LinuxPriorityActuator();
        vcpu = linux.identify(vcpuTid);
        original = linux.read(vcpu);
        long pid = ProcessHandle.current().pid();
        statFd = Libc.open("/proc/" + pid + "/task/" + vcpuTid + "/stat", Libc.O_RDONLY | Libc.O_CLOEXEC);
        commFd = Libc.open("/proc/" + pid + "/task/" + vcpuTid + "/comm", Libc.O_RDONLY | Libc.O_CLOEXEC);
        eventFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws ActuatorException {
        if (linux != null && vcpu != null) {
            linux.apply(vcpu, original);
            linux.release(vcpu);
        }
        Libc.closeQuietly(statFd);
        Libc.closeQuietly(commFd);
        Libc.closeQuietly(eventFd);
        stop.countDown();
    }

    /** The kernel's cost of a read of the stat file (the check before issue 12): the whole stat line formatted. */
    @Benchmark
    public long preadStat() {
        return Libc.pread(statFd, buffer, 1024, 0);
    }

    /** The same proof through the kept comm file: the thread's name only. */
    @Benchmark
    public long preadComm() {
        return Libc.pread(commFd, buffer, 1024, 0);
    }

    /**
     * What a doorbell wake-up pays for each eventfd it finds empty: {@code read} answers {@code EAGAIN}, which JNA
     * raises as a {@link LastErrorException} (its stack trace filled).
     */
    @Benchmark
    public long readEmptyEventfd() {
        try {
            return Libc.read(eventFd, buffer, 8);
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /** {@code sched_getattr} alone, through JNA. */
    @Benchmark
    public long getattr() {
        return Libc.syscall(Libc.SYS_SCHED_GETATTR, vcpuTid, Pointer.nativeValue(buffer), 56, 0, 0);
    }

    /** The actuator's read of a registered thread: identity proved, attributes read. */
    @Benchmark
    public ThreadAttributes actuatorRead() throws ActuatorException {
        return linux().read(vcpu());
    }

    /** A boost and its restore through the actuator: what one request and its release cost the kernel side. */
    @Benchmark
    public void actuatorBoostAndRestore() throws ActuatorException {
        linux().apply(vcpu(), BOOST);
        linux().apply(vcpu(), original);
    }

    private LinuxPriorityActuator linux() {
        LinuxPriorityActuator a = linux;
        if (a == null) {
            throw new IllegalStateException("not set up");
        }
        return a;
    }

    private VcpuThread vcpu() {
        VcpuThread t = vcpu;
        if (t == null) {
            throw new IllegalStateException("not set up");
        }
        return t;
    }

    /**
     * One agent iteration per guest publication over an in-memory region: a boost request, then its release,
     * each served by one {@link HostAgent#runOnce()} (the guest's write and the agent's whole iteration).
     */
    @State(Scope.Thread)
    public static class Agent {
        private static final long GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

        @Param({"none", "linux"})
        public String actuator = "none";

        private final CountDownLatch stop = new CountDownLatch(1);
        /** The agent's clock: 500 µs per iteration, the doorbell benchmark's gap, so no limit is reached. */
        private long now = TimeUnit.SECONDS.toNanos(1);
        private @MonotonicNonNull HostAgent agent;
        private @MonotonicNonNull GuestEndpoint guest;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            int tid;
            PriorityActuator a;
            if (actuator.equals("linux")) {
                tid = parkedThread(stop);
                a = new LinuxPriorityActuator();
            } else {
                tid = 100_000;
                a = new NoActuator();
            }
            ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(1));
            HostEndpoint host = Regions.createHost(memory, new HostRegionConfig(1, Feature.DEFINED_MASK, 50,
                    HostRegionConfig.DEFAULT_MAX_BOOST_US));
            agent = HostAgent.builder().actuator(a).clock(() -> now).addVm("vm", host, permissive(), Map.of(0, tid)).build().prepare();
            agent.runOnce(); // registration: the thread identified
            guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
            agent.runOnce(); // the attach seen
            requestAndRelease();
            if (agent.counters("vm").granted() != 1) {
                throw new IllegalStateException("the request was not granted: " + agent.counters("vm"));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (agent != null) {
                agent.stop();
            }
            stop.countDown();
        }

        /** A guest's boost request and the iteration that serves it, then its release and the one that ends it. */
        public long requestAndRelease() {
            GuestEndpoint g = guest;
            HostAgent h = agent;
            if (g == null || h == null) {
                throw new IllegalStateException("not set up");
            }
            g.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
            now += GAP_NANOS;
            long n = h.runOnce();
            g.release(0);
            now += GAP_NANOS;
            return n + h.runOnce();
        }
    }

    @Benchmark
    public long runOnceBoostAndRelease(Agent a) {
        return a.requestAndRelease();
    }

    /** Starts the stand-in vCPU: a daemon thread parked until {@code stop}; returns its Linux tid. */
    static int parkedThread(CountDownLatch stop) throws InterruptedException {
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            tid.set(LinuxThreads.currentTid());
            started.countDown();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-vcpu");
        t.setDaemon(true);
        t.start();
        started.await();
        return tid.get();
    }

    /** Threads that take every change and keep nothing: the agent's share of an iteration alone. */
    static final class NoActuator implements PriorityActuator {
        @Override
        public VcpuThread identify(int tid) {
            return new VcpuThread(1, tid, 0);
        }

        @Override
        public ThreadAttributes read(VcpuThread t) {
            return ThreadAttributes.DEFAULT;
        }

        @Override
        public void apply(VcpuThread t, ThreadAttributes attributes) {
            // nothing: no thread behind it
        }
    }

    /** As the doorbell benchmark's: RR up to 10, rate limit and budget out of the way. */
    static PolicyConfig permissive() {
        return PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(10)
                .maxTransitionsPerSecond(100_000).budget(TimeUnit.MILLISECONDS.toNanos(100),
                        TimeUnit.MILLISECONDS.toNanos(100)).build();
    }
}

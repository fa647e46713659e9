package dev.vboost.tools.demo;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxCpuPlacement;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host side of dynamic mode: a VMM with the vboost {@link HostAgent} for one single-vCPU guest.
 *
 * <ul>
 *   <li>The boost region is a file in tmpfs ({@code /dev/shm}), created here and mapped by the guest JVM.
 *   <li>The <b>agent thread</b> owns the agent ({@link HostAgent#prepare()} + {@link HostAgent#runOnce()}):
 *       it reads and validates guest requests, applies the policy, changes the vCPU thread's priority with
 *       real {@code sched_setattr} through the Linux actuator and restores it after. It also plays the VMM's
 *       emulation of the guest's periodic timer: when a tick is due it injects the interrupt and asks the
 *       agent for a host-initiated boost (spec §5.5, flag TIMER), as KVM boosts a vCPU it delivers an
 *       interrupt to. Like KVM's {@code lapic_timer_advance_ns} it fires a little early, to absorb its own
 *       wake-up latency.
 *   <li>The <b>hypercall thread</b> receives the guest's NOTIFY exits (taken after it releases a boost: boost
 *       without an exit, exit to unboost, as in the RFC), dispatches them through the agent's
 *       {@link HypercallDispatcher} and wakes the agent thread.
 * </ul>
 * Both threads are pinned to the measured CPU and run SCHED_FIFO one above the boost priority, so their cost
 * is charged to that CPU like the hogs' and the guest's.
 */
final class DynamicHost implements AutoCloseable {
    static final String VM = "demo";
    private static final int SLOT = 0;
    private static final int EXIT_BYTES = 8 * (1 + HypercallNumbers.EXIT_ARG_COUNT);

    private final DemoConfig config;
    private final RtControl rt;
    private final PriorityActuator actuator;
    private final Path dir;
    private final Path regionFile;
    private final Path socketFile;
    private final MappedRegionFile mapping;
    private final HostEndpoint endpoint;
    private final ServerSocketChannel server;

    private @Nullable HostAgent agent;
    private @Nullable SocketChannel guestChannel;
    private @Nullable Thread agentThread;
    private @Nullable Thread hypercallThread;
    private volatile boolean stopped;
    private volatile @Nullable Throwable failure;
    private volatile long timerInjections;
    private volatile long rejectedExits;

    private DynamicHost(DemoConfig config, RtControl rt, PriorityActuator actuator, Path dir, Path regionFile,
            Path socketFile, MappedRegionFile mapping, HostEndpoint endpoint, ServerSocketChannel server) {
        this.config = config;
        this.rt = rt;
        this.actuator = actuator;
        this.dir = dir;
        this.regionFile = regionFile;
        this.socketFile = socketFile;
        this.mapping = mapping;
        this.endpoint = endpoint;
        this.server = server;
    }

    static DynamicHost create(DemoConfig config, RtControl rt, PriorityActuator actuator) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "vboost-demo-")
                : Files.createTempDirectory("vboost-demo-");
        Path regionFile = dir.resolve("region");
        Path socketFile = dir.resolve("hypercall.sock");
        MappedRegionFile mapping = MappedRegionFile.create(regionFile, RegionLayout.backingSize(1));
        HostEndpoint endpoint = Regions.createHost(mapping.memory(), new HostRegionConfig(1, Feature.ALL_BUT_DOORBELL,
                config.priority, (int) TimeUnit.NANOSECONDS.toMicros(config.maxBoostNanos)));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile));
        return new DynamicHost(config, rt, actuator, dir, regionFile, socketFile, mapping, endpoint, server);
    }

    /** The demo's host policy: the configured class, ceiling and longest boost; enough transitions for every tick. */
    static PolicyConfig policy(DemoConfig config) {
        long ticksPerSecond = TimeUnit.SECONDS.toNanos(1) / config.periodNanos;
        int transitions = (int) Math.min(PolicyConfig.MAX_TRANSITIONS_LIMIT, Math.max(1000, 4 * ticksPerSecond));
        return PolicyConfig.builder()
                .boostPolicy(config.policy)
                .priorityCeiling(config.priority)
                .maxBoostNanos(config.maxBoostNanos)
                .maxTransitionsPerSecond(transitions)
                .hostBoostEnabled(true)
                .hostBoostTimeoutNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), config.periodNanos))
                .build();
    }

    List<String> guestArguments() {
        return List.of("region=" + regionFile, "slot=" + SLOT, "socket=" + socketFile);
    }

    /** Takes the guest's hypercall connection and maps its vCPU 0 to thread {@code tid}. */
    void acceptGuest(int tid, long timeoutNanos) throws IOException, InterruptedException {
        server.configureBlocking(false);
        long until = System.nanoTime() + timeoutNanos;
        SocketChannel ch;
        while ((ch = server.accept()) == null) {
            if (System.nanoTime() - until > 0) {
                throw new IOException("guest did not connect to " + socketFile);
            }
            Thread.sleep(1);
        }
        ch.configureBlocking(true);
        guestChannel = ch;
        agent = HostAgent.builder()
                .addVm(VM, endpoint, policy(config), Map.of(SLOT, tid))
                .actuator(actuator)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(100)) // the timer and NOTIFY wake it; no busy polling
                .build()
                .prepare();
    }

    /**
     * Starts the agent thread (guest ticks from {@code t0}; the VMM's timer stops at {@code end}, when the guest
     * ends its run) and the hypercall thread.
     */
    void start(long t0, long end) {
        SocketChannel ch = guestChannel;
        HostAgent a = agent;
        if (ch == null || a == null) {
            throw new IllegalStateException("no guest connected");
        }
        Thread loop = new Thread(() -> guard(() -> agentLoop(a, t0, end)), "vboost-agent");
        loop.setDaemon(true);
        agentThread = loop;
        Thread hypercalls = new Thread(() -> guard(() -> hypercallLoop(a, ch, loop)), "vboost-hypercalls");
        hypercalls.setDaemon(true);
        hypercallThread = hypercalls;
        loop.start();
        hypercalls.start();
    }

    private interface Body {
        void run() throws Exception;
    }

    private void guard(Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            if (!stopped) {
                failure = t;
            }
        }
    }

    private void becomeHostThread() throws ActuatorException {
        LinuxCpuPlacement.pinCurrentThread(config.cpu);
        LinuxCpuPlacement.minimiseTimerSlack();
        rt.boost(LinuxThreads.currentTid(), SchedPolicy.FIFO, Math.min(99, config.priority + 1));
    }

    private void agentLoop(HostAgent a, long t0, long end) throws ActuatorException {
        becomeHostThread();
        long period = config.periodNanos;
        long advance = config.timerAdvanceNanos;
        long k = 0;
        while (!stopped) {
            long next = a.runOnce(); // queued NOTIFYs and host boosts, changed slots, expiries
            long fireAt = t0 + k * period - advance;
            boolean timerOn = fireAt - end < 0;
            long wake = !timerOn || next - fireAt < 0 ? next : fireAt;
            long left = wake - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(this, left); // NOTIFY unparks early
            }
            long now = System.nanoTime();
            if (timerOn && now - fireAt >= 0) {
                // the guest's timer is due: inject it and boost on the host's initiative (spec §5.5)
                a.requestHostBoost(a.vmIndex(VM), SLOT, HostBoostFlag.TIMER.bit());
                timerInjections++;
                k++;
                while (t0 + k * period - advance - now <= 0) {
                    k++; // woke late past the next tick too: this boost covers it
                }
            }
        }
    }

    private void hypercallLoop(HostAgent a, SocketChannel ch, Thread loop) throws IOException, ActuatorException {
        becomeHostThread();
        HypercallDispatcher dispatcher = new HypercallDispatcher(a.hypercallTarget(VM));
        ByteBuffer buf = ByteBuffer.allocateDirect(EXIT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
        while (!stopped) {
            buf.clear();
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    return; // the guest went away
                }
            }
            for (int i = 0; i < args.length; i++) {
                args[i] = buf.getLong(8 + 8 * i);
            }
            HypercallDispatcher.Result r = dispatcher.dispatch(new HypercallExit(buf.getLong(0), args, 0));
            if (r.ok()) {
                LockSupport.unpark(loop);
            } else {
                rejectedExits++;
            }
        }
    }

    /** The agent's counters for the demo VM. */
    VmCounters counters() {
        HostAgent a = agent;
        if (a == null) {
            throw new IllegalStateException("no guest connected");
        }
        return a.counters(VM);
    }

    /** The agent's last error, for the report. */
    @Nullable Throwable agentError() {
        HostAgent a = agent;
        return a == null ? null : a.lastError();
    }

    long timerInjections() {
        return timerInjections;
    }

    long rejectedExits() {
        return rejectedExits;
    }

    /** Stops both threads; the agent puts the vCPU thread back to its original attributes. */
    void stop() throws InterruptedException {
        stopped = true;
        Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(5000);
        }
        try {
            SocketChannel ch = guestChannel;
            if (ch != null) {
                ch.close(); // wakes the hypercall thread
            }
        } catch (IOException e) {
            // closing only to wake the reader
        }
        Thread h = hypercallThread;
        if (h != null) {
            h.join(5000);
        }
        HostAgent a = agent;
        if (a != null) {
            a.stop();
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("host side failed: " + f, f);
        }
        Throwable agentError = a == null ? null : a.lastError();
        boolean guestGone = agentError instanceof ActuatorException
                && ((ActuatorException) agentError).kind() == ActuatorException.Kind.NO_SUCH_THREAD;
        if (agentError != null && !guestGone) { // a vanished vCPU thread is the guest ending its run
            throw new IllegalStateException("host agent failed: " + agentError, agentError);
        }
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        HostAgent a = agent;
        if (a != null) {
            a.stop();
        }
        endpoint.close();
        mapping.close();
        server.close();
        Files.deleteIfExists(socketFile);
        Files.deleteIfExists(regionFile);
        Files.deleteIfExists(dir);
    }
}

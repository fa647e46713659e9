package dev.vboost.tools.demo;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.HypercallTarget;
import dev.vboost.agent.LoopWaiter;
import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxCpuPlacement;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host side of dynamic mode: a VMM with the vboost {@link HostAgent} for one single-vCPU guest.
 * Just over 400 lines on purpose: the timer emulation, the agent iteration and the NOTIFY serving share the
 * timing state of one tick, and read best together.
 *
 * <ul>
 *   <li>The boost region is a file in tmpfs ({@code /dev/shm}), created here and mapped by the guest JVM.
 *   <li>The <b>agent thread</b> owns the agent ({@link HostAgent#prepare()} + {@link HostAgent#runOnce()}):
 *       it reads and validates guest requests, applies the policy, changes the vCPU thread's priority with
 *       real {@code sched_setattr} through the Linux actuator and restores it after. It also plays the VMM's
 *       emulation of the guest's periodic timer: when a tick is due it injects the interrupt and asks the
 *       agent for a host-initiated boost (spec §5.5, flag TIMER), as KVM boosts a vCPU it delivers an
 *       interrupt to. Like KVM's adaptive {@code lapic_timer_advance_ns} it fires early by its own measured
 *       lag (wake-up plus boost), so the boost lands just before the tick instead of a fixed margin early.
 *   <li>The <b>hypercall socket</b> ({@link FrameServer}, the agent's frame format) takes the guest's NOTIFY exits
 *       (after it releases its boost or acknowledges the host's, or with its own request), dispatches them and
 *       runs the agent's iteration itself ({@link ServingTarget}), so the vCPU is put back without waking the
 *       agent thread.
 * </ul>
 * Both threads are pinned to the measured CPU and run SCHED_FIFO one above the boost priority, so their cost
 * is charged to that CPU like the hogs' and the guest's.
 */
final class DynamicHost implements AutoCloseable {
    static final String VM = "demo";
    private static final int SLOT = 0;

    private final DemoConfig config;
    private final RtControl rt;
    private final BoostTimeline timeline;
    private final Path dir;
    private final Path regionFile;
    private final Path socketFile;
    private final MappedRegionFile mapping;
    private final HostEndpoint endpoint;
    private final Waker waker = new Waker();
    private final Object agentLock = new Object();

    private @Nullable HostAgent agent;
    private @Nullable FrameServer hypercalls;
    private @Nullable Thread agentThread;
    private volatile boolean stopped;
    private volatile @Nullable Throwable failure;
    private volatile long timerInjections;
    private volatile int agentTid;
    /** Sum of the timer advances used, nanoseconds (agent thread writes, the report reads). */
    private volatile long advanceSum;

    private DynamicHost(DemoConfig config, RtControl rt, BoostTimeline timeline, Path dir, Path regionFile,
            Path socketFile, MappedRegionFile mapping, HostEndpoint endpoint) {
        this.config = config;
        this.rt = rt;
        this.timeline = timeline;
        this.dir = dir;
        this.regionFile = regionFile;
        this.socketFile = socketFile;
        this.mapping = mapping;
        this.endpoint = endpoint;
    }

    static DynamicHost create(DemoConfig config, RtControl rt) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "vboost-demo-")
                : Files.createTempDirectory("vboost-demo-");
        Path regionFile = dir.resolve("region");
        Path socketFile = dir.resolve("hypercall.sock");
        MappedRegionFile mapping = MappedRegionFile.create(regionFile, RegionLayout.backingSize(1));
        HostEndpoint endpoint = Regions.createHost(mapping.memory(), new HostRegionConfig(1, Feature.ALL_BUT_DOORBELL,
                config.priority, (int) TimeUnit.NANOSECONDS.toMicros(config.maxBoostNanos)));
        return new DynamicHost(config, rt, new BoostTimeline(rt.actuator()), dir, regionFile, socketFile, mapping,
                endpoint);
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

    /** Maps the guest's vCPU 0 to thread {@code tid} and serves its hypercall socket. */
    void acceptGuest(int tid) throws IOException {
        HostAgent a = HostAgent.builder()
                .addVm(VM, endpoint, policy(config), Map.of(SLOT, tid))
                .actuator(timeline)
                .loopWaiter(waker)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(100)) // the timer and NOTIFY wake it; no busy polling
                .build()
                .prepare();
        agent = a;
        hypercalls = FrameServer.start(socketFile, new HypercallDispatcher(new ServingTarget(a.hypercallTarget(VM), a)),
                rt, config.cpu, Math.min(99, config.priority + 1), timeline::exitReceived);
    }

    /**
     * Starts the agent thread (guest ticks from {@code t0}; the VMM's timer stops at {@code end}, when the guest
     * ends its run); boosts serving ticks from {@code measureFrom} on are timed for the report.
     */
    void start(long t0, long measureFrom, long end) {
        HostAgent a = agent;
        if (a == null) {
            throw new IllegalStateException("no guest connected");
        }
        timeline.schedule(t0, config.periodNanos, measureFrom, end);
        Thread loop = new Thread(() -> guard(() -> agentLoop(a, t0, end)), "vboost-agent");
        loop.setDaemon(true);
        agentThread = loop;
        loop.start();
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

    private void agentLoop(HostAgent a, long t0, long end) throws ActuatorException {
        LinuxCpuPlacement.pinCurrentThread(config.cpu);
        LinuxCpuPlacement.minimiseTimerSlack();
        agentTid = LinuxThreads.currentTid();
        rt.boost(agentTid, SchedPolicy.FIFO, Math.min(99, config.priority + 1));
        long period = config.periodNanos;
        long maxAdvance = config.timerAdvanceNanos;
        long lag = maxAdvance; // the timer's lag, smoothed; starts at the configured (longest) advance
        long advance = maxAdvance;
        long k = 0;
        int vm = a.vmIndex(VM);
        long firedAt = Long.MIN_VALUE; // when the timer that the next wait follows was due
        long ranAfterTimer = Long.MIN_VALUE; // next deadline of the run that applied the timer's boost
        while (!stopped) {
            // queued NOTIFYs, changed slots, expiries; not again right after the timer's run: the vCPU waits
            long next = ranAfterTimer != Long.MIN_VALUE ? ranAfterTimer : runOnce(a);
            ranAfterTimer = Long.MIN_VALUE;
            long fireAt = t0 + k * period - advance;
            boolean timerOn = fireAt - end < 0;
            long wake = !timerOn || next - fireAt < 0 ? next : fireAt;
            long beforeWait = System.nanoTime();
            if (firedAt != Long.MIN_VALUE) {
                timeline.agentParks(beforeWait);
                // the timer's lag: its wake-up, the boost and the rest of the host's work at the tick, all on
                // the vCPU's CPU before it runs; adapted to as KVM tunes lapic_timer_advance_ns
                long sample = Math.min(beforeWait - firedAt, maxAdvance);
                lag += (sample - lag) / 8;
                advance = Math.max(0, Math.min(maxAdvance, lag + config.timerMarginNanos));
                firedAt = Long.MIN_VALUE;
            }
            long left = wake - beforeWait;
            if (left > 0) {
                LockSupport.parkNanos(this, left); // NOTIFYs are served by the socket thread meanwhile
            }
            long now = System.nanoTime();
            if (timerOn && now - fireAt >= 0) {
                // the guest's timer is due: inject it and boost on the host's initiative (spec §5.5)
                a.requestHostBoost(vm, SLOT, HostBoostFlag.TIMER.bit());
                ranAfterTimer = runTimerOnce(a);
                timerInjections++;
                advanceSum += advance;
                firedAt = fireAt;
                k++;
                while (t0 + k * period - advance - now <= 0) {
                    k++; // woke late past the next tick too: this boost covers it
                }
            }
        }
    }

    /** The agent iteration that applies the timer's boost, marked as such for the timeline. */
    private long runTimerOnce(HostAgent a) {
        synchronized (agentLock) {
            timeline.timerIteration(true);
            try {
                return a.runOnce();
            } finally {
                timeline.timerIteration(false);
            }
        }
    }

    /** One agent iteration; the agent thread and the socket's thread take turns (one owner at a time). */
    private long runOnce(HostAgent a) {
        synchronized (agentLock) {
            return a.runOnce();
        }
    }

    /**
     * The VM as the hypercall dispatcher sees it, with one change: a NOTIFY is acted on at once by the socket's
     * thread that received it (an agent iteration), as KVM handles a hypercall on the exiting vCPU's own thread,
     * instead of waking the agent thread for it: one context switch fewer before the vCPU is put back.
     */
    private final class ServingTarget implements HypercallTarget {
        private final HypercallTarget vm;
        private final HostAgent agent;

        ServingTarget(HypercallTarget vm, HostAgent agent) {
            this.vm = vm;
            this.agent = agent;
        }

        @Override
        public int slotCount() {
            return vm.slotCount();
        }

        @Override
        public long generation() {
            return vm.generation();
        }

        @Override
        public long hostFeatures() {
            return vm.hostFeatures();
        }

        @Override
        public long regionGpa() {
            return vm.regionGpa();
        }

        @Override
        public long regionSize() {
            return vm.regionSize();
        }

        @Override
        public void attached(long acceptedFeatures) {
            vm.attached(acceptedFeatures);
        }

        @Override
        public void detached() {
            vm.detached();
        }

        @Override
        public boolean notifySlot(int slot, int flags) {
            boolean queued = vm.notifySlot(slot, flags);
            if (queued && !stopped) {
                runOnce(agent);
            }
            return queued;
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

    /** Sum of the timer advances used, nanoseconds. */
    long advanceSum() {
        return advanceSum;
    }

    /** When the measured boosts started and ended relative to their ticks. */
    BoostTimeline timeline() {
        return timeline;
    }

    /** CPU time of the agent thread and the hypercall socket's thread so far (both pinned to the measured CPU). */
    long hostThreadsCpuNanos() {
        long pid = ProcessHandle.current().pid();
        long n = 0;
        FrameServer f = hypercalls;
        for (int tid : new int[] {agentTid, f == null ? 0 : f.tid()}) {
            if (tid != 0) {
                n += CpuTime.threadNanos(pid, tid);
            }
        }
        return n;
    }

    /** Hypercall frames the agent's socket took. */
    long hypercallFrames() {
        FrameServer s = hypercalls;
        return s == null ? 0 : s.frames();
    }

    /** Stops the agent thread and the socket; the agent puts the vCPU thread back to its original attributes. */
    void stop() throws InterruptedException {
        stopped = true;
        Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(5000);
        }
        closeSocket();
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

    private void closeSocket() {
        FrameServer s = hypercalls;
        hypercalls = null;
        if (s != null) {
            Throwable f = s.failure();
            if (f != null && failure == null) {
                failure = f;
            }
            try {
                s.close();
            } catch (IOException e) {
                // closing at the end of the run: nothing depends on it
            }
        }
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        closeSocket();
        HostAgent a = agent;
        if (a != null) {
            a.stop();
        }
        endpoint.close();
        mapping.close();
        Files.deleteIfExists(socketFile);
        Files.deleteIfExists(regionFile);
        Files.deleteIfExists(dir);
    }

    /**
     * The agent's {@link LoopWaiter}. The demo's own loop waits (its timer is the only other deadline); every
     * signal is acted on by the thread that raised it: the agent thread its timer's host boosts, the socket's
     * thread the NOTIFYs ({@link ServingTarget}). So a wake-up has nothing to wake.
     */
    private static final class Waker implements LoopWaiter {

        @Override
        public void awaitUntil(long deadlineNanos) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(this, left);
            }
        }

        @Override
        public void wakeUp() {
            // see the class comment
        }
    }
}

package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.hypercall.Hypercall;
import dev.vboost.api.hypercall.HypercallCodec;
import dev.vboost.api.hypercall.HypercallDecoding;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
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
import java.util.concurrent.locks.LockSupport;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host side of dynamic mode: what a VMM with a vboost agent does for one single-vCPU guest.
 *
 * <ul>
 *   <li>The boost region is a file in tmpfs, mapped here and by the guest JVM.
 *   <li>A <b>timer thread</b> emulates the guest's periodic timer. When the guest's tick is due it injects the
 *       timer interrupt and boosts the vCPU thread on its own (spec §5.5, flag TIMER), as KVM boosts a vCPU it
 *       delivers an interrupt to; like KVM's {@code lapic_timer_advance_ns} it fires a little early to absorb
 *       its own wake-up latency. It also ends any boost that outlives the longest allowed one (spec §5.6).
 *   <li>A <b>hypercall thread</b> receives the guest's NOTIFY hypercalls (the exit the guest takes after
 *       releasing its boost, as in the RFC: boost without an exit, exit to unboost), reads the slot, grants or
 *       ends boosts and restores the thread's original attributes.
 * </ul>
 * Both threads run real-time on the measured CPU, above the boost priority; they serialise on one lock, so
 * the endpoint is driven by one thread at a time. Every priority change is a real {@code sched_setattr} on
 * the guest's vCPU thread.
 */
final class DynamicHost implements AutoCloseable {
    private static final int SLOT = 0;
    private static final int EXIT_BYTES = 8 * (1 + HypercallNumbers.EXIT_ARG_COUNT);

    private final DemoConfig config;
    private final RtControl rt;
    private final Path dir;
    private final Path regionFile;
    private final Path socketFile;
    private final HostEndpoint host;
    private final AutoCloseable regionMapping;
    private final ServerSocketChannel server;
    private final Object lock = new Object();
    private final GuestSlotSnapshot request = new GuestSlotSnapshot();
    private final HostSlotSnapshot state = new HostSlotSnapshot();
    private final int[] changed = new int[1];

    private @Nullable SocketChannel guestChannel;
    private @Nullable Thread timerThread;
    private @Nullable Thread hypercallThread;
    private volatile boolean stopped;
    private volatile @Nullable Throwable failure;

    // guarded by lock
    private int vcpuTid;
    private @Nullable ThreadAttributes original;
    private boolean boosted;
    private long boostStart;
    private long lastActed;
    private long hostBoostId;
    private long windowFrom;
    private long windowTo;
    private long boostedInWindow;
    private volatile long boosts;
    private volatile long expiries;
    private volatile long rejected;

    private DynamicHost(DemoConfig config, RtControl rt, Path dir, Path regionFile, Path socketFile,
            RegionFactory.HostRegion region, ServerSocketChannel server) {
        this.config = config;
        this.rt = rt;
        this.dir = dir;
        this.regionFile = regionFile;
        this.socketFile = socketFile;
        this.host = region.endpoint();
        this.regionMapping = region;
        this.server = server;
    }

    static DynamicHost create(DemoConfig config, RtControl rt) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "vboost-demo-")
                : Files.createTempDirectory("vboost-demo-");
        Path regionFile = dir.resolve("region");
        Path socketFile = dir.resolve("hypercall.sock");
        RegionFactory.HostRegion region = RegionFactory.createHost(regionFile, 1, config.policy, config.priority,
                config.maxBoostNanos);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile));
        return new DynamicHost(config, rt, dir, regionFile, socketFile, region, server);
    }

    List<String> guestArguments() {
        return List.of("region=" + regionFile, "slot=" + SLOT, "socket=" + socketFile);
    }

    /** Takes the guest's hypercall connection and its vCPU thread id. */
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
        synchronized (lock) {
            vcpuTid = tid;
        }
    }

    /** Starts the timer (first tick at {@code t0}) and hypercall threads; boosted time counts in [from, to). */
    void start(long t0, long from, long to) {
        SocketChannel ch = guestChannel;
        if (ch == null) {
            throw new IllegalStateException("no guest connected");
        }
        synchronized (lock) {
            windowFrom = from;
            windowTo = to;
        }
        Thread timer = new Thread(() -> guard(() -> timerLoop(t0)), "vboost-vmm-timer");
        Thread hypercalls = new Thread(() -> guard(() -> hypercallLoop(ch)), "vboost-vmm-hypercall");
        timer.setDaemon(true);
        hypercalls.setDaemon(true);
        timerThread = timer;
        hypercallThread = hypercalls;
        timer.start();
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
        Libc.pinCurrentThread(config.cpu);
        Libc.minimiseTimerSlack();
        rt.boost(Libc.currentTid(), SchedPolicy.FIFO, Math.min(99, config.priority + 1));
    }

    private void timerLoop(long t0) throws ActuatorException {
        becomeHostThread();
        long period = config.periodNanos;
        long k = 0;
        while (!stopped) {
            long fireAt = t0 + k * period - config.timerAdvanceNanos;
            long wake = fireAt;
            synchronized (lock) {
                if (boosted && boostStart + config.maxBoostNanos - wake < 0) {
                    wake = boostStart + config.maxBoostNanos;
                }
            }
            for (long left = wake - System.nanoTime(); left > 0 && !stopped; left = wake - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            if (stopped) {
                break;
            }
            long now = System.nanoTime();
            synchronized (lock) {
                if (boosted && now - boostStart >= config.maxBoostNanos) {
                    expire(now);
                }
                if (now - fireAt >= 0) {
                    injectTimer(now);
                    k++;
                    while (t0 + k * period - config.timerAdvanceNanos - now <= 0) {
                        k++; // fired late past the next tick: that one is covered by this boost
                    }
                }
                serviceSlot(now); // lazy path: requests that came without an exit
            }
        }
    }

    private void hypercallLoop(SocketChannel ch) throws IOException, ActuatorException {
        becomeHostThread();
        ByteBuffer buf = ByteBuffer.allocateDirect(EXIT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
        while (!stopped) {
            buf.clear();
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    return; // the guest went away
                }
            }
            long nr = buf.getLong(0);
            for (int i = 0; i < args.length; i++) {
                args[i] = buf.getLong(8 + 8 * i);
            }
            HypercallDecoding d = HypercallCodec.decode(new HypercallExit(nr, args, 0));
            if (d instanceof HypercallDecoding.Decoded
                    && ((HypercallDecoding.Decoded) d).call() instanceof Hypercall.Notify
                    && ((Hypercall.Notify) ((HypercallDecoding.Decoded) d).call()).slot() == SLOT) {
                synchronized (lock) {
                    serviceSlot(System.nanoTime());
                }
            } else {
                rejected++;
            }
        }
    }

    /** The guest's timer interrupt is injected: boost the vCPU on the host's own initiative (spec §5.5). */
    private void injectTimer(long now) throws ActuatorException {
        boostThread(now);
        hostBoostId = host.startHostBoost(SLOT, HostBoostFlag.TIMER.bit(), config.policy, config.priority);
    }

    /** Reads the guest line (validated) and acts on a request not yet acted on (spec §5.3, §5.4). */
    private void serviceSlot(long now) throws ActuatorException {
        if (host.pollChangedSlots(changed) == 0) {
            return;
        }
        if (host.readRequest(SLOT, request) != ReadStatus.OK) {
            return; // busy or torn: the next notification or tick reads it again
        }
        if (request.validate() != WireError.NONE) {
            rejected++;
            publish(boosted ? SlotStatus.BOOSTED : SlotStatus.NORMAL, DenialReason.INVALID_REQUEST, lastActed);
            return;
        }
        long id = request.requestId();
        if (id == lastActed) {
            return; // e.g. only an acknowledgement changed
        }
        BoostRequest what = request.request();
        if (what == BoostRequest.BOOST) {
            boostThread(now);
            publish(SlotStatus.BOOSTED, DenialReason.NONE, id);
        } else if (what == BoostRequest.UNBOOST) {
            restoreThread(now);
            publish(SlotStatus.NORMAL, DenialReason.NONE, id);
        }
        lastActed = id;
    }

    private void boostThread(long now) throws ActuatorException {
        if (boosted) {
            return;
        }
        if (original == null) {
            original = rt.read(vcpuTid); // read once, before the first boost: what unboost restores
        }
        rt.boost(vcpuTid, config.policy, config.priority);
        boosted = true;
        boostStart = now;
        boosts++;
    }

    private void restoreThread(long now) throws ActuatorException {
        ThreadAttributes o = original;
        if (!boosted || o == null) {
            return;
        }
        rt.restore(vcpuTid, o);
        boosted = false;
        long from = Math.max(boostStart, windowFrom);
        long to = Math.min(now, windowTo);
        if (to > from) {
            boostedInWindow += to - from;
        }
    }

    /** The boost outlived its bound: end it whatever the guest says (spec §5.6). */
    private void expire(long now) throws ActuatorException {
        restoreThread(now);
        expiries++;
        publish(SlotStatus.NORMAL, DenialReason.EXPIRED, lastActed);
    }

    private void publish(SlotStatus status, DenialReason denial, long acted) {
        SchedPolicy policy = boosted ? config.policy : SchedPolicy.NORMAL;
        int priority = boosted ? config.priority : 0;
        state.set(status, policy, priority, denial, boosted ? HostBoostFlag.TIMER.bit() : 0,
                (int) (config.maxBoostNanos / 1000), acted, hostBoostId);
        host.publishState(SLOT, state);
    }

    /** Stops both threads and restores the vCPU thread if it is still boosted. */
    void stop() throws InterruptedException {
        stopped = true;
        Thread t = timerThread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(2000);
        }
        try {
            SocketChannel ch = guestChannel;
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // closing only to wake the hypercall thread
        }
        Thread h = hypercallThread;
        if (h != null) {
            h.join(2000);
        }
        synchronized (lock) {
            try {
                restoreThread(System.nanoTime());
            } catch (ActuatorException e) {
                // the guest's thread has exited: nothing left to restore
            }
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("host side failed: " + f, f);
        }
    }

    long boostedNanosInWindow() {
        synchronized (lock) {
            return boostedInWindow;
        }
    }

    long boosts() {
        return boosts;
    }

    long expiries() {
        return expiries;
    }

    long rejected() {
        return rejected;
    }

    @Override
    public void close() throws IOException {
        stopped = true;
        try {
            host.close();
            regionMapping.close();
        } catch (Exception e) {
            // closing a mapping of a file we delete next
        }
        server.close();
        Files.deleteIfExists(socketFile);
        Files.deleteIfExists(regionFile);
        Files.deleteIfExists(dir);
    }
}

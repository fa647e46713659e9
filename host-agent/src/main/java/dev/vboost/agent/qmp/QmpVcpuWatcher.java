package dev.vboost.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vboost.api.layout.RegionLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Keeps a VM's vCPU map (slot = QEMU {@code cpu-index} → host thread id = {@code thread-id}) current by asking
 * QEMU over QMP ({@code query-cpus-fast}). It reads the map again when QEMU reports a hot-plug step
 * ({@code ACPI_DEVICE_OST}, {@code DEVICE_DELETED}) and at a fixed interval as a safety net, and calls the
 * change listener, on its own thread, with the whole new map whenever it differs from the last one. A vCPU
 * that was unplugged is simply absent from the map; a re-plugged one comes back with its new thread.
 */
public final class QmpVcpuWatcher implements AutoCloseable {
    /** QMP events after which the vCPU set may have changed. */
    static final Set<String> CPU_EVENTS = Set.of("ACPI_DEVICE_OST", "DEVICE_DELETED");

    private final QmpClient qmp;
    private final int qemuPid;
    private final Consumer<Map<Integer, Integer>> onChange;
    private final Duration interval;
    private final Semaphore wake = new Semaphore(0);
    private volatile @Nullable Thread worker; // started by start, once the watcher is constructed
    private volatile Map<Integer, Integer> current;
    private volatile @Nullable Exception lastError;
    private volatile boolean closed;

    private QmpVcpuWatcher(QmpClient qmp, int qemuPid, Map<Integer, Integer> initial, Duration interval,
            Consumer<Map<Integer, Integer>> onChange) {
        this.qmp = qmp;
        this.qemuPid = qemuPid;
        this.current = initial;
        this.interval = interval;
        this.onChange = onChange;
    }

    /**
     * Connects to QEMU's QMP socket and reads the vCPU map once; then watches it.
     *
     * @param socket   QEMU's QMP UNIX socket
     * @param timeout  how long connecting, the greeting and each command may take
     * @param interval how often to read the map without an event (the safety net)
     * @param onChange called with each new map (slot → tid), on the watcher's thread
     * @return the running watcher, with {@link #current()} already filled
     * @throws IOException if QMP cannot be reached or its answer is not a vCPU list
     */
    public static QmpVcpuWatcher start(Path socket, Duration timeout, Duration interval,
            Consumer<Map<Integer, Integer>> onChange) throws IOException {
        Semaphore early = new Semaphore(0);
        QmpVcpuWatcher[] self = new QmpVcpuWatcher[1];
        QmpClient qmp = QmpClient.connect(socket, timeout, event -> {
            if (CPU_EVENTS.contains(event.path("event").asText())) {
                QmpVcpuWatcher w = self[0];
                (w == null ? early : w.wake).release();
            }
        });
        try {
            int pid = peerPid(socket);
            Map<Integer, Integer> initial = parse(qmp.execute("query-cpus-fast"));
            QmpVcpuWatcher w = new QmpVcpuWatcher(qmp, pid, initial, interval, onChange);
            self[0] = w;
            w.wake.release(early.drainPermits());
            Thread t = new Thread(w::watch, "vboost-qmp-vcpus");
            t.setDaemon(true);
            w.worker = t;
            t.start();
            return w;
        } catch (IOException | RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    /**
     * The process that serves the QMP socket, from the kernel ({@code SO_PEERCRED}), not from QEMU's word: the
     * process every vCPU thread must belong to ({@link QmpPeer#foreignThreads}, {@code VmOptions.withProcessId}).
     *
     * @return QEMU's process id
     */
    public int qemuPid() {
        return qemuPid;
    }

    private static int peerPid(Path socket) throws IOException {
        try {
            return QmpPeer.listenerPid(socket);
        } catch (UnsupportedOperationException | LinkageError e) {
            throw new IOException("QMP socket " + socket + ": cannot read its peer's process id (" + e + ")", e);
        }
    }

    /**
     * The last map read.
     *
     * @return slot → tid, never null
     */
    public Map<Integer, Integer> current() {
        return current;
    }

    /**
     * The last failure to read the map.
     *
     * @return QEMU gone, a bad answer; or null if none happened
     */
    public @Nullable Exception lastError() {
        return lastError;
    }

    /**
     * Whether QEMU is still reachable.
     *
     * @return true while QEMU's QMP connection is open
     */
    public boolean connected() {
        return !qmp.isClosed();
    }

    /** Reads the map now (on the watcher thread) as if an event had come. */
    public void refresh() {
        wake.release();
    }

    private void watch() {
        while (!closed && !qmp.isClosed()) {
            try {
                wake.tryAcquire(interval.toNanos(), TimeUnit.NANOSECONDS);
                wake.drainPermits(); // several events, one read
                if (closed) {
                    return;
                }
                Map<Integer, Integer> next = parse(qmp.execute("query-cpus-fast"));
                if (!next.equals(current)) {
                    current = next;
                    onChange.accept(next);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                lastError = e;
            }
        }
    }

    /**
     * The slot → tid map of a {@code query-cpus-fast} answer: a list of objects with {@code cpu-index} (0..4095)
     * and {@code thread-id} (&gt; 0).
     *
     * @param answer the {@code return} member of the answer
     * @return slot → tid
     * @throws IOException naming what is wrong with the answer
     */
    public static Map<Integer, Integer> parse(JsonNode answer) throws IOException {
        if (!answer.isArray()) {
            throw new IOException("query-cpus-fast: expected a list, got " + answer.getNodeType());
        }
        Map<Integer, Integer> map = new TreeMap<>();
        for (JsonNode cpu : answer) {
            JsonNode index = cpu.get("cpu-index");
            JsonNode tid = cpu.get("thread-id");
            if (index == null || !index.canConvertToInt() || tid == null || !tid.canConvertToInt()) {
                throw new IOException("query-cpus-fast: entry without integer cpu-index and thread-id: " + cpu);
            }
            int slot = index.asInt();
            int t = tid.asInt();
            if (slot < 0 || slot >= RegionLayout.MAX_SLOTS || t <= 0) {
                throw new IOException("query-cpus-fast: cpu-index " + slot + " / thread-id " + t + " out of range");
            }
            if (map.put(slot, t) != null) {
                throw new IOException("query-cpus-fast: cpu-index " + slot + " listed twice");
            }
        }
        return map;
    }

    @Override
    public void close() {
        closed = true;
        wake.release();
        qmp.close();
        Thread t = worker;
        try {
            if (t != null) {
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

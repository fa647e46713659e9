package dev.vboost.tools.daemon;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.tools.log.LogLineFormatter;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Serves every VM described by a {@code *.vm} file in one directory and follows the directory as it changes:
 * a new file adds its VM, a changed file re-maps its vCPUs (same region and policy) or replaces the VM, a
 * removed file removes it. A file that cannot be served is reported once (file and key) and the others go on;
 * a changed file that turns bad leaves its VM served as before. Hidden files ({@code .name}) and other
 * suffixes are ignored, so a writer can write {@code .web1.vm.tmp} and rename it into place.
 *
 * <p>Change detection: a {@link WatchService} wakes the watcher thread at once; a rescan every {@code rescan}
 * period catches what the watch service misses (overflow, some file systems) and re-reads each VM's vCPU
 * threads (hot-plug: a re-plugged vCPU has a new thread id). All changes to the {@link VmHost} happen on the
 * watcher thread (or the caller of {@link #rescan()} in tests).
 *
 * <p>Just over 400 lines: the one place that orders a VM's start (region, doorbell server, vCPUs, agent) and its
 * removal in reverse; its pieces (ServedVm, ListeningDoorbell, VmPlan, VmFile) are already their own classes.
 */
public final class VmDirectory implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VmDirectory.class.getName());
    /** Writers often create, then write: let a burst of events settle before reading. */
    private static final long SETTLE_MILLIS = 50;

    private final Path dir;
    private final VmHost host;
    private final Duration rescan;
    private final boolean watch;
    private final Map<Path, Entry> entries = new TreeMap<>();
    private volatile int badFiles;
    private volatile boolean closed;
    private @Nullable Thread thread;
    private @Nullable WatchService watchService;

    /** What the directory holds for one file, and what is served from it. */
    private static final class Entry {
        @Nullable String text;
        @Nullable VmFile parsed;
        /** The last problem reported for this file (reported again only when it changes). */
        @Nullable String problem;
        @Nullable ServedVm served;
        /** A doorbell VM's region and listening server while its vCPU threads are not known yet (QEMU not up). */
        @Nullable ListeningDoorbell listening;
    }

    private final FileAccess regionAccess;

    /**
     * @param rescan how often the whole directory is re-read even without a watch event
     * @param watch  whether to use a WatchService (false: rescans only)
     */
    public VmDirectory(Path dir, VmHost host, Duration rescan, boolean watch) {
        this(dir, host, rescan, watch, FileAccess.OWNER_ONLY);
    }

    /**
     * @param rescan       how often the whole directory is re-read even without a watch event
     * @param watch        whether to use a WatchService (false: rescans only)
     * @param regionAccess owner, group and mode of every VM's region file (spec §9 H1), as {@code --mode},
     *                     {@code --owner} and {@code --group} give them
     */
    public VmDirectory(Path dir, VmHost host, Duration rescan, boolean watch, FileAccess regionAccess) {
        this.dir = dir;
        this.host = host;
        this.rescan = rescan;
        this.watch = watch;
        this.regionAccess = regionAccess;
    }

    /** Reads the directory once (serving what it finds) and starts the watcher thread. */
    public synchronized VmDirectory start() throws IOException {
        if (watch) {
            WatchService ws = dir.getFileSystem().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            watchService = ws;
        }
        rescan();
        Thread t = new Thread(this::watchLoop, "vboost-vm-dir");
        t.setDaemon(true);
        thread = t;
        t.start();
        return this;
    }

    private void watchLoop() {
        long periodMillis = Math.max(1, rescan.toMillis());
        while (!closed) {
            try {
                WatchService ws = watchService;
                if (ws == null) {
                    Thread.sleep(periodMillis);
                } else {
                    WatchKey key = ws.poll(periodMillis, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        Thread.sleep(SETTLE_MILLIS);
                        drain(ws, key);
                    }
                }
                rescan();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return; // closing
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "rescan of " + dir + " failed; retrying at the next one", e);
            }
        }
    }

    private static void drain(WatchService ws, WatchKey first) {
        WatchKey key = first;
        while (key != null) {
            key.pollEvents();
            key.reset(); // an invalid key (directory gone) leaves the periodic rescan
            key = ws.poll();
        }
    }

    /** Files in the directory that cannot be served now. */
    public int badFiles() {
        return badFiles;
    }

    /** Brings the served VMs in line with the directory. Normally called by the watcher thread only. */
    public synchronized void rescan() {
        if (closed) {
            return;
        }
        Set<Path> present = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, VmDirectory::isVmFile)) {
            for (Path p : ds) {
                present.add(p);
            }
        } catch (IOException e) {
            // the directory itself is gone or unreadable: keep serving what is served, say so once
            report(dir, entries.computeIfAbsent(dir, d -> new Entry()), "cannot list the VM directory: " + e);
            return;
        }
        for (Path p : new HashSet<>(entries.keySet())) {
            if (!present.contains(p) && !p.equals(dir)) {
                Entry e = entries.remove(p);
                ServedVm s = e == null ? null : e.served;
                if (s != null) {
                    stopServing(s, "file " + p.getFileName() + " removed");
                }
                ListeningDoorbell l = e == null ? null : e.listening;
                if (l != null) {
                    release(l);
                }
            }
        }
        entries.remove(dir);
        for (Path p : present) {
            update(p, entries.computeIfAbsent(p, x -> new Entry()));
        }
        int bad = 0;
        for (Entry e : entries.values()) {
            if (e.problem != null) {
                bad++;
            }
        }
        badFiles = bad;
    }

    static boolean isVmFile(Path p) {
        Path fn = p.getFileName();
        String s = fn == null ? "" : fn.toString();
        return s.endsWith(".vm") && !s.startsWith(".") && s.length() > 3;
    }

    private void update(Path p, Entry e) {
        String text;
        try {
            text = VmFileReader.read(dir, p);
        } catch (VmFileException ex) {
            report(p, e, ex.getMessage());
            return;
        }
        if (!text.equals(e.text)) {
            e.text = text;
            e.parsed = null;
            try {
                e.parsed = VmFile.parse(p, text);
            } catch (VmFileException ex) {
                report(p, e, ex.getMessage() + (e.served != null ? " (VM '" + e.served.file.name()
                        + "' stays served as before)" : ""));
                return;
            }
        }
        VmFile target = e.parsed;
        if (target == null) {
            return; // unchanged and still bad: reported already
        }
        try {
            ServedVm s = e.served;
            if (s != null && (s.file == target || s.file.sameRegionAndPolicy(target))) {
                s.file = target;
                follow(s, target);
            } else {
                if (s != null) {
                    stopServing(s, "file " + p.getFileName() + " changed");
                    e.served = null;
                }
                e.served = serve(target, e);
            }
            if (e.problem != null) {
                LogLineFormatter.vmLogger(target.name()).log(Level.INFO, p + ": served now");
            }
            e.problem = null;
        } catch (VmFileException ex) {
            report(p, e, ex.getMessage());
        }
    }

    /** Re-reads a served VM's vCPU threads and re-maps the slots whose thread changed. */
    private void follow(ServedVm s, VmFile f) throws VmFileException {
        Map<Integer, Integer> now;
        try {
            now = VcpuResolver.resolve(f);
        } catch (VmFileException ex) {
            if (!s.vcpus.isEmpty()) {
                // the VM's process is gone (VM stopped, file not yet removed): nothing may stay boosted
                host.remapVcpus(f.name(), Map.of());
                s.vcpus = Map.of();
            }
            throw ex;
        }
        Map<Integer, Integer> fitting = VmPlan.fit(f, now, s.region.endpoint.slotCount());
        if (!fitting.equals(s.vcpus)) {
            host.remapVcpus(f.name(), fitting);
            LogLineFormatter.vmLogger(f.name()).log(Level.INFO, "vCPU threads re-mapped: " + s.vcpus + " -> " + fitting);
            s.vcpus = fitting;
        }
    }

    private ServedVm serve(VmFile f, Entry e) throws VmFileException {
        for (Entry other : entries.values()) {
            if (other.served != null && other.served.file.name().equals(f.name())) {
                throw new VmFileException(f.file(), "name", "VM '" + f.name() + "' is already served from "
                        + other.served.file.file());
            }
        }
        PolicyConfig policy = VmPlan.policy(f);
        DaemonDoorbells bells = host.doorbells();
        ListeningDoorbell early = e.listening;
        if (early != null && !early.file.sameRegionAndPolicy(f)) {
            e.listening = null;
            release(early);
            early = null;
        }
        if (bells != null && f.doorbell() != null && early == null) {
            // the ivshmem server listens before the vCPUs are known: QEMU connects once, when it starts (§12.3);
            // its region offers DOORBELL, as the agent waits on it from now (§12.2). VmFile requires slots here.
            ServedRegion r = ServedRegion.open(f, policy, f.slots(), regionAccess, Feature.DEFINED_MASK);
            try {
                early = new ListeningDoorbell(f, r, bells.start(f, regionAccess));
            } catch (VmFileException ex) {
                r.close();
                throw ex;
            }
            e.listening = early;
            LogLineFormatter.vmLogger(f.name()).log(Level.INFO, "ivshmem server on " + f.doorbell() + " (doorbell: "
                    + "host peer 0, vector 0) for region " + f.region() + " (" + f.slots() + " slot(s))");
        }
        Map<Integer, Integer> vcpus = VcpuResolver.resolve(f); // before QEMU runs: reported, retried, server kept
        int slots = f.slots() != 0 ? f.slots() : vcpus.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Map<Integer, Integer> fitting = VmPlan.fit(f, vcpus, slots);
        long features = early != null ? Feature.DEFINED_MASK : Feature.ALL_BUT_DOORBELL; // DOORBELL only if waited on
        ServedRegion region = early != null ? early.region : ServedRegion.open(f, policy, slots, regionAccess, features);
        e.listening = null;
        try {
            host.addVm(f.name(), region.endpoint, policy, fitting, features);
        } catch (RuntimeException ex) {
            if (early != null) {
                release(early);
            } else {
                region.close();
            }
            throw new VmFileException(f.file(), null, "the agent refused the VM: " + ex.getMessage());
        }
        LogLineFormatter.vmLogger(f.name()).log(Level.INFO, "serving: region " + f.region() + " ("
                + (region.reinitialised ? "re-initialised" : "created") + ", " + slots + " slot(s)), vCPU threads "
                + fitting + ", policy " + (f.policy() == null ? "built-in" : f.policy())
                + (early != null ? "; doorbell " + f.doorbell()
                        : f.doorbell() != null ? "; doorbell " + f.doorbell() + " not served by this host (lazy mode)"
                        : ""));
        return new ServedVm(f, region, fitting, early == null ? null : early.bell);
    }

    /** Stops a doorbell server that listened for a VM never served, and closes its region. */
    private void release(ListeningDoorbell early) {
        DaemonDoorbells bells = host.doorbells();
        try {
            if (bells != null) {
                bells.stop(early.bell);
            }
        } finally {
            early.region.close();
        }
    }

    private void stopServing(ServedVm s, String why) {
        String name = s.file.name();
        try {
            host.removeVm(name); // returns once its threads are restored and its slots NORMAL
        } finally {
            s.region.close();
            DaemonDoorbells bells = host.doorbells();
            DaemonDoorbells.Bell bell = s.bell;
            if (bells != null && bell != null) {
                bells.stop(bell); // the agent stops waiting on its eventfd, then the server and socket go
            }
        }
        LogLineFormatter.vmLogger(name).log(Level.INFO, "no longer served (" + why + "); its threads are restored");
    }

    private void report(Path p, Entry e, @Nullable String problem) {
        String msg = String.valueOf(problem);
        if (!msg.equals(e.problem)) {
            LOG.log(Level.ERROR, msg);
        }
        e.problem = msg;
    }

    /** Stops watching and stops serving every VM of the directory (each one's threads restored). Idempotent. */
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        WatchService ws = watchService;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            for (Entry e : entries.values()) {
                ServedVm s = e.served;
                if (s != null) {
                    e.served = null;
                    try {
                        stopServing(s, "agent stopping");
                    } catch (RuntimeException ex) {
                        LOG.log(Level.ERROR, "stopping VM '" + s.file.name() + "' failed", ex);
                    }
                }
                ListeningDoorbell l = e.listening;
                if (l != null) {
                    e.listening = null;
                    release(l);
                }
            }
            entries.clear();
        }
    }

    /** Names of the VMs served from this directory now, by file. */
    public synchronized Map<Path, String> served() {
        Map<Path, String> m = new TreeMap<>();
        for (Map.Entry<Path, Entry> e : entries.entrySet()) {
            ServedVm s = e.getValue().served;
            if (s != null) {
                m.put(e.getKey(), s.file.name());
            }
        }
        return m;
    }

}

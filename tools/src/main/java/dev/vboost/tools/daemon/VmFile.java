package dev.vboost.tools.daemon;

import dev.vboost.api.layout.RegionLayout;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One VM as described by a file in the agent's {@code --vm-dir} (format: docs/deploying.md section 6). UTF-8 text,
 * one {@code key = value} per line, {@code #} starts a comment line; every key at most once; unknown keys are
 * errors so that a typo never silently falls back to a default.
 *
 * <pre>
 * name = web1                      # optional; default: the file name without ".vm"
 * region = /dev/shm/vboost-web1    # required: the region file the VMM maps (created or re-initialised)
 * slots = 8                        # optional; default: the number of vCPUs found
 * policy = /etc/vboost/web1.policy # optional; default: built-in policy
 * # the vCPU threads, exactly one of:
 * qmp = /run/libvirt/qemu/web1.monitor
 * pid = 4242                       # with thread-name (default 'CPU ([0-9]+)/KVM'); slot = the regex's group 1
 * vcpus = 0=4250, 1=4251           # fixed thread ids
 * doorbell = /run/vboost/web1.ivshmem  # optional: the VM's ivshmem server socket (needs slots)
 * </pre>
 *
 * @param file       where it was read from
 * @param name       the VM's name in logs and metrics: 1..64 of {@code [A-Za-z0-9_.-]}
 * @param slots      slots in the region, or 0 for "one per vCPU found"
 * @param vcpus      fixed slot → thread id map (empty unless {@code vcpus} was given)
 */
public record VmFile(Path file, String name, Path region, int slots, @Nullable Path policy, @Nullable Path qmp,
        long pid, @Nullable Pattern threadName, Map<Integer, Integer> vcpus, @Nullable Path doorbell) {

    /** Default {@code thread-name}: QEMU's vCPU threads with {@code debug-threads=on}. */
    public static final String DEFAULT_THREAD_NAME = "CPU ([0-9]+)/KVM";
    /** Files larger than this are refused (a VM file is a few lines). */
    public static final int MAX_BYTES = 16 * 1024;
    static final Set<String> KEYS = Set.of("name", "region", "slots", "policy", "qmp", "pid", "thread-name", "vcpus",
            "doorbell");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public VmFile {
        vcpus = Collections.unmodifiableMap(new TreeMap<>(vcpus));
    }

    /** How the vCPU threads are found. */
    public enum Source {
        QMP, PID, FIXED
    }

    public Source source() {
        return qmp != null ? Source.QMP : pid != 0 ? Source.PID : Source.FIXED;
    }

    /**
     * Whether {@code other} describes the same region and policy, so that only the vCPU map may differ (a re-map
     * instead of a remove and add).
     */
    public boolean sameRegionAndPolicy(VmFile other) {
        return name.equals(other.name) && region.equals(other.region) && slots == other.slots
                && Objects.equals(policy, other.policy) && Objects.equals(doorbell, other.doorbell);
    }

    /** The VM name a file gets when it has no {@code name} key. */
    public static String defaultName(Path file) {
        Path fn = file.getFileName();
        String s = fn == null ? "" : fn.toString();
        return s.endsWith(".vm") ? s.substring(0, s.length() - 3) : s;
    }

    /** Parses the text of {@code file}. */
    public static VmFile parse(Path file, String text) throws VmFileException {
        Map<String, String> kv = new LinkedHashMap<>();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new VmFileException(file, null, "line " + lineNo + " is not 'key = value': " + abbreviate(line));
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new VmFileException(file, key, "unknown key (line " + lineNo + "; known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
            if (kv.put(key, value) != null) {
                throw new VmFileException(file, key, "given twice (line " + lineNo + ")");
            }
            if (value.isEmpty()) {
                throw new VmFileException(file, key, "empty value (line " + lineNo + ")");
            }
        }
        String name = kv.getOrDefault("name", defaultName(file));
        if (!NAME.matcher(name).matches()) {
            throw new VmFileException(file, kv.containsKey("name") ? "name" : null,
                    "VM name '" + abbreviate(name) + "' must be 1..64 of A-Z a-z 0-9 _ . -");
        }
        String regionText = kv.get("region");
        if (regionText == null) {
            throw new VmFileException(file, "region", "missing (the region file the VMM maps)");
        }
        Path region = absolute(file, "region", regionText);
        int slots = 0;
        String slotsText = kv.get("slots");
        if (slotsText != null) {
            slots = (int) number(file, "slots", slotsText, 1, RegionLayout.MAX_SLOTS);
        }
        String policyText = kv.get("policy");
        Path policy = policyText == null ? null : absolute(file, "policy", policyText);
        String doorbellText = kv.get("doorbell");
        Path doorbell = doorbellText == null ? null : absolute(file, "doorbell", doorbellText);
        if (doorbell != null && slots == 0) {
            throw new VmFileException(file, "slots", "required with doorbell: the ivshmem server and its region are "
                    + "created before QEMU starts, when its vCPUs are not known yet");
        }

        int sources = (kv.containsKey("qmp") ? 1 : 0) + (kv.containsKey("pid") ? 1 : 0) + (kv.containsKey("vcpus") ? 1 : 0);
        if (sources != 1) {
            throw new VmFileException(file, null, "give the vCPU threads with exactly one of the keys qmp, pid, vcpus"
                    + (sources == 0 ? " (none given)" : " (several given)"));
        }
        String qmpText = kv.get("qmp");
        Path qmp = qmpText == null ? null : absolute(file, "qmp", qmpText);
        String pidText = kv.get("pid");
        long pid = pidText == null ? 0 : number(file, "pid", pidText, 1, 4_194_304); // PID_MAX_LIMIT
        String threadText = kv.get("thread-name");
        Pattern threadName = null;
        if (threadText != null && pidText == null) {
            throw new VmFileException(file, "thread-name", "only used with the key pid");
        }
        if (pidText != null) {
            try {
                threadName = Pattern.compile(threadText == null ? DEFAULT_THREAD_NAME : threadText);
            } catch (PatternSyntaxException e) {
                throw new VmFileException(file, "thread-name", "bad regular expression: " + e.getDescription());
            }
        }
        Map<Integer, Integer> vcpus = new TreeMap<>();
        String vcpuText = kv.get("vcpus");
        if (vcpuText != null) {
            for (String pair : vcpuText.split(",")) {
                String p = pair.strip();
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new VmFileException(file, "vcpus", "'" + abbreviate(p) + "' is not SLOT=TID");
                }
                int slot = (int) number(file, "vcpus", p.substring(0, eq).strip(), 0, RegionLayout.MAX_SLOTS - 1);
                int tid = (int) number(file, "vcpus", p.substring(eq + 1).strip(), 1, 4_194_304);
                if (vcpus.put(slot, tid) != null) {
                    throw new VmFileException(file, "vcpus", "slot " + slot + " given twice");
                }
            }
            if (slots != 0) {
                for (int slot : vcpus.keySet()) {
                    if (slot >= slots) {
                        throw new VmFileException(file, "vcpus", "slot " + slot + " is outside the region's " + slots
                                + " slot(s)");
                    }
                }
            }
        }
        return new VmFile(file, name, region, slots, policy, qmp, pid, threadName, vcpus, doorbell);
    }

    private static Path absolute(Path file, String key, String value) throws VmFileException {
        Path p;
        try {
            p = Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new VmFileException(file, key, "'" + abbreviate(value) + "' is not a path");
        }
        if (!p.isAbsolute()) {
            throw new VmFileException(file, key, "'" + abbreviate(value) + "' must be an absolute path");
        }
        return p.normalize();
    }

    private static long number(Path file, String key, String value, long min, long max) throws VmFileException {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new VmFileException(file, key, "'" + abbreviate(value) + "' is not a decimal number");
        }
        if (n < min || n > max) {
            throw new VmFileException(file, key, n + " is outside " + min + ".." + max);
        }
        return n;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}

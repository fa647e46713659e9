package dev.vboost.agent.policy;

import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link PolicyConfig} as a {@code key=value} properties file (java.util.Properties syntax, UTF-8; keys in
 * {@link PolicyConfig#KEYS}, see host-agent/README.md): reading one VM's keys under a prefix, a file of several
 * VMs, and writing a policy back as text. A bad key or value is an {@link IllegalArgumentException} naming it.
 */
final class PolicyProperties {

    private PolicyProperties() {
    }

    /** As {@link PolicyConfig#load(Path)}. */
    static PolicyConfig load(Path file) throws IOException {
        Properties p = properties(file);
        try {
            return read(p, "", PolicyConfig.defaults());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link PolicyConfig#fromProperties(Properties, String, PolicyConfig)}. */
    static PolicyConfig read(Properties p, String prefix, PolicyConfig base) {
        Map<String, String> kv = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                String key = name.substring(prefix.length());
                if (prefix.isEmpty() && key.startsWith("vm.")) {
                    continue; // per-VM sections are read by loadAll
                }
                String value = p.getProperty(name);
                if (!PolicyConfig.KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown policy key '" + name + "' (known: "
                            + new TreeSet<>(PolicyConfig.KEYS) + ")");
                }
                kv.put(key, value == null ? "" : value.trim());
            }
        }
        PolicyConfig.Builder b = base.toBuilder();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String key = e.getKey();
            String v = e.getValue();
            try {
                switch (key) {
                    case "enabled":
                        b.enabled(parseBoolean(v));
                        break;
                    case "allowed.reasons":
                        b.allowedReasons(parseReasons(v));
                        break;
                    case "boost.policy":
                        b.boostPolicy(parsePolicy(v));
                        break;
                    case "priority.ceiling":
                        b.priorityCeiling(Integer.parseInt(v));
                        break;
                    case "nice.floor":
                        b.niceFloor(Integer.parseInt(v));
                        break;
                    case "boost.max.us":
                        b.maxBoostNanos(micros(v));
                        break;
                    case "budget.us":
                        b.budgetNanos = micros(v);
                        break;
                    case "budget.window.us":
                        b.windowNanos = micros(v);
                        break;
                    case "transitions.per.second":
                        b.maxTransitionsPerSecond(Integer.parseInt(v));
                        break;
                    case "host.boost.enabled":
                        b.hostBoostEnabled(parseBoolean(v));
                        break;
                    case "host.boost.timeout.us":
                        b.hostBoostTimeoutNanos(micros(v));
                        break;
                    case "budget.vm.us":
                        b.vmBudgetNanos(micros(v));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown key");
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("bad value '" + v + "' for '" + prefix + key + "': " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    /** As {@link PolicyConfig#loadAll(Path)}. */
    static Map<String, PolicyConfig> loadAll(Path file) throws IOException {
        Properties p = properties(file);
        try {
            PolicyConfig common = read(p, "", PolicyConfig.defaults());
            Map<String, PolicyConfig> result = new TreeMap<>();
            result.put("", common);
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("vm.")) {
                    int dot = name.indexOf('.', 3);
                    if (dot < 0 || dot == 3) {
                        throw new IllegalArgumentException("key '" + name + "' must be vm.<name>.<key>");
                    }
                    String vm = name.substring(3, dot);
                    if (!result.containsKey(vm)) {
                        result.put(vm, read(p, "vm." + vm + ".", common));
                    }
                }
            }
            return result;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link PolicyConfig#toPropertiesText()}. */
    static String text(PolicyConfig c) {
        StringBuilder sb = new StringBuilder();
        sb.append("enabled=").append(c.enabled()).append('\n');
        StringBuilder reasons = new StringBuilder();
        for (BoostReason r : BoostReason.values()) {
            if (r.in(c.allowedReasons())) {
                reasons.append(reasons.length() == 0 ? "" : ",").append(r.name());
            }
        }
        sb.append("allowed.reasons=").append(reasons.length() == 0 ? "none" : reasons).append('\n');
        sb.append("boost.policy=").append(c.boostPolicy().name()).append('\n');
        sb.append("priority.ceiling=").append(c.priorityCeiling()).append('\n');
        sb.append("nice.floor=").append(c.niceFloor()).append('\n');
        sb.append("boost.max.us=").append(c.maxBoostNanos() / 1000).append('\n');
        sb.append("budget.us=").append(c.budgetNanos() / 1000).append('\n');
        sb.append("budget.window.us=").append(c.windowNanos() / 1000).append('\n');
        sb.append("transitions.per.second=").append(c.maxTransitionsPerSecond()).append('\n');
        sb.append("host.boost.enabled=").append(c.hostBoostEnabled()).append('\n');
        sb.append("host.boost.timeout.us=").append(c.hostBoostTimeoutNanos() / 1000).append('\n');
        sb.append("budget.vm.us=").append(c.vmBudgetNanos() / 1000).append('\n');
        return sb.toString();
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    private static boolean parseBoolean(String v) {
        if ("true".equalsIgnoreCase(v)) {
            return true;
        }
        if ("false".equalsIgnoreCase(v)) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false");
    }

    private static long micros(String v) {
        long us = Long.parseLong(v);
        if (us < 0 || us > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException("microseconds out of range");
        }
        return us * 1000;
    }

    private static SchedPolicy parsePolicy(String v) {
        switch (v.toUpperCase(Locale.ROOT)) {
            case "FIFO":
            case "SCHED_FIFO":
                return SchedPolicy.FIFO;
            case "RR":
            case "SCHED_RR":
                return SchedPolicy.RR;
            default:
                throw new IllegalArgumentException("expected FIFO or RR");
        }
    }

    /** Comma-separated {@link BoostReason} names, {@code all}, or {@code none}. */
    static int parseReasons(String v) {
        String s = v.trim();
        if (s.equalsIgnoreCase("all")) {
            return BoostReason.DEFINED_MASK;
        }
        if (s.equalsIgnoreCase("none") || s.isEmpty()) {
            return 0;
        }
        int mask = 0;
        for (String part : s.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            try {
                mask |= BoostReason.valueOf(name).bit();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown boost reason '" + part.trim() + "'", e);
            }
        }
        return mask;
    }
}

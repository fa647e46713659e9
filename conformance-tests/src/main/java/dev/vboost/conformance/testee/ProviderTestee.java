package dev.vboost.conformance.testee;

import dev.vboost.conformance.region.Unsigned;
import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.conformance.region.BufferMemory;
import dev.vboost.conformance.region.TracingMemory;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.spi.HostPolicy;
import dev.vboost.conformance.spi.HostSettings;
import dev.vboost.conformance.spi.PolicyHost;
import dev.vboost.conformance.spi.RegionAccess;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs the testee protocol's operations in this JVM against a {@link ConformanceProvider}: the same suite,
 * no process boundary. It maps the region file itself, as a separate process would, and gives the provider
 * a {@link TracingMemory} over that mapping.
 *
 * <p>Over 400 lines on purpose: one case per operation of the testee protocol's tables (guest, host, host-policy,
 * codec, stress), so that it can be checked against spec/testee-protocol.md table by table.
 */
public final class ProviderTestee implements Testee {
    private final ConformanceProvider provider;
    private @Nullable TracingMemory memory;
    /** The provider's own mapping when it is closeable (e.g. Chronicle), closed when the region is dropped. */
    private @Nullable AutoCloseable ownMapping;
    private @Nullable Path file;
    private long size;
    private String role = "";
    private @Nullable GuestEndpoint guest;
    private @Nullable HostEndpoint host;
    private @Nullable HostSettings hostSettings;
    private @Nullable PolicyHost served;

    public ProviderTestee(ConformanceProvider provider) {
        this.provider = provider;
    }

    @Override
    public TesteeInfo info() {
        Set<String> features = new HashSet<>(provider.features());
        features.add("stress");
        features.add("memory-trace");
        return new TesteeInfo(provider.name(), provider.version(), "java", "1.0", Set.copyOf(provider.roles()),
                Set.copyOf(features), "in-process " + provider.getClass().getName());
    }

    @Override
    public Reply attach(String newRole, Path newFile, long newSize) {
        restart();
        try {
            SharedMemory own = provider.mapRegion(newFile, Math.toIntExact(newSize));
            if (own == null) {
                try (FileChannel ch = FileChannel.open(newFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    own = new BufferMemory(ch.map(FileChannel.MapMode.READ_WRITE, 0, newSize));
                }
            }
            memory = new TracingMemory(own);
            ownMapping = own instanceof AutoCloseable ? (AutoCloseable) own : null;
        } catch (IOException | RuntimeException e) {
            return Reply.internal("cannot map " + newFile + ": " + e.getMessage());
        }
        file = newFile;
        size = newSize;
        role = newRole;
        return Reply.ok();
    }

    @Override
    public @Nullable TracingMemory tracer() {
        return memory;
    }

    private void drop() {
        GuestEndpoint g = guest;
        HostEndpoint h = host;
        guest = null;
        host = null;
        served = null;
        hostSettings = null;
        try {
            if (g != null) {
                g.close();
            }
        } catch (RuntimeException e) {
            // the next test starts from a fresh region either way
        }
        try {
            if (h != null) {
                h.close();
            }
        } catch (RuntimeException e) {
            // as above
        }
    }

    @Override
    public Reply op(String name, Map<String, String> args) {
        TracingMemory mem = memory;
        Path f = file;
        if (mem == null || f == null) {
            return Reply.internal(name + " before attach");
        }
        try {
            if (name.startsWith("guest.") || name.startsWith("stress.guest_")) {
                return role.equals(ConformanceProvider.GUEST) ? guestOp(name, args, mem, f) : Reply.unsupported(name);
            }
            if (name.startsWith("host.") || name.startsWith("stress.host_")) {
                return role.equals(ConformanceProvider.HOST) ? hostOp(name, args, mem, f) : Reply.unsupported(name);
            }
            if (name.equals("codec.decode_image") && role.equals(ConformanceProvider.CODEC)) {
                byte[] image = Files.readAllBytes(Path.of(args.getOrDefault("path", "")));
                return Reply.ok(provider.decodeImage(image));
            }
            return Reply.unsupported(name);
        } catch (VboostException e) {
            return Reply.error(e.error().code(), String.valueOf(e.getMessage()));
        } catch (UnsupportedOperationException e) {
            return Reply.unsupported(String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the Java API refuses bad values (IllegalArgumentException) and operations its state forbids, such
            // as a request with the ids used up (IllegalStateException); the testee protocol has one code for both
            return Reply.error("E_INVALID_VALUE", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.internal("interrupted");
        } catch (IOException | RuntimeException e) {
            return Reply.internal(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private Reply guestOp(String name, Map<String, String> a, TracingMemory mem, Path f)
            throws InterruptedException, IOException {
        if (name.equals("guest.attach")) {
            GuestEndpoint g = attachWithin(mem, f, u64(a, "features"), a.containsKey("timeout_ms") ? u64(a, "timeout_ms") : 0);
            guest = g;
            Map<String, String> r = new LinkedHashMap<>();
            r.put("slot_count", Integer.toString(g.slotCount()));
            r.put("host_generation", Long.toString(g.hostHeader().hostGeneration()));
            r.put("accepted_features", Unsigned.u64(g.acceptedFeatures()));
            return Reply.ok(r);
        }
        GuestEndpoint g = guest;
        if (g == null) {
            return Reply.internal(name + " before a successful guest.attach");
        }
        switch (name) {
            case "guest.request_boost": {
                long id = g.requestBoost(i32(a, "slot"), SchedPolicy.fromCode(i32(a, "policy")), i32(a, "priority"),
                        i32(a, "nice"), (int) u64(a, "reasons"));
                return Reply.ok(Map.of("request_id", Unsigned.u64(id)));
            }
            case "guest.release":
                return Reply.ok(Map.of("request_id", Unsigned.u64(g.release(i32(a, "slot")))));
            case "guest.ack_host_boost":
                g.acknowledgeHostBoost(i32(a, "slot"), u64(a, "host_boost_id"));
                return Reply.ok();
            case "guest.read_host_state": {
                HostSlotSnapshot s = new HostSlotSnapshot();
                ReadStatus st = g.readHostState(i32(a, "slot"), s);
                return st == ReadStatus.OK ? Reply.ok(hostFields(s)) : readError(st, s.error().code());
            }
            case "guest.await_acted": {
                HostSlotSnapshot s = new HostSlotSnapshot();
                boolean acted = g.awaitActed(i32(a, "slot"), u64(a, "request_id"),
                        TimeUnit.MILLISECONDS.toNanos(u64(a, "timeout_ms")), s);
                return Reply.ok(Map.of("acted", acted ? "1" : "0"));
            }
            case "guest.host_restarted":
                return Reply.ok(Map.of("restarted", g.hostRestarted() ? "1" : "0"));
            case "guest.detach":
                g.detach();
                return Reply.ok();
            case "stress.guest_read": {
                int slot = i32(a, "slot");
                long n = u64(a, "iterations");
                long ok = 0;
                long busy = 0;
                long invalid = 0;
                HostSlotSnapshot s = new HostSlotSnapshot();
                ByteBuffer rec = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(a.getOrDefault("out", "")))) ) {
                    for (long i = 0; i < n; i++) {
                        ReadStatus st = g.readHostState(slot, s);
                        if (st == ReadStatus.OK) {
                            rec.clear();
                            rec.putInt(s.seq()).put((byte) s.statusCode()).put((byte) s.policyCode())
                                    .put((byte) s.priority()).put((byte) s.denialCode()).putInt(s.hostBoostFlags())
                                    .putInt(s.budgetRemainingUs()).putLong(s.actedRequestId()).putLong(s.hostBoostId());
                            out.write(rec.array());
                            ok++;
                        } else if (st == ReadStatus.BUSY) {
                            busy++;
                        } else {
                            invalid++;
                        }
                    }
                }
                return Reply.ok(Map.of("ok", Long.toString(ok), "busy", Long.toString(busy), "invalid",
                        Long.toString(invalid)));
            }
            case "stress.guest_request": {
                int slot = i32(a, "slot");
                long n = u64(a, "iterations");
                long id = 0;
                for (long i = 0; i < n; i++) {
                    int policy = (int) (i % 3);
                    id = g.requestBoost(slot, SchedPolicy.fromCode(policy), policy == 0 ? 0 : 1 + (int) (i % 99),
                            policy == 0 ? (int) (i % 40) - 20 : 0, (int) ((37 * i) % 128));
                }
                return Reply.ok(Map.of("last_request_id", Unsigned.u64(id)));
            }
            default:
                return Reply.unsupported(name);
        }
    }

    /**
     * §4.4, A1: "not there yet" (E_BAD_MAGIC, E_NOT_READY, or C2..C4 while the region reads NOT_READY) is
     * retried until the guest's own timeout; any other outcome is final.
     */
    private GuestEndpoint attachWithin(TracingMemory mem, Path f, long features, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                return provider.attachGuest(new RegionAccess(mem, f, size), features);
            } catch (VboostException e) {
                String code = e.error().code();
                boolean notReady = mem.capacity() >= 64 && mem.getIntAcquire(0x1C) == 0;
                boolean notYet = code.equals("E_BAD_MAGIC") || code.equals("E_NOT_READY")
                        || (notReady && (code.equals("E_UNSUPPORTED_MAJOR") || code.equals("E_BAD_STATE")));
                if (!notYet || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }

    private Reply policyOp(String name, Map<String, String> a, HostEndpoint h) {
        if (name.equals("host.set_policy")) {
            HostSettings hs = hostSettings;
            if (hs == null) {
                return Reply.internal("host.set_policy before host.init_region");
            }
            served = provider.policyHost(h, hs, new HostPolicy(i32(a, "max_priority"), i32(a, "allowed_policies"),
                    i32(a, "allowed_reasons"), u64(a, "max_boost_us"), u64(a, "host_boost_timeout_us"),
                    u64(a, "budget_us"), u64(a, "budget_window_us"), i32(a, "rate_limit"), u64(a, "rate_window_us")));
            return Reply.ok();
        }
        PolicyHost p = served;
        if (p == null) {
            return Reply.internal(name + " before host.set_policy");
        }
        int slot = name.equals("host.tick") ? 0 : i32(a, "slot");
        if (slot < 0 || slot >= h.slotCount()) {
            return Reply.internal("slot " + slot + " out of range");
        }
        switch (name) {
            case "host.set_thread":
                p.setThread(slot, i32(a, "policy"), i32(a, "priority"), i32(a, "nice"));
                return Reply.ok();
            case "host.serve": {
                PolicyHost.Outcome o = p.serve(slot);
                return Reply.ok(Map.of("outcome", o.wire(), "actions", p.actions()));
            }
            case "host.boost": {
                long id = p.boost(slot, (int) u64(a, "host_boost_flags"), i32(a, "policy"), i32(a, "priority"));
                return Reply.ok(Map.of("started", id != 0 ? "1" : "0", "host_boost_id", Unsigned.u64(p.hostBoostId(slot)),
                        "actions", p.actions()));
            }
            case "host.thread": {
                int[] t = p.thread(slot);
                return Reply.ok(Map.of("policy", Integer.toString(t[0]), "priority", Integer.toString(t[1]), "nice",
                        Integer.toString(t[2])));
            }
            case "host.counters": {
                Map<String, String> r = new LinkedHashMap<>();
                p.counters(slot).forEach((k, v) -> r.put(k, Long.toString(v)));
                return Reply.ok(r);
            }
            case "host.tick":
                p.tick(u64(a, "elapsed_us"));
                return Reply.ok(Map.of("actions", p.actions()));
            default:
                return Reply.unsupported(name);
        }
    }

    private static final java.util.Set<String> POLICY_OPS = java.util.Set.of("host.set_policy", "host.set_thread",
            "host.serve", "host.boost", "host.thread", "host.counters");

    private Reply hostOp(String name, Map<String, String> a, TracingMemory mem, Path f) throws IOException {
        if (name.equals("host.init_region")) {
            HostEndpoint old = host;
            host = null;
            if (old != null) {
                old.close();
            }
            HostSettings hs = new HostSettings(i32(a, "slot_count"), u64(a, "host_features"), i32(a, "prio_ceiling"),
                    i32(a, "max_boost_us"));
            HostEndpoint h = provider.createHost(new RegionAccess(mem, f, size), hs);
            host = h;
            hostSettings = hs;
            served = null;
            return Reply.ok(Map.of("host_generation", Long.toString(h.generation())));
        }
        HostEndpoint h = host;
        if (h == null) {
            return Reply.internal(name + " before a successful host.init_region");
        }
        if (POLICY_OPS.contains(name) || (name.equals("host.tick") && served != null)) {
            if (!provider.features().contains(ConformanceProvider.HOST_POLICY)) {
                return Reply.unsupported(provider.name() + " does not declare " + ConformanceProvider.HOST_POLICY);
            }
            return policyOp(name, a, h);
        }
        switch (name) {
            case "host.poll": {
                int[] dst = new int[h.slotCount()];
                int n = h.pollChangedSlots(dst);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append(dst[i]);
                }
                return Reply.ok(Map.of("slots", sb.toString()));
            }
            case "host.read_request": {
                GuestSlotSnapshot s = new GuestSlotSnapshot();
                ReadStatus st = h.readRequest(i32(a, "slot"), s);
                return st == ReadStatus.OK ? Reply.ok(guestFields(s)) : readError(st, s.error().code());
            }
            case "host.read_guest_header": {
                GuestHeader gh = h.readGuestHeader();
                if (gh == null) {
                    return Reply.error("E_BUSY", "guest header busy");
                }
                Map<String, String> r = new LinkedHashMap<>();
                r.put("attach_state", Integer.toString(gh.attachState().code()));
                r.put("guest_abi_major", Integer.toString(gh.guestAbiMajor()));
                r.put("guest_abi_minor", Integer.toString(gh.guestAbiMinor()));
                r.put("attached_generation", Long.toString(gh.attachedGeneration()));
                r.put("accepted_features", Unsigned.u64(gh.acceptedFeatures()));
                return Reply.ok(r);
            }
            case "host.publish_state": {
                HostSlotSnapshot s = new HostSlotSnapshot().set(0, i32(a, "slot_status"), i32(a, "policy"),
                        i32(a, "priority"), i32(a, "denial"), (int) u64(a, "host_boost_flags"),
                        (int) u64(a, "budget_remaining_us"), u64(a, "acted_request_id"), u64(a, "host_boost_id"));
                h.publishState(i32(a, "slot"), s);
                return Reply.ok();
            }
            case "host.start_host_boost": {
                long id = h.startHostBoost(i32(a, "slot"), (int) u64(a, "host_boost_flags"),
                        SchedPolicy.fromCode(i32(a, "policy")), i32(a, "priority"));
                return Reply.ok(Map.of("host_boost_id", Unsigned.u64(id)));
            }
            case "host.disable":
                h.disable();
                return Reply.ok();
            case "host.tick":
                if (!provider.features().contains("expiry")) {
                    return Reply.unsupported("provider does not declare expiry");
                }
                provider.tick(h, u64(a, "elapsed_us"));
                return Reply.ok();
            case "stress.host_read": {
                int slot = i32(a, "slot");
                long n = u64(a, "iterations");
                long ok = 0;
                long busy = 0;
                long invalid = 0;
                GuestSlotSnapshot s = new GuestSlotSnapshot();
                ByteBuffer rec = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(a.getOrDefault("out", ""))))) {
                    for (long i = 0; i < n; i++) {
                        ReadStatus st = h.readRequest(slot, s);
                        if (st == ReadStatus.OK) {
                            rec.clear();
                            rec.putInt(s.seq()).put((byte) s.requestCode()).put((byte) s.policyCode())
                                    .put((byte) s.priority()).put((byte) s.nice()).putInt(s.reasons()).putInt(0)
                                    .putLong(s.requestId()).putLong(s.hostBoostAck());
                            out.write(rec.array());
                            ok++;
                        } else if (st == ReadStatus.BUSY) {
                            busy++;
                        } else {
                            invalid++;
                        }
                    }
                }
                return Reply.ok(Map.of("ok", Long.toString(ok), "busy", Long.toString(busy), "invalid",
                        Long.toString(invalid)));
            }
            case "stress.host_publish": {
                int slot = i32(a, "slot");
                long n = u64(a, "iterations");
                HostSlotSnapshot s = new HostSlotSnapshot();
                for (long i = 1; i <= n; i++) {
                    int policy = (int) (i % 3);
                    s.set(0, (int) (i % 4), policy, policy == 0 ? 0 : 1 + (int) (i % 99), (int) (i % 8), (int) (i % 32),
                            (int) (i * 2654435761L), i, 3 * i);
                    h.publishState(slot, s);
                }
                return Reply.ok();
            }
            default:
                return Reply.unsupported(name);
        }
    }

    private static Reply readError(ReadStatus st, String code) {
        return st == ReadStatus.BUSY ? Reply.error("E_BUSY", "seqlock busy") : Reply.error(code, "invalid line");
    }

    private static Map<String, String> hostFields(HostSlotSnapshot s) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("seq", Unsigned.u32(s.seq()));
        r.put("slot_status", Integer.toString(s.statusCode()));
        r.put("policy", Integer.toString(s.policyCode()));
        r.put("priority", Integer.toString(s.priority()));
        r.put("denial", Integer.toString(s.denialCode()));
        r.put("host_boost_flags", Unsigned.u32(s.hostBoostFlags()));
        r.put("budget_remaining_us", Unsigned.u32(s.budgetRemainingUs()));
        r.put("acted_request_id", Unsigned.u64(s.actedRequestId()));
        r.put("host_boost_id", Unsigned.u64(s.hostBoostId()));
        return r;
    }

    private static Map<String, String> guestFields(GuestSlotSnapshot s) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("seq", Unsigned.u32(s.seq()));
        r.put("request", Integer.toString(s.requestCode()));
        r.put("policy", Integer.toString(s.policyCode()));
        r.put("priority", Integer.toString(s.priority()));
        r.put("nice", Integer.toString(s.nice()));
        r.put("reasons", Unsigned.u32(s.reasons()));
        r.put("request_id", Unsigned.u64(s.requestId()));
        r.put("host_boost_ack", Unsigned.u64(s.hostBoostAck()));
        return r;
    }

    private static long u64(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new java.util.NoSuchElementException("argument " + key + " missing");
        }
        return Unsigned.parse(v);
    }

    private static int i32(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new java.util.NoSuchElementException("argument " + key + " missing");
        }
        return (int) Long.parseLong(v);
    }

    @Override
    public void sync() {
        // operations run synchronously in this thread: their stores are already visible
    }

    @Override
    public void restart() {
        drop();
        AutoCloseable m = ownMapping;
        ownMapping = null;
        if (m != null) {
            try {
                m.close();
            } catch (Exception e) {
                // the mapping of a finished test; the next test maps a new file
            }
        }
        memory = null;
        file = null;
    }

    @Override
    public void close() {
        restart();
    }
}

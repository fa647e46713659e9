package dev.vboost.conformance.testee;

import static dev.vboost.conformance.testee.OpArgs.i32;
import static dev.vboost.conformance.testee.OpArgs.u64;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.conformance.region.Unsigned;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.spi.HostSettings;
import dev.vboost.conformance.spi.RegionAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host role's operations (testee protocol §5.2) and its stress loops (§5.6) for one mapped region, through a
 * {@link ConformanceProvider}'s host endpoint; the policy operations (§5.3) go to {@link PolicyOps}, step control
 * (§5.5) through {@link StepControlMemory}.
 */
final class HostOps implements AutoCloseable {
    private final ConformanceProvider provider;
    private final RegionAccess region;
    private final StepControlMemory steps;
    private @Nullable HostEndpoint host;
    private @Nullable PolicyOps policy;

    HostOps(ConformanceProvider provider, RegionAccess region, StepControlMemory steps) {
        this.provider = provider;
        this.region = region;
        this.steps = steps;
    }

    Reply op(String name, Map<String, String> a) throws IOException {
        if (name.equals("host.init_region")) {
            close();
            HostSettings hs = new HostSettings(i32(a, "slot_count"), u64(a, "host_features"), i32(a, "prio_ceiling"),
                    i32(a, "max_boost_us"));
            HostEndpoint h = provider.createHost(region, hs);
            host = h;
            policy = new PolicyOps(provider, h, hs);
            return Reply.ok(Map.of("host_generation", Long.toString(h.generation())));
        }
        HostEndpoint h = host;
        PolicyOps p = policy;
        if (h == null || p == null) {
            return Reply.internal(name + " before a successful host.init_region");
        }
        if (PolicyOps.OPS.contains(name) || (name.equals("host.tick") && p.active())) {
            if (!provider.features().contains(ConformanceProvider.HOST_POLICY)) {
                return Reply.unsupported(provider.name() + " does not declare " + ConformanceProvider.HOST_POLICY);
            }
            return p.op(name, a);
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
            case "host.read_request":
                return readRequest(h, i32(a, "slot"), a.get("pause_file"));
            case "host.read_guest_header":
                return readGuestHeader(h);
            case "host.publish_state": {
                int slot = i32(a, "slot");
                HostSlotSnapshot s = new HostSlotSnapshot().set(0, i32(a, "slot_status"), i32(a, "policy"),
                        i32(a, "priority"), i32(a, "denial"), (int) u64(a, "host_boost_flags"),
                        (int) u64(a, "budget_remaining_us"), u64(a, "acted_request_id"), u64(a, "host_boost_id"));
                steps.stopping(RegionLayout.hostLineOffset(slot), a.get("stop_after"), () -> {    // §5.5
                    h.publishState(slot, s);
                    return s;
                });
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
            case "stress.host_read":
                return stressRead(h, i32(a, "slot"), u64(a, "iterations"), Path.of(a.getOrDefault("out", "")));
            case "stress.host_publish":
                return stressPublish(h, i32(a, "slot"), u64(a, "iterations"));
            default:
                return Reply.unsupported(name);
        }
    }

    private Reply readRequest(HostEndpoint h, int slot, @Nullable String pauseFile) {
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        ReadStatus st = steps.pausing(RegionLayout.guestLineOffset(slot), pauseFile,      // §5.5: R3 | R5
                () -> h.readRequest(slot, s));
        return st == ReadStatus.OK ? Reply.ok(OpArgs.guestFields(s)) : OpArgs.readError(st, s.error().code());
    }

    /** Raw: the seqlock read of the guest header only; CG2..CG7 belong to {@code host.serve}. */
    private static Reply readGuestHeader(HostEndpoint h) {
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

    /** §5.6: every OK copy of the guest line appended in wire layout (32 bytes). */
    private static Reply stressRead(HostEndpoint h, int slot, long n, Path out) throws IOException {
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        return OpArgs.stressRead(n, out, () -> h.readRequest(slot, s), rec -> rec.putInt(s.seq())
                .put((byte) s.requestCode()).put((byte) s.policyCode()).put((byte) s.priority()).put((byte) s.nice())
                .putInt(s.reasons()).putInt(0).putLong(s.requestId()).putLong(s.hostBoostAck()));
    }

    /** §5.6: host lines with the payload f(1), f(2), ... */
    private static Reply stressPublish(HostEndpoint h, int slot, long n) {
        HostSlotSnapshot s = new HostSlotSnapshot();
        for (long i = 1; i <= n; i++) {
            int pol = (int) (i % 3);
            s.set(0, (int) (i % 4), pol, pol == 0 ? 0 : 1 + (int) (i % 99), (int) (i % 8), (int) (i % 32),
                    (int) (i * 2654435761L), i, 3 * i);
            h.publishState(slot, s);
        }
        return Reply.ok();
    }

    @Override
    public void close() {
        HostEndpoint h = host;
        host = null;
        policy = null;
        if (h != null) {
            h.close();
        }
    }
}

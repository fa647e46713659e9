package dev.vboost.conformance.testee;

import static dev.vboost.conformance.testee.OpArgs.i32;
import static dev.vboost.conformance.testee.OpArgs.u64;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.conformance.region.Unsigned;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.spi.RegionAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The guest role's operations (testee protocol §5.1) and its stress loops (§5.6) for one mapped region, through a
 * {@link ConformanceProvider}'s guest endpoint; step control (§5.5) through {@link StepControlMemory}.
 */
final class GuestOps implements AutoCloseable {
    private final ConformanceProvider provider;
    private final RegionAccess region;
    private final StepControlMemory steps;
    private @Nullable GuestEndpoint guest;

    GuestOps(ConformanceProvider provider, RegionAccess region, StepControlMemory steps) {
        this.provider = provider;
        this.region = region;
        this.steps = steps;
    }

    Reply op(String name, Map<String, String> a) throws InterruptedException, IOException {
        if (name.equals("guest.attach")) {
            GuestEndpoint g = attachWithin(u64(a, "features"), a.containsKey("timeout_ms") ? u64(a, "timeout_ms") : 0);
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
                int slot = i32(a, "slot");
                long id = steps.stopping(RegionLayout.guestLineOffset(slot), a.get("stop_after"),  // §5.5
                        () -> g.requestBoost(slot, SchedPolicy.fromCode(i32(a, "policy")), i32(a, "priority"),
                                i32(a, "nice"), (int) u64(a, "reasons")));
                return Reply.ok(Map.of("request_id", Unsigned.u64(id)));
            }
            case "guest.release":
                return Reply.ok(Map.of("request_id", Unsigned.u64(g.release(i32(a, "slot")))));
            case "guest.ack_host_boost":
                g.acknowledgeHostBoost(i32(a, "slot"), u64(a, "host_boost_id"));
                return Reply.ok();
            case "guest.read_host_state":
                return readHostState(g, i32(a, "slot"), a.get("pause_file"));
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
            case "stress.guest_read":
                return stressRead(g, i32(a, "slot"), u64(a, "iterations"), Path.of(a.getOrDefault("out", "")));
            case "stress.guest_request":
                return stressRequest(g, i32(a, "slot"), u64(a, "iterations"));
            default:
                return Reply.unsupported(name);
        }
    }

    private Reply readHostState(GuestEndpoint g, int slot, @Nullable String pauseFile) {
        HostSlotSnapshot s = new HostSlotSnapshot();
        ReadStatus st = steps.pausing(RegionLayout.hostLineOffset(slot), pauseFile,       // §5.5: R3 | R5
                () -> g.readHostState(slot, s));
        return st == ReadStatus.OK ? Reply.ok(OpArgs.hostFields(s)) : OpArgs.readError(st, s.error().code());
    }

    /**
     * §4.4, A1: "not there yet" (E_BAD_MAGIC, E_NOT_READY, or C2..C4 while the region reads NOT_READY) is
     * retried until the guest's own timeout; any other outcome is final.
     */
    private GuestEndpoint attachWithin(long features, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                return provider.attachGuest(region, features);
            } catch (VboostException e) {
                String code = e.error().code();
                boolean notReady = region.memory().capacity() >= 64 && region.memory().getIntAcquire(0x1C) == 0;
                boolean notYet = code.equals("E_BAD_MAGIC") || code.equals("E_NOT_READY")
                        || (notReady && (code.equals("E_UNSUPPORTED_MAJOR") || code.equals("E_BAD_STATE")));
                if (!notYet || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }

    /** §5.6: every OK copy of the host line appended in wire layout (32 bytes). */
    private static Reply stressRead(GuestEndpoint g, int slot, long n, Path out) throws IOException {
        HostSlotSnapshot s = new HostSlotSnapshot();
        return OpArgs.stressRead(n, out, () -> g.readHostState(slot, s), rec -> rec.putInt(s.seq())
                .put((byte) s.statusCode()).put((byte) s.policyCode()).put((byte) s.priority())
                .put((byte) s.denialCode()).putInt(s.hostBoostFlags()).putInt(s.budgetRemainingUs())
                .putLong(s.actedRequestId()).putLong(s.hostBoostId()));
    }

    /** §5.6: requests with the payload g(0), g(1), ... */
    private static Reply stressRequest(GuestEndpoint g, int slot, long n) {
        long id = 0;
        for (long i = 0; i < n; i++) {
            int policy = (int) (i % 3);
            id = g.requestBoost(slot, SchedPolicy.fromCode(policy), policy == 0 ? 0 : 1 + (int) (i % 99),
                    policy == 0 ? (int) (i % 40) - 20 : 0, (int) ((37 * i) % 128));
        }
        return Reply.ok(Map.of("last_request_id", Unsigned.u64(id)));
    }

    @Override
    public void close() {
        GuestEndpoint g = guest;
        guest = null;
        if (g != null) {
            g.close();
        }
    }
}

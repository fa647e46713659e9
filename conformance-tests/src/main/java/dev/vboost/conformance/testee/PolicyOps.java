package dev.vboost.conformance.testee;

import static dev.vboost.conformance.testee.OpArgs.i32;
import static dev.vboost.conformance.testee.OpArgs.u64;

import dev.vboost.api.role.HostEndpoint;
import dev.vboost.conformance.region.Unsigned;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.spi.HostPolicy;
import dev.vboost.conformance.spi.HostSettings;
import dev.vboost.conformance.spi.PolicyHost;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host-policy operations (testee protocol §5.3, feature {@code host-policy}) over one host endpoint: the
 * provider's {@link PolicyHost} decides, the runner moves its clock.
 */
final class PolicyOps {
    /** The operations that exist only under a policy; {@code host.tick} is one too once a policy is set. */
    static final Set<String> OPS = Set.of("host.set_policy", "host.set_thread", "host.serve", "host.boost",
            "host.thread", "host.counters");

    private final ConformanceProvider provider;
    private final HostEndpoint host;
    private final HostSettings settings;
    private @Nullable PolicyHost served;

    PolicyOps(ConformanceProvider provider, HostEndpoint host, HostSettings settings) {
        this.provider = provider;
        this.host = host;
        this.settings = settings;
    }

    /** Whether {@code host.tick} belongs to the policy host (a policy is set) rather than to §5.2's expiry. */
    boolean active() {
        return served != null;
    }

    Reply op(String name, Map<String, String> a) {
        if (name.equals("host.set_policy")) {
            served = provider.policyHost(host, settings, new HostPolicy(i32(a, "max_priority"),
                    i32(a, "allowed_policies"), i32(a, "allowed_reasons"), u64(a, "max_boost_us"),
                    u64(a, "host_boost_timeout_us"), u64(a, "budget_us"), u64(a, "budget_window_us"),
                    i32(a, "rate_limit"), u64(a, "rate_window_us")));
            return Reply.ok();
        }
        PolicyHost p = served;
        if (p == null) {
            return Reply.internal(name + " before host.set_policy");
        }
        int slot = name.equals("host.tick") ? 0 : i32(a, "slot");
        if (slot < 0 || slot >= host.slotCount()) {
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
                return Reply.ok(Map.of("started", id != 0 ? "1" : "0", "host_boost_id",
                        Unsigned.u64(p.hostBoostId(slot)), "actions", p.actions()));
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
}

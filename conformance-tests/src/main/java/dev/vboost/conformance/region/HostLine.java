package dev.vboost.conformance.region;

import java.util.LinkedHashMap;
import java.util.Map;

/** One slot's host line as raw wire values (spec §3.5); {@code seq} is the counter the copy was taken under. */
public record HostLine(int seq, int status, int policy, int priority, int denial, int hostBoostFlags,
        int budgetRemainingUs, long actedRequestId, long hostBoostId) {

    /** The self-validating payload f(i) of testee protocol §5.4. */
    public static HostLine payload(long i) {
        int policy = (int) (i % 3);
        return new HostLine(0, (int) (i % 4), policy, policy == 0 ? 0 : 1 + (int) (i % 99), (int) (i % 8),
                (int) (i % 32), (int) (i * 2654435761L), i, 3 * i);
    }

    public HostLine withSeq(int s) {
        return new HostLine(s, status, policy, priority, denial, hostBoostFlags, budgetRemainingUs, actedRequestId,
                hostBoostId);
    }

    /** Same data, counter ignored. */
    public boolean sameData(HostLine o) {
        return withSeq(0).equals(o.withSeq(0));
    }

    /** Field values by C name, unsigned decimal, for diffs and for testee arguments. */
    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("slot_status", Integer.toString(status));
        m.put("policy", Integer.toString(policy));
        m.put("priority", Integer.toString(priority));
        m.put("denial", Integer.toString(denial));
        m.put("host_boost_flags", Unsigned.u32(hostBoostFlags));
        m.put("budget_remaining_us", Unsigned.u32(budgetRemainingUs));
        m.put("acted_request_id", Unsigned.u64(actedRequestId));
        m.put("host_boost_id", Unsigned.u64(hostBoostId));
        return m;
    }
}

package dev.vboost.conformance.region;

import java.util.LinkedHashMap;
import java.util.Map;

/** One slot's guest line as raw wire values (spec §3.4); {@code nice} is the signed byte. */
public record GuestLine(int seq, int request, int policy, int priority, int nice, int reasons, long requestId,
        long hostBoostAck) {

    /** The self-validating request g(i) of testee protocol §5.4, carrying {@code requestId}. */
    public static GuestLine payload(long i, long requestId) {
        int policy = (int) (i % 3);
        return new GuestLine(0, 1, policy, policy == 0 ? 0 : 1 + (int) (i % 99), policy == 0 ? (int) (i % 40) - 20 : 0,
                (int) ((37 * i) % 128), requestId, 0);
    }

    public GuestLine withSeq(int s) {
        return new GuestLine(s, request, policy, priority, nice, reasons, requestId, hostBoostAck);
    }

    public boolean sameData(GuestLine o) {
        return withSeq(0).equals(o.withSeq(0));
    }

    public Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("request", Integer.toString(request));
        m.put("policy", Integer.toString(policy));
        m.put("priority", Integer.toString(priority));
        m.put("nice", Integer.toString(nice));
        m.put("reasons", Unsigned.u32(reasons));
        m.put("request_id", Unsigned.u64(requestId));
        m.put("host_boost_ack", Unsigned.u64(hostBoostAck));
        return m;
    }
}

package dev.vboost.impl.lincheck;

/**
 * Sequential specification of the one-slot handshake (spec §5.3 to §5.5) for Lincheck: what each operation of
 * {@link HandshakeScenario} must return if the operations happened one at a time. Plain fields, no shared
 * memory. Method names, parameters and results match the test class one for one.
 */
public final class HandshakeModel {
    // guest line
    private String request = "NONE";
    private int priority;
    private long requestId;
    private long hostBoostAck;
    // what the host last read of it (host-local)
    private String seenRequest = "NONE";
    private long seenId;
    // host line
    private String status = "NORMAL";
    private long acted;
    private long hostBoostId;

    public long boost(int prio) {
        request = "BOOST";
        priority = prio;
        return ++requestId;
    }

    public long release() {
        request = "UNBOOST";
        priority = 0;
        return ++requestId;
    }

    public void ack(long id) {
        if (id > hostBoostAck) {
            hostBoostAck = id;
        }
    }

    public String guestReads() {
        return HandshakeScenario.hostLine(status, acted, hostBoostId);
    }

    public String hostReads() {
        seenRequest = request;
        seenId = requestId;
        return HandshakeScenario.guestLine(request, priority, requestId, hostBoostAck);
    }

    public void hostActs() {
        status = seenRequest.equals("BOOST") ? "BOOSTED" : "NORMAL";
        acted = seenId;
    }

    public long hostBoost() {
        status = "BOOSTED";
        return ++hostBoostId;
    }
}

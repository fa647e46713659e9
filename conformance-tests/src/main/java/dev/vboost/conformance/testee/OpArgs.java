package dev.vboost.conformance.testee;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.conformance.region.Unsigned;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The testee protocol's value conventions (spec/testee-protocol.md §3, §5) for the Java testee: decimal
 * arguments in, reply keys named as the C header's fields out.
 */
final class OpArgs {
    private OpArgs() {
    }

    /** An unsigned (or signed, with a minus) decimal argument; a missing one is the runner's mistake. */
    static long u64(Map<String, String> a, String key) {
        return Unsigned.parse(required(a, key));
    }

    static int i32(Map<String, String> a, String key) {
        return (int) Long.parseLong(required(a, key));
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new NoSuchElementException("argument " + key + " missing");
        }
        return v;
    }

    /** The reply to a read that did not return OK: E_BUSY (§4.3) or the rule the copy broke. */
    static Reply readError(ReadStatus st, String code) {
        return st == ReadStatus.BUSY ? Reply.error("E_BUSY", "seqlock busy") : Reply.error(code, "invalid line");
    }

    /** A host line as {@code guest.read_host_state} replies it (raw wire values). */
    static Map<String, String> hostFields(HostSlotSnapshot s) {
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

    /** A guest line as {@code host.read_request} replies it. */
    static Map<String, String> guestFields(GuestSlotSnapshot s) {
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

    /**
     * A {@code stress.*_read} loop (§5.6): {@code n} reads; every OK copy is appended to {@code out} as the 32-byte
     * record {@code record} puts into the buffer it is given (little-endian, cleared).
     */
    static Reply stressRead(long n, Path out, Supplier<ReadStatus> read, Consumer<ByteBuffer> record)
            throws IOException {
        long ok = 0;
        long busy = 0;
        long invalid = 0;
        ByteBuffer rec = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out))) {
            for (long i = 0; i < n; i++) {
                ReadStatus st = read.get();
                if (st == ReadStatus.OK) {
                    rec.clear();
                    record.accept(rec);
                    o.write(rec.array());
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
}

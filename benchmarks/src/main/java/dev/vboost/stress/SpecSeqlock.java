package dev.vboost.stress;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The seqlock exactly as spec §4.2 and §4.3 write it, with raw {@code VarHandle}s on a direct buffer and
 * one guest line: a model that jcstress checks independently of the implementation classes. Every field
 * of version {@code v} holds {@code v}, so a copy mixing two versions is visible in the result.
 */
public final class SpecSeqlock {
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final int SEQ = GuestSlotLayout.GUEST_SEQ_OFFSET;
    static final int REQUEST = GuestSlotLayout.REQUEST_OFFSET;
    static final int REASONS = GuestSlotLayout.REASONS_OFFSET;
    static final int REQUEST_ID = GuestSlotLayout.REQUEST_ID_OFFSET;
    static final int ACK = GuestSlotLayout.HOST_BOOST_ACK_OFFSET;

    private SpecSeqlock() {
    }

    /** One zeroed guest line (version 0, counter 0). */
    public static ByteBuffer newLine() {
        return ByteBuffer.allocateDirect(RegionLayout.LINE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writer steps W1..W4 publishing version {@code v}; {@code seq} is the writer's own even counter. */
    public static int write(ByteBuffer line, int seq, int v) {
        INT.setOpaque(line, SEQ, seq + 1);                 // W1: odd
        VarHandle.storeStoreFence();                       // W1: odd visible before any data store
        line.put(REQUEST, (byte) v);                       // W2: plain data
        INT.set(line, REASONS, v);
        LONG.set(line, REQUEST_ID, (long) v);
        LONG.set(line, ACK, (long) v);
        INT.setRelease(line, SEQ, seq + 2);                // W4: even, release; pairs with R1
        return seq + 2;
    }

    /**
     * One reader attempt R1..R5. Accepted: the four fields; rejected (odd or changed counter): all -1.
     */
    public static void readOnce(ByteBuffer line, IIII_Result r) {
        final int s1 = (int) INT.getAcquire(line, SEQ);   // R1: pairs with W4
        if ((s1 & 1) != 0) {                               // R2
            reject(r);
            return;
        }
        final int request = line.get(REQUEST);             // R3: plain copy
        final int reasons = (int) INT.get(line, REASONS);
        final long id = (long) LONG.get(line, REQUEST_ID);
        final long ack = (long) LONG.get(line, ACK);
        VarHandle.acquireFence();                          // R4: copy done before the re-check
        final int s2 = (int) INT.get(line, SEQ);           // R5
        if (s1 != s2) {
            reject(r);
            return;
        }
        r.r1 = request;
        r.r2 = reasons;
        r.r3 = (int) id;
        r.r4 = (int) ack;
    }

    public static void reject(IIII_Result r) {
        r.r1 = -1;
        r.r2 = -1;
        r.r3 = -1;
        r.r4 = -1;
    }
}

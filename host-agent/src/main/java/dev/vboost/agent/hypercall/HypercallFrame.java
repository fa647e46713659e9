package dev.vboost.agent.hypercall;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fixed-size little-endian frames of the hypercall socket (host-agent/README.md, "Socket frame").
 *
 * <pre>
 * request, 64 bytes                      response, 16 bytes
 *   0 u32 magic 0x43484256 "VBHC"          0 u32 magic 0x52484256 "VBHR"
 *   4 u16 version 1                        4 u16 version 1
 *   6 u16 VM index                         6 u16 status (STATUS_*)
 *   8 u64 nr                               8 s64 ret (RAX)
 *  16 u64 args[0..5]
 * </pre>
 */
public final class HypercallFrame {
    /** Bytes in a request frame. */
    public static final int REQUEST_SIZE = 64;
    /** Bytes in a response frame. */
    public static final int RESPONSE_SIZE = 16;
    /** Request magic at offset 0: {@code "VBHC"} read as a little-endian u32. */
    public static final int REQUEST_MAGIC = 0x43484256;
    /** Response magic at offset 0: {@code "VBHR"} read as a little-endian u32. */
    public static final int RESPONSE_MAGIC = 0x52484256;
    /** Frame version at offset 4 of both frames; another value is {@link #STATUS_BAD_FRAME}. */
    public static final int VERSION = 1;

    /** The call was executed; {@code ret} is its result (which may be a negated KVM error). */
    public static final int STATUS_EXECUTED = 0;
    /** Bad magic or version: the frame was not understood; the server closes the connection. */
    public static final int STATUS_BAD_FRAME = 1;
    /** The VM index names no VM this server serves. */
    public static final int STATUS_UNKNOWN_VM = 2;

    private HypercallFrame() {
    }

    static ByteBuffer newRequestBuffer() {
        return ByteBuffer.allocate(REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer newResponseBuffer() {
        return ByteBuffer.allocate(RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Fills {@code b} with a request and flips it for writing.
     *
     * @param b    a little-endian buffer of at least {@link #REQUEST_SIZE} bytes
     * @param vm   VM index, 0..65535: which of the server's dispatchers handles it
     * @param nr   hypercall number, as in {@code kvm_run.hypercall.nr}
     * @param args exactly 6 arguments, as in {@code kvm_run.hypercall.args}
     * @return {@code b}, positioned at 0 with the frame's length as limit
     * @throws IllegalArgumentException if {@code args} is not 6 long or {@code vm} is out of range
     */
    public static ByteBuffer encodeRequest(ByteBuffer b, int vm, long nr, long[] args) {
        if (args.length != 6) {
            throw new IllegalArgumentException("a hypercall frame carries 6 arguments, got " + args.length);
        }
        if (vm < 0 || vm > 0xFFFF) {
            throw new IllegalArgumentException("VM index " + vm + " outside 0..65535");
        }
        b.clear();
        b.putInt(REQUEST_MAGIC).putShort((short) VERSION).putShort((short) vm).putLong(nr);
        for (long a : args) {
            b.putLong(a);
        }
        return b.flip();
    }

    /**
     * Fills {@code b} with a response and flips it for writing.
     *
     * @param b      a little-endian buffer of at least {@link #RESPONSE_SIZE} bytes
     * @param status one of the {@code STATUS_*} values
     * @param ret    the hypercall's result for {@code kvm_run.hypercall.ret}, meaningful with
     *               {@link #STATUS_EXECUTED}
     * @return {@code b}, positioned at 0 with the frame's length as limit
     */
    public static ByteBuffer encodeResponse(ByteBuffer b, int status, long ret) {
        b.clear();
        b.putInt(RESPONSE_MAGIC).putShort((short) VERSION).putShort((short) status).putLong(ret);
        return b.flip();
    }
}

package dev.vboost.agent.hypercall;

import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.KvmError;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers one complete request frame ({@link HypercallFrame}): a bad magic or version gets
 * {@link HypercallFrame#STATUS_BAD_FRAME}, a VM index without a dispatcher {@link HypercallFrame#STATUS_UNKNOWN_VM},
 * anything else is executed by the VM's dispatcher. Counts frames for the server's statistics.
 */
final class FrameRouter {
    private final List<HypercallDispatcher> dispatchers;
    final AtomicLong frames = new AtomicLong();
    final AtomicLong badFrames = new AtomicLong();

    FrameRouter(List<HypercallDispatcher> dispatchers) {
        this.dispatchers = List.copyOf(dispatchers);
    }

    /**
     * Encodes the answer to {@code in} into {@code out}.
     *
     * @return true if the connection is to be closed once the answer is written (a malformed frame)
     */
    boolean answer(ByteBuffer in, ByteBuffer out) {
        frames.incrementAndGet();
        int magic = in.getInt(0);
        int version = Short.toUnsignedInt(in.getShort(4));
        int vm = Short.toUnsignedInt(in.getShort(6));
        if (magic != HypercallFrame.REQUEST_MAGIC || version != HypercallFrame.VERSION) {
            badFrames.incrementAndGet();
            HypercallFrame.encodeResponse(out, HypercallFrame.STATUS_BAD_FRAME, KvmError.EINVAL.ret());
            return true;
        }
        if (vm >= dispatchers.size()) {
            HypercallFrame.encodeResponse(out, HypercallFrame.STATUS_UNKNOWN_VM, KvmError.EINVAL.ret());
            return false;
        }
        long nr = in.getLong(8);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = in.getLong(16 + 8 * i);
        }
        long ret = dispatchers.get(vm).dispatch(new HypercallExit(nr, args, 0)).ret();
        HypercallFrame.encodeResponse(out, HypercallFrame.STATUS_EXECUTED, ret);
        return false;
    }
}

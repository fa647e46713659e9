package dev.vboost.tools.demo;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The guest side of dynamic mode, around each tick: acknowledge the host's timer boost, request a boost for
 * the tick's RT work (no exit, as in the RFC), and after the work release it and take the NOTIFY exit so the
 * host unboosts at once (spec §5.3, §5.4, §5.5). The hypercall travels as its {@code KVM_EXIT_HYPERCALL}
 * image (nr, args[6]; little-endian u64s) over a local socket, posted like an ioeventfd doorbell: the guest
 * does not wait for {@code ret}. Allocation-free per tick.
 */
final class GuestProtocolHooks implements TickHooks {
    private final GuestEndpoint guest;
    private final int slot;
    private final SocketChannel hypercalls;
    private final SchedPolicy policy;
    private final int priority;
    private final HostSlotSnapshot hostState = new HostSlotSnapshot();
    private final ByteBuffer exit = ByteBuffer.allocateDirect(8 * (1 + HypercallNumbers.EXIT_ARG_COUNT))
            .order(ByteOrder.LITTLE_ENDIAN);
    private long lastAcked;
    private int notifyFlags;

    private GuestProtocolHooks(GuestEndpoint guest, int slot, SocketChannel hypercalls, SchedPolicy policy,
            int priority) {
        this.guest = guest;
        this.slot = slot;
        this.hypercalls = hypercalls;
        this.policy = policy;
        this.priority = priority;
    }

    static TickHooks open(Path region, int slot, Path socket, int priority, String policyName) throws IOException {
        SchedPolicy policy = SchedPolicy.valueOf(policyName);
        GuestEndpoint guest = RegionFactory.attachGuest(region);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new GuestProtocolHooks(guest, slot, ch, policy, priority);
    }

    @Override
    public void tickStart() {
        notifyFlags = HypercallNumbers.NOTIFY_REQUEST;
        if (guest.readHostState(slot, hostState) == ReadStatus.OK && hostState.validate() == WireError.NONE) {
            long id = hostState.hostBoostId();
            if (id != 0 && id != lastAcked) {
                guest.acknowledgeHostBoost(slot, id);
                lastAcked = id;
                notifyFlags |= HypercallNumbers.NOTIFY_HOST_BOOST_ACK;
            }
        }
        guest.requestBoost(slot, policy, priority, 0, BoostReason.RT_TASK.bit());
    }

    @Override
    public void tickEnd() {
        guest.release(slot);
        exit.clear();
        exit.putLong(HypercallNumbers.NOTIFY);
        exit.putLong(slot);
        exit.putLong(notifyFlags);
        for (int i = 2; i < HypercallNumbers.EXIT_ARG_COUNT; i++) {
            exit.putLong(0);
        }
        exit.flip();
        try {
            while (exit.hasRemaining()) {
                hypercalls.write(exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("NOTIFY hypercall failed", e);
        }
    }

    @Override
    public void close() {
        guest.detach();
        try {
            hypercalls.close();
        } catch (IOException e) {
            // the host may have gone first
        }
    }
}

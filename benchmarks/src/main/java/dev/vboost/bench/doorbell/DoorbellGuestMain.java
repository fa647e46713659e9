package dev.vboost.bench.doorbell;

import dev.vboost.agent.ivshmem.IvshmemPeer;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.Doorbell;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The guest process of {@link DoorbellBench}'s round trip: attaches to the region file (in doorbell mode also
 * connects to the agent's ivshmem server, as QEMU would, and rings the host's eventfd after each publication),
 * then alternates request and release on slot 0, timing each from the call to the acknowledgement seen.
 *
 * <p>The guest waits with {@link GuestEndpoint#awaitActed} (the SDK's wait: spins, then yields, then parks with
 * a back-off) or, with WAIT {@code spin}, by reading its host line in a busy loop, which separates the agent's
 * latency from the cost of the guest's own wake-up.
 *
 * <p>Arguments: REGION SOCKET|- WARMUP ROUNDS GAP_US await|spin. Prints {@code guest rounds=.. p50_us=.. p99_us=..
 * max_us=.. timeouts=..}.
 */
public final class DoorbellGuestMain {
    private DoorbellGuestMain() {
    }

    private static boolean spinUntilActed(GuestEndpoint guest, long id, HostSlotSnapshot seen) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        do {
            if (guest.readHostState(0, seen) == dev.vboost.api.ReadStatus.OK && seen.actedRequestId() >= id) {
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - end < 0);
        return false;
    }

    public static void main(String[] args) throws Exception {
        Path region = Path.of(args[0]);
        String socket = args[1];
        int warmup = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long gapNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[4]));
        boolean spin = args[5].equals("spin");
        IvshmemPeer peer = socket.equals("-") ? null : IvshmemPeer.connect(Path.of(socket), 1, 10_000);
        Doorbell bell = peer == null ? Doorbell.NONE : peer.doorbell(0);
        try (MappedRegionFile file = MappedRegionFile.open(region)) {
            GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, bell);
            HostSlotSnapshot seen = new HostSlotSnapshot();
            long[] samples = new long[rounds];
            int timeouts = 0;
            for (int i = -warmup; i < rounds; i++) {
                LockSupport.parkNanos(gapNanos);
                long t0 = System.nanoTime();
                long id = (i & 1) == 0 ? guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit())
                        : guest.release(0);
                boolean acted = spin ? spinUntilActed(guest, id, seen)
                        : guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(1), seen);
                long t = System.nanoTime() - t0;
                if (i >= 0) {
                    samples[i] = t;
                    timeouts += acted ? 0 : 1;
                }
            }
            guest.detach();
            System.out.println("guest " + Percentiles.line(samples) + " timeouts=" + timeouts);
        } finally {
            if (peer != null) {
                peer.close();
            }
        }
    }
}

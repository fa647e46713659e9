package dev.vboost.hardening.adversarial;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.hardening.support.RawGuestLine;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * A guest in its own JVM for {@link GuestKilledMidWriteTest}. Arguments: {@code <region file> <mode> <slots>}.
 * <ul>
 *   <li>{@code die-mid-write}: attaches, gets a boost on slot 0 acknowledged, then begins a seqlock write
 *       (W1: counter odd) and never finishes it; prints {@code MIDWRITE <seq>} and waits to be killed.</li>
 *   <li>{@code reattach}: attaches (taking over lines a dead guest left), boosts and releases every slot,
 *       printing {@code ACKED <slot> <status>} for each, then {@code DONE}.</li>
 * </ul>
 * Exit status 1 with the reason on stderr if anything is not acknowledged within 5 s.
 */
public final class GuestChild {
    private GuestChild() {
    }

    public static void main(String[] args) throws Exception {
        MappedRegionFile file = MappedRegionFile.open(Paths.get(args[0]));
        String mode = args[1];
        int slots = Integer.parseInt(args[2]);
        GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(10));
        System.out.println("ATTACHED generation " + guest.hostHeader().hostGeneration());
        HostSlotSnapshot seen = new HostSlotSnapshot();
        if (mode.equals("die-mid-write")) {
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.RT_TASK.bit());
            require(guest.awaitActed(0, id, 5_000_000_000L, seen), "boost " + id + " not acted on");
            System.out.println("ACKED 0 " + seen.status() + " " + seen.denial());
            RawGuestLine line = new RawGuestLine(file.memory(), 0);
            int odd = line.seq() + 1;
            line.seq(odd);                              // W1 of a write that never reaches W4
            System.out.println("MIDWRITE " + odd);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        } else if (mode.equals("reattach")) {
            for (int slot = 0; slot < slots; slot++) {
                long id = guest.requestBoost(slot, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                require(guest.awaitActed(slot, id, 5_000_000_000L, seen), "slot " + slot + " boost " + id + " not acted on");
                System.out.println("ACKED " + slot + " " + seen.status() + " id " + id);
                long r = guest.release(slot);
                require(guest.awaitActed(slot, r, 5_000_000_000L, seen), "slot " + slot + " release not acted on");
            }
            guest.detach();
            System.out.println("DONE");
        } else {
            System.err.println("unknown mode " + mode);
            System.exit(2);
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            System.err.println(what);
            System.exit(1);
        }
    }
}

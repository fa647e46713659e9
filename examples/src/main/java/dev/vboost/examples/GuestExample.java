package dev.vboost.examples;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The guest half of the README's example, run in another JVM than {@link HostExample}: attaches to the region
 * file, asks for a boost of vCPU 0 while it has latency-sensitive work, releases it, and detaches. Prints what
 * the host granted; exits 1 if the host did not answer in time.
 */
public final class GuestExample {
    private GuestExample() {
    }

    /**
     * Runs the guest.
     *
     * @param args the region file {@link HostExample} created
     * @throws Exception if the region cannot be mapped or attached
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: GuestExample REGION_FILE");
            System.exit(2);
        }
        System.exit(run(Path.of(args[0])));
    }

    static int run(Path regionFile) throws Exception {
        int vcpu = 0;
        long answerTimeout = TimeUnit.MILLISECONDS.toNanos(200);  // an agent polling every 1 ms answers well within
        try (MappedRegionFile file = MappedRegionFile.open(regionFile);
             GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(5))) {
            long id = guest.requestBoost(vcpu, SchedPolicy.FIFO, 10, 0, BoostReason.IRQ.bit());
            HostSlotSnapshot granted = new HostSlotSnapshot();   // reusable: the read paths allocate nothing
            if (!guest.awaitActed(vcpu, id, answerTimeout, granted)) {
                System.out.println("guest: no answer to request " + id + " in time");
                return 1;
            }
            System.out.println("guest: request " + id + " -> " + granted.status() + " " + granted.policy() + " "
                    + granted.priority() + ", denial " + granted.denial());
            // ... the latency-sensitive work runs here, boosted ...
            long releaseId = guest.release(vcpu);
            if (!guest.awaitActed(vcpu, releaseId, answerTimeout, granted)) {
                System.out.println("guest: no answer to release " + releaseId + " in time");
                return 1;
            }
            System.out.println("guest: released -> " + granted.status());
            return 0;
        }   // closing the endpoint detaches the guest (spec §5.8), closing the file forgets the mapping
    }
}

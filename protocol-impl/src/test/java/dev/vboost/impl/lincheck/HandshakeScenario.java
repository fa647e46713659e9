package dev.vboost.impl.lincheck;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;

/**
 * The operations Lincheck generates scenarios from: the guest and host endpoints of one slot over a fresh
 * region per instance. Guest operations run in one thread (a vCPU owns its slot),
 * host operations in another (one host thread per endpoint), as the role interfaces require.
 *
 * <p>The host's "act on a request" is split into {@link #hostReads()} and {@link #hostActs()} because it is two
 * steps in the protocol too: the host reads the guest line, then publishes what it did. Lincheck assumes
 * sequential consistency, so it finds interleaving bugs in the handshake, not missing fences; the fences are
 * covered by the step tests and the threaded handshake test.
 */
@Param(name = "prio", gen = IntGen.class, conf = "1:3")
@Param(name = "ack", gen = LongGen.class, conf = "1:3")
public class HandshakeScenario {
    private static final int SLOT = 0;

    /** The size of the one-slot region each scenario instance runs over. */
    public static final int REGION_SIZE = (int) RegionLayout.regionSize(1);

    final SharedMemory memory;
    final HostEndpoint host;
    private final GuestEndpoint guest;
    // guest-thread state
    private final HostSlotSnapshot hostLine = new HostSlotSnapshot();
    // host-thread state
    private final GuestSlotSnapshot guestLine = new GuestSlotSnapshot();
    final HostSlotSnapshot toPublish = new HostSlotSnapshot();
    long seenId;
    boolean seenBoost;
    long hostBoostId;

    /** Lincheck's constructor: the scenario over the default backend. */
    public HandshakeScenario() {
        this(ByteBufferSharedMemory.allocateDirect(REGION_SIZE));
    }

    /**
     * The scenario over {@code memory} (zeroed, {@link #REGION_SIZE} bytes): another backend's subclass passes its
     * own memory from a public no-argument constructor, which Lincheck calls once per scenario run.
     */
    protected HandshakeScenario(SharedMemory memory) {
        this.memory = memory;
        this.host = Regions.createHost(memory, new HostRegionConfig(1, Feature.DEFINED_MASK, 10, 1000));
        this.guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
    }

    static String hostLine(String status, long acted, long hostBoostId) {
        return status + " acted=" + acted + " hb=" + hostBoostId;
    }

    static String guestLine(String request, int priority, long id, long ack) {
        return request + "/" + priority + " id=" + id + " ack=" + ack;
    }

    @Operation(nonParallelGroup = "guest")
    public long boost(@Param(name = "prio") int prio) {
        return guest.requestBoost(SLOT, SchedPolicy.FIFO, prio, 0, 1);
    }

    @Operation(nonParallelGroup = "guest")
    public long release() {
        return guest.release(SLOT);
    }

    @Operation(nonParallelGroup = "guest")
    public void ack(@Param(name = "ack") long id) {
        guest.acknowledgeHostBoost(SLOT, id);
    }

    @Operation(nonParallelGroup = "guest")
    public String guestReads() {
        // BUSY only means the host was mid-write; the model has no such state, so read until consistent
        for (int i = 0; i < 1_000_000; i++) {
            ReadStatus s = guest.readHostState(SLOT, hostLine);
            if (s == ReadStatus.OK) {
                return hostLine(hostLine.status().name(), hostLine.actedRequestId(), hostLine.hostBoostId());
            }
            if (s == ReadStatus.INVALID) {
                return "INVALID " + hostLine;
            }
        }
        return "BUSY";
    }

    @Operation(nonParallelGroup = "host")
    public String hostReads() {
        for (int i = 0; i < 1_000_000; i++) {
            ReadStatus s = host.readRequest(SLOT, guestLine);
            if (s == ReadStatus.OK) {
                seenId = guestLine.requestId();
                seenBoost = guestLine.request() == dev.vboost.api.wire.BoostRequest.BOOST;
                return guestLine(guestLine.request().name(), guestLine.priority(), guestLine.requestId(),
                        guestLine.hostBoostAck());
            }
            if (s == ReadStatus.INVALID) {
                return "INVALID " + guestLine;
            }
        }
        return "BUSY";
    }

    @Operation(nonParallelGroup = "host")
    public void hostActs() {
        toPublish.set(seenBoost ? SlotStatus.BOOSTED : SlotStatus.NORMAL, seenBoost ? SchedPolicy.FIFO : SchedPolicy.NORMAL,
                seenBoost ? 1 : 0, DenialReason.NONE, 0, 0, seenId, hostBoostId);
        host.publishState(SLOT, toPublish);
    }

    @Operation(nonParallelGroup = "host")
    public long hostBoost() {
        hostBoostId = host.startHostBoost(SLOT, HostBoostFlag.IRQ_INJECTED.bit(), SchedPolicy.FIFO, 5);
        return hostBoostId;
    }
}

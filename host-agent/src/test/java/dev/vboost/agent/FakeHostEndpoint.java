package dev.vboost.agent;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory host endpoint for agent tests: the test plays the guest by writing slot lines; the agent's
 * publications are recorded. Single-threaded like the real one (the agent thread, or the test thread
 * driving {@code runOnce}); the guest-side methods are synchronized so a test thread may write while an
 * agent thread runs.
 */
public final class FakeHostEndpoint implements HostEndpoint {
    private final int slots;
    private final long generation;
    private final int[] seq;
    private final int[] seen;
    private final long[][] guest; // request, policy, priority, nice, reasons, requestId, ack
    private final int[] busyReads;
    private final HostSlotSnapshot[] published;
    private final List<String> history = new ArrayList<>();
    private long hostBoostIds;
    private boolean disabled;
    private boolean blind;
    private volatile boolean attached = true;
    private volatile long accepted = dev.vboost.api.wire.Feature.DEFINED_MASK;

    public FakeHostEndpoint(int slots, long generation) {
        this.slots = slots;
        this.generation = generation;
        this.seq = new int[slots];
        this.seen = new int[slots];
        this.guest = new long[slots][7];
        this.busyReads = new int[slots];
        this.published = new HostSlotSnapshot[slots];
        for (int i = 0; i < slots; i++) {
            published[i] = new HostSlotSnapshot().set(SlotStatus.NORMAL, SchedPolicy.NORMAL, 0, DenialReason.NONE, 0, 0, 0, 0);
        }
    }

    /** Guest side: writes slot's guest line (counter +2, as a completed seqlock write). */
    public synchronized void writeGuest(int slot, int request, int policy, int priority, int nice, int reasons,
            long requestId, long ack) {
        guest[slot] = new long[] {request, policy, priority, nice, reasons, requestId, ack};
        seq[slot] += 2;
    }

    /** The next {@code n} reads of the slot report BUSY. */
    public synchronized void busyFor(int slot, int n) {
        busyReads[slot] = n;
    }

    /** While blind, {@link #pollChangedSlots} reports nothing: only a NOTIFY can bring a change to the agent. */
    public synchronized void blind(boolean b) {
        blind = b;
    }

    public synchronized HostSlotSnapshot published(int slot) {
        HostSlotSnapshot p = published[slot];
        return new HostSlotSnapshot().set(p.seq(), p.statusCode(), p.policyCode(), p.priority(), p.denialCode(),
                p.hostBoostFlags(), p.budgetRemainingUs(), p.actedRequestId(), p.hostBoostId());
    }

    public synchronized List<String> history() {
        return new ArrayList<>(history);
    }

    public synchronized boolean isDisabled() {
        return disabled;
    }

    @Override
    public int slotCount() {
        return slots;
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public synchronized int pollChangedSlots(int[] dst) {
        if (blind) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < slots && n < dst.length; i++) {
            if (seq[i] != seen[i]) {
                seen[i] = seq[i];
                dst[n++] = i;
            }
        }
        return n;
    }

    @Override
    public synchronized ReadStatus readRequest(int slot, GuestSlotSnapshot dst) {
        if (busyReads[slot] > 0) {
            busyReads[slot]--;
            return ReadStatus.BUSY;
        }
        long[] g = guest[slot];
        dst.set(seq[slot], (int) g[0], (int) g[1], (int) g[2], (int) g[3], (int) g[4], g[5], g[6]);
        return dst.validate() == WireError.NONE ? ReadStatus.OK : ReadStatus.INVALID;
    }

    @Override
    public GuestHeader readGuestHeader() {
        return null;
    }

    private volatile @org.checkerframework.checker.nullness.qual.Nullable Runnable afterHeaderRead;
    private volatile WireError headerError = WireError.NONE;

    @Override
    public boolean guestAttached() {
        boolean answer = attached;
        Runnable r = afterHeaderRead;
        if (r != null) {
            afterHeaderRead = null;
            r.run(); // the guest acts right after the host read its header
        }
        return answer;
    }

    /** Runs {@code r} once, right after the next guest-header read took its answer. */
    public void afterNextHeaderRead(Runnable r) {
        afterHeaderRead = r;
    }

    /** Guest side: the guest header fails this check (and is not attached), or NONE. */
    public void headerError(WireError e) {
        headerError = e;
        if (e != WireError.NONE) {
            attached = false;
        }
    }

    /** Guest side: whether the guest header passes (default true). */
    public void attached(boolean a) {
        attached = a;
    }

    /** Guest side: the features the guest accepted (default all). */
    public void accepted(long features) {
        accepted = features;
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void publishReady() {
    }

    @Override
    public long acceptedFeatures() {
        return accepted;
    }

    @Override
    public WireError guestHeaderError() {
        return headerError;
    }

    @Override
    public synchronized void publishState(int slot, HostSlotSnapshot s) {
        if (s.hostBoostId() < published[slot].hostBoostId()) {
            throw new IllegalArgumentException("host boost id goes back");
        }
        published[slot].set(published[slot].seq() + 2, s.statusCode(), s.policyCode(), s.priority(), s.denialCode(),
                s.hostBoostFlags(), s.budgetRemainingUs(), s.actedRequestId(), s.hostBoostId());
        history.add(slot + ":" + s.status() + "/" + s.denial() + "/" + s.policy() + "/" + s.priority() + "/acted="
                + s.actedRequestId());
    }

    @Override
    public synchronized void lastPublished(int slot, HostSlotSnapshot dst) {
        HostSlotSnapshot p = published[slot];
        dst.set(p.seq(), p.statusCode(), p.policyCode(), p.priority(), p.denialCode(), p.hostBoostFlags(),
                p.budgetRemainingUs(), p.actedRequestId(), p.hostBoostId());
    }

    @Override
    public synchronized long startHostBoost(int slot, int flags, SchedPolicy policy, int priority) {
        long id = Math.max(hostBoostIds, published[slot].hostBoostId()) + 1;
        hostBoostIds = id;
        HostSlotSnapshot p = published[slot];
        p.set(p.seq() + 2, SlotStatus.BOOSTED.code(), policy.code(), priority, 0, flags, p.budgetRemainingUs(),
                p.actedRequestId(), id);
        history.add(slot + ":HOSTBOOST/" + id);
        return id;
    }

    @Override
    public synchronized void disable() {
        disabled = true;
    }

    /** As the real endpoint's; not an override before protocol-impl lands the method in the interface. */
    public void restart() {
    }

    @Override
    public void close() {
        disable();
    }
}

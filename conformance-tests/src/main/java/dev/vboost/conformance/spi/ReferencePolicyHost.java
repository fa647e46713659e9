package dev.vboost.conformance.spi;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.Feature;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host's behaviour (spec §5.3 HA1..HA5, §5.5 HB1..HB3, §5.6, §5.8, §8) on top of any {@link HostEndpoint}: a
 * self-contained reference for JVM providers whose endpoint publishes but does not decide. It keeps every decision
 * input private (§8.10: it never reads its own host lines), takes time only from {@link #tick} (§8.8) and
 * applies attributes to one simulated thread per slot, logging each change before its publication. The C
 * reference testee (conformance-tests/src/main/c/vboost_policy.c) does the same, step for step.
 */
public final class ReferencePolicyHost implements PolicyHost {
    private static final int NORMAL_POLICY = 0;
    private static final int STATUS_NORMAL = 1;
    private static final int STATUS_BOOSTED = 2;
    private static final int STATUS_THROTTLED = 3;
    private static final int DENIAL_NONE = 0;
    private static final int REASON_NOT_ALLOWED = 1;
    private static final int BUDGET_EXHAUSTED = 2;
    private static final int RATE_LIMITED = 3;
    private static final int INVALID_REQUEST = 5;
    private static final int EXPIRED = 7;
    private static final long HOST_BOOST = 1;
    private static final long BUDGET_REPORT = 4;
    private static final long NICE_HINTS = 8;

    /** One slot's private state. */
    private static final class Slot {
        int[] original = {NORMAL_POLICY, 0, 0};
        int[] current = {NORMAL_POLICY, 0, 0};
        int[] guestAttr = {NORMAL_POLICY, 0, 0};
        int[] hostAttr = {NORMAL_POLICY, 0, 0};
        long acted;
        long hostBoostId;
        boolean guestBoost;
        boolean hostBoost;
        boolean throttled;
        long guestStart;
        long hostStart;
        int hostFlags;
        long budgetUsed;
        long windowStart;
        long rateStart;
        int rateCount;
        final Map<String, Long> counters = new LinkedHashMap<>(Map.of());

        Slot() {
            for (String k : new String[] {"busy", "ignored", "invalid", "acks_out_of_range", "id_jumps"}) {
                counters.put(k, 0L);
            }
        }

        void count(String k) {
            counters.merge(k, 1L, Long::sum);
        }
    }

    private final HostEndpoint host;
    private final HostSettings settings;
    private final HostPolicy policy;
    private final Slot[] slots;
    private final GuestSlotSnapshot line = new GuestSlotSnapshot();
    private final HostSlotSnapshot out = new HostSlotSnapshot();
    private final StringBuilder actions = new StringBuilder();
    private long now;
    private long accepted;

    /**
     * A reference host over an endpoint that only publishes.
     *
     * @param host the endpoint whose lines it reads and publishes
     * @param settings the header limits the region was created with
     * @param policy the per-VM policy to enforce
     */
    public ReferencePolicyHost(HostEndpoint host, HostSettings settings, HostPolicy policy) {
        this.host = host;
        this.settings = settings;
        this.policy = policy;
        this.slots = new Slot[host.slotCount()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
            // §5.9: a fresh host acts only on ids after the one standing in the guest line
            if (host.readRequest(i, line) == ReadStatus.OK) {
                slots[i].acted = line.requestId();
            }
        }
    }

    private void log(String verb, int slot) {
        actions.append(actions.length() == 0 ? "" : ",").append(verb).append('@').append(slot);
    }

    private long bound() {
        return Math.min(policy.maxBoostUs(), Integer.toUnsignedLong(settings.maxBoostUs()));
    }

    /** §8.1: the guest's policy and priority are upper wishes. */
    private int[] clamp(int pol, int priority, int nice) {
        if (pol == NORMAL_POLICY) {
            return new int[] {pol, 0, nice};
        }
        int cap = Math.min(settings.prioCeiling(), policy.maxPriority());
        return new int[] {pol, Math.min(priority, cap), 0};
    }

    /** Applies what the slot's boosts call for (the original when none), then publishes (HA5, HB2, HB3, §5.6). */
    private void settle(int slot, int denial) {
        Slot s = slots[slot];
        int[] want = s.hostBoost ? s.hostAttr : s.guestBoost ? s.guestAttr : s.original;
        if (!Arrays.equals(want, s.current)) {
            log(Arrays.equals(want, s.original) ? "restore" : "apply", slot);
            s.current = want.clone();
        }
        int status = s.guestBoost || s.hostBoost ? STATUS_BOOSTED : s.throttled ? STATUS_THROTTLED : STATUS_NORMAL;
        long budget = (accepted & BUDGET_REPORT) != 0
                ? Math.min(policy.budgetUs() - Math.min(s.budgetUsed, policy.budgetUs()), 0xFFFF_FFFFL) : 0;
        out.set(0, status, s.current[0], s.current[1], denial, s.hostBoost ? s.hostFlags : 0, (int) budget, s.acted,
                s.hostBoostId);
        host.publishState(slot, out);
        log("publish", slot);
    }

    /** CG1..CG7 (§6.3): null when the header is busy, else whether the guest is validly attached. */
    private @Nullable Boolean checkGuest() {
        GuestHeader g = host.readGuestHeader();
        if (g == null) {
            return null;
        }
        boolean ok = g.attachState() == AttachState.ATTACHED
                && !Feature.hasUndefinedBits(g.acceptedFeatures(), g.guestAbiMinor()) // CG3 at the guest's minor
                && g.attachedGeneration() == host.generation()
                && g.guestAbiMajor() == RegionLayout.ABI_MAJOR
                && g.guestAbiMinor() <= RegionLayout.ABI_MINOR
                && (g.acceptedFeatures() & ~settings.hostFeatures()) == 0;
        accepted = ok ? g.acceptedFeatures() : 0;
        return ok;
    }

    private void endAll() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].guestBoost || slots[i].hostBoost) {
                slots[i].guestBoost = false;
                slots[i].hostBoost = false;
                settle(i, DENIAL_NONE);
            }
        }
    }

    private boolean rateAllows(Slot s) {
        if (now - s.rateStart >= policy.rateWindowUs()) {
            s.rateStart = now;
            s.rateCount = 0;
        }
        return s.rateCount < policy.rateLimit();
    }

    @Override
    public void setThread(int slot, int pol, int priority, int nice) {
        slots[slot].original = new int[] {pol, priority, nice};
        slots[slot].current = slots[slot].original.clone();
    }

    @Override
    public Outcome serve(int slot) {
        actions.setLength(0);
        Slot s = slots[slot];
        Boolean attached = checkGuest();
        if (attached == null) {
            s.count("busy");
            return Outcome.BUSY;
        }
        if (!attached) {
            endAll();
            return Outcome.DETACHED;
        }
        ReadStatus st = host.readRequest(slot, line); // HA1: one copy, acted on as a copy only
        if (st == ReadStatus.BUSY) {
            s.count("busy");
            return Outcome.BUSY;
        }
        long n = line.requestId();
        if (n < 0 || n < s.acted) { // HA2: invalid, or gone backwards: ignore and count, answer nothing
            s.count("ignored");
            return Outcome.IGNORED;
        }
        boolean ended = false;
        long ack = line.hostBoostAck();
        if (ack >= 0) { // HB3 by acknowledgement
            if (ack > s.hostBoostId) {
                s.count("acks_out_of_range");
            } else if (s.hostBoost && ack >= s.hostBoostId) {
                s.hostBoost = false;
                ended = true;
            }
        }
        if (n == s.acted) {
            if (!ended) {
                return Outcome.UNCHANGED;
            }
            settle(slot, DENIAL_NONE);
            return Outcome.ACTED;
        }
        if (n > s.acted + 1) {
            s.count("id_jumps");
        }
        s.acted = n;
        if (st != ReadStatus.OK) { // HA3
            s.count("invalid");
            s.guestBoost = false;
            settle(slot, INVALID_REQUEST);
            return Outcome.ACTED;
        }
        if (line.requestCode() != 1) { // §5.4: UNBOOST (or NONE) is never refused
            s.guestBoost = false;
            settle(slot, DENIAL_NONE);
            return Outcome.ACTED;
        }
        int denial = DENIAL_NONE; // HA4
        int pol = line.policyCode();
        if ((line.reasons() & policy.allowedReasons()) == 0 || (policy.allowedPolicies() & (1 << pol)) == 0
                || (pol == NORMAL_POLICY && (accepted & NICE_HINTS) == 0)) {
            denial = REASON_NOT_ALLOWED;
        } else if (s.budgetUsed >= policy.budgetUs()) {
            denial = BUDGET_EXHAUSTED;
            s.guestBoost = false;
            s.throttled = true;
        } else if (!rateAllows(s)) {
            denial = RATE_LIMITED;
        } else {
            s.rateCount++;
            s.guestBoost = true;
            s.guestStart = now;
            s.guestAttr = clamp(pol, line.priority(), line.nice());
        }
        settle(slot, denial); // HA5: apply, then publish
        return Outcome.ACTED;
    }

    @Override
    public long boost(int slot, int flags, int pol, int priority) {
        actions.setLength(0);
        Slot s = slots[slot];
        if (pol < 1 || pol > 2 || priority < 1) {
            return 0;
        }
        Boolean attached = checkGuest(); // §5.5: only when the attached guest accepted HOST_BOOST
        if (attached == null || !attached || (accepted & HOST_BOOST) == 0 || s.budgetUsed >= policy.budgetUs()
                || s.hostBoostId + 1 < 0) {
            return 0;
        }
        s.hostBoostId++; // HB1
        s.hostBoost = true;
        s.hostStart = now;
        s.hostFlags = flags & 0x1F;
        s.hostAttr = clamp(pol, priority, 0);
        s.throttled = false;
        settle(slot, DENIAL_NONE); // HB2
        return s.hostBoostId;
    }

    @Override
    public long hostBoostId(int slot) {
        return slots[slot].hostBoostId;
    }

    @Override
    public void tick(long elapsedUs) {
        actions.setLength(0);
        now += elapsedUs;
        long limit = bound();
        long hbLimit = Math.min(limit, policy.hostBoostTimeoutUs());
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            boolean changed = false;
            int denial = DENIAL_NONE;
            if (s.guestBoost || s.hostBoost) {
                s.budgetUsed += elapsedUs; // §8.3: boosted time on the host clock
                if (s.budgetUsed >= policy.budgetUs()) {
                    s.guestBoost = false;
                    s.hostBoost = false;
                    s.throttled = true;
                    denial = BUDGET_EXHAUSTED;
                    changed = true;
                }
            }
            if (s.guestBoost && now - s.guestStart >= limit) { // §5.6, from the grant's application
                s.guestBoost = false;
                denial = EXPIRED;
                changed = true;
            }
            if (s.hostBoost && now - s.hostStart >= hbLimit) { // HB3 timeout
                s.hostBoost = false;
                denial = EXPIRED;
                changed = true;
            }
            if (now - s.windowStart >= policy.budgetWindowUs()) { // the budget window refills
                s.windowStart = now - (now - s.windowStart) % policy.budgetWindowUs();
                s.budgetUsed = 0;
                if (s.throttled && !changed) {
                    s.throttled = false;
                    changed = true;
                }
            }
            if (changed) {
                settle(i, denial);
            }
        }
    }

    @Override
    public int[] thread(int slot) {
        return slots[slot].current.clone();
    }

    @Override
    public Map<String, Long> counters(int slot) {
        return Map.copyOf(slots[slot].counters);
    }

    @Override
    public String actions() {
        return actions.toString();
    }
}

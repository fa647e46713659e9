package dev.vboost.agent.stats;

import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import java.util.EnumMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A copy of one VM's counters, taken by {@code HostAgent.counters(String)}. Counts follow spec §8.12.
 *
 * @param vm                the VM's name, as it was registered with the agent
 * @param granted           guest boosts granted (the thread was raised)
 * @param grantedByReason   grants per {@link BoostReason} bit index (a request with two reasons counts twice)
 * @param denied            guest boost requests refused, all causes (includes invalid lines and actuator failures)
 * @param deniedByCause     refusals per {@link DenialReason} code
 * @param expired           boosts ended by the host at their longest duration
 * @param throttled         boosts ended by the host when the window's budget ran out
 * @param released          boosts ended by the guest
 * @param joined            boost requests that arrived while already boosted
 * @param invalid           guest lines that broke a rule
 * @param hostGranted       host-initiated boosts started
 * @param hostDenied        host-initiated boosts refused
 * @param hostAcked         host boosts ended by the guest's acknowledgement
 * @param hostTimedOut      host boosts ended by their own timeout
 * @param actuatorFailures  actuator calls that failed (permission, vanished thread, ...)
 * @param busyReads         guest lines that stayed busy for a whole bounded read
 * @param boostedNanos      total boosted time of ended boosts
 * @param notifies          NOTIFY hypercalls received
 * @param invalidIds        guest lines ignored because their request id was not a valid id (spec §5.3 HA2, T7)
 * @param idsBackwards      guest lines ignored because their request id went below the acted id (HA2, T5)
 * @param idJumps           requests whose id skipped ids (accepted, HA2, T6)
 * @param acksOutOfRange    host-boost acknowledgements above the newest host boost id, ignored (§5.5)
 * @param guestHeaderErrors guest headers that failed CG1..CG7 (the guest was treated as detached, §6.6)
 */
public record VmCounters(String vm, long granted, long[] grantedByReason, long denied, long[] deniedByCause,
        long expired, long throttled, long released, long joined, long invalid, long hostGranted, long hostDenied,
        long hostAcked, long hostTimedOut, long actuatorFailures, long busyReads, long boostedNanos, long notifies, long invalidIds,
        long idsBackwards, long idJumps, long acksOutOfRange, long guestHeaderErrors) {

    /**
     * Copies the arrays: the record stays immutable.
     *
     * @param vm see the record component
     * @param granted see the record component
     * @param grantedByReason see the record component
     * @param denied see the record component
     * @param deniedByCause see the record component
     * @param expired see the record component
     * @param throttled see the record component
     * @param released see the record component
     * @param joined see the record component
     * @param invalid see the record component
     * @param hostGranted see the record component
     * @param hostDenied see the record component
     * @param hostAcked see the record component
     * @param hostTimedOut see the record component
     * @param actuatorFailures see the record component
     * @param busyReads see the record component
     * @param boostedNanos see the record component
     * @param notifies see the record component
     * @param invalidIds see the record component
     * @param idsBackwards see the record component
     * @param idJumps see the record component
     * @param acksOutOfRange see the record component
     * @param guestHeaderErrors see the record component
     */
    public VmCounters {
        grantedByReason = grantedByReason.clone();
        deniedByCause = deniedByCause.clone();
    }

    /**
     * Grants per reason.
     *
     * @return grants per {@link BoostReason} bit index, a copy
     */
    @Override
    public long[] grantedByReason() {
        return grantedByReason.clone();
    }

    /**
     * Refusals per cause.
     *
     * @return refusals per {@link DenialReason} code, a copy
     */
    @Override
    public long[] deniedByCause() {
        return deniedByCause.clone();
    }

    /**
     * Grants that named a reason.
     *
     * @param reason the reason
     * @return how many grants named it
     */
    public long grantedFor(BoostReason reason) {
        return grantedByReason[reason.bitIndex()];
    }

    /**
     * Refusals for a cause.
     *
     * @param cause the denial reason
     * @return how many requests were refused for it
     */
    public long deniedFor(DenialReason cause) {
        int code = cause.code();
        return code >= 0 && code < deniedByCause.length ? deniedByCause[code] : 0;
    }

    /**
     * Grants per reason as a map; allocates.
     *
     * @return reason to count, every reason present
     */
    public Map<BoostReason, Long> grantedByReasonMap() {
        Map<BoostReason, Long> m = new EnumMap<>(BoostReason.class);
        for (BoostReason r : BoostReason.values()) {
            m.put(r, grantedByReason[r.bitIndex()]);
        }
        return m;
    }

    /**
     * Refusals per cause as a map; allocates.
     *
     * @return cause to count, causes with a count only
     */
    public Map<DenialReason, Long> deniedByCauseMap() {
        Map<DenialReason, Long> m = new EnumMap<>(DenialReason.class);
        for (DenialReason d : DenialReason.values()) {
            long n = deniedFor(d);
            if (n > 0) {
                m.put(d, n);
            }
        }
        return m;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof VmCounters && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "VmCounters{vm=" + vm + ", granted=" + granted + " " + grantedByReasonMap() + ", denied=" + denied + " "
                + deniedByCauseMap() + ", expired=" + expired + ", throttled=" + throttled + ", released=" + released
                + ", joined=" + joined + ", invalid=" + invalid + ", hostGranted=" + hostGranted + ", hostDenied="
                + hostDenied + ", hostAcked=" + hostAcked + ", hostTimedOut=" + hostTimedOut + ", actuatorFailures="
                + actuatorFailures + ", busyReads=" + busyReads + ", boostedNanos=" + boostedNanos + ", notifies="
                + notifies + ", invalidIds=" + invalidIds + ", idsBackwards=" + idsBackwards + ", idJumps=" + idJumps
                + ", acksOutOfRange=" + acksOutOfRange + ", guestHeaderErrors=" + guestHeaderErrors + "}";
    }
}

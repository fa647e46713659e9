package dev.vboost.tools.demo;

/**
 * Where dynamic mode's boosted time went, over the measured window: who started the boosts, and per boost when
 * the vCPU thread was raised, when the guest finished its tick's work, and when the agent put it back, each
 * relative to the tick's deadline (mean microseconds, the timer's boosts), and the guest's own boosts.
 *
 * @param guestGranted     boosts the guest requested and the agent granted
 * @param hostGranted      boosts the agent started on the VMM's timer (spec §5.5)
 * @param joined           guest requests that found the thread already boosted
 * @param boostedPerTick   boosted time per tick, µs
 * @param raisedBefore     mean time from the thread's raise to the tick's deadline, µs (negative: after it)
 * @param timerAdvance     mean advance the VMM fired its timer with, µs
 * @param guestDoneAfter   mean time from the deadline to the end of the tick's work (the guest's release or
 *                         acknowledgement), µs
 * @param restoredAfter    mean time from the deadline to the thread's restore, µs
 * @param restoredMedian   median of that, µs
 * @param hostThreadsShare CPU the agent thread and the hypercall socket's thread took on the measured CPU, 0..1
 * @param own              the guest's own requests for its critical sections
 * @param hostSplit        the host's side per boost ({@link BoostTimeline#hostSplit()}), one line for the console
 */
record BoostBreakdown(long guestGranted, long hostGranted, long joined, double boostedPerTick, double raisedBefore,
        double timerAdvance, double guestDoneAfter, double restoredAfter, double restoredMedian, double hostThreadsShare,
        OwnBoosts own, String hostSplit) {

    /** One line for the console. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "dynamic boosts: %d guest boosts granted, %d host (timer) boosts; "
                + "vCPU boosted %s us per tick: raised %s us before its tick (timer advance %s us), guest done %s us "
                + "after, restored %s us after (median %s); the host's agent and hypercall threads used %.1f%% of the CPU", guestGranted, hostGranted, DemoReport.fmt(boostedPerTick),
                DemoReport.fmt(raisedBefore), DemoReport.fmt(timerAdvance), DemoReport.fmt(guestDoneAfter),
                DemoReport.fmt(restoredAfter), DemoReport.fmt(restoredMedian), hostThreadsShare * 100);
    }
}

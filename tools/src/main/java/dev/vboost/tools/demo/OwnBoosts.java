package dev.vboost.tools.demo;

import java.util.Locale;

/**
 * Dynamic mode's own-request scenario over the measured window ({@link CriticalSections}): the critical sections
 * the guest entered, what the host answered its own requests with, how long after the request the boost was in
 * force (seen by the guest), and how long each boost a guest request started held the vCPU (seen by the host).
 *
 * @param perSecond    critical sections configured per second
 * @param entered      critical sections entered
 * @param granted      own requests granted (the vCPU boosted for the guest's request alone)
 * @param joined       own requests acted on while the timer's host boost held the vCPU
 * @param notGranted   own requests denied or not acted on
 * @param inForceP50   request → boost in force, median, µs (NaN without grants)
 * @param inForceP99   the same, 99th percentile, µs
 * @param inForceMax   the same, longest, µs
 * @param inForceMean  the same, mean, µs
 * @param boostedMean  mean length of the boosts a guest request started (host's actuator), µs
 */
record OwnBoosts(long perSecond, long entered, long granted, long joined, long notGranted, double inForceP50,
        double inForceP99, double inForceMax, double inForceMean, double boostedMean) {

    /** From the guest's {@code RESULT} line ({@link CriticalSections#summary()}) and the host's timeline. */
    static OwnBoosts parse(String resultLine, long perSecond, double boostedMean) {
        return new OwnBoosts(perSecond, DemoRunner.field(resultLine, "csEntered"),
                DemoRunner.field(resultLine, "csGranted"), DemoRunner.field(resultLine, "csJoined"),
                DemoRunner.field(resultLine, "csNotGranted"), micros(resultLine, "csInForceP50Ns"),
                micros(resultLine, "csInForceP99Ns"), micros(resultLine, "csInForceMaxNs"),
                micros(resultLine, "csInForceMeanNs"), boostedMean);
    }

    private static double micros(String line, String name) {
        long ns = DemoRunner.field(line, name);
        return ns < 0 ? Double.NaN : ns / 1e3;
    }

    /** One line for the console. */
    String describe() {
        return String.format(Locale.ROOT, "guest's own boosts (critical sections the host cannot foresee, %d/s): %d "
                + "entered, %d granted, in force %s us after the request (p99 %s, max %s), %d joined a timer boost, "
                + "%d not granted; each held the vCPU %s us", perSecond, entered, granted, DemoReport.fmt(inForceP50),
                DemoReport.fmt(inForceP99), DemoReport.fmt(inForceMax), joined, notGranted, DemoReport.fmt(boostedMean));
    }
}

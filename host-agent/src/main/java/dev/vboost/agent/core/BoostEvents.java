package dev.vboost.agent.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** JFR events of the host agent (category "vboost"). Record with {@code -XX:StartFlightRecording}. */
public final class BoostEvents {
    private BoostEvents() {
    }

    /** A boost was granted and the thread raised. */
    @Name("dev.vboost.BoostGranted")
    @Label("Boost Granted")
    @Category("vboost")
    @Description("A vCPU thread was raised to a real-time policy (guest request or host-initiated)")
    public static final class Granted extends Event {
        @Label("VM")
        public String vm = "";
        @Label("Slot")
        public int slot;
        @Label("Thread Id")
        public int tid;
        @Label("Policy")
        public String policy = "";
        @Label("Priority")
        public int priority;
        @Label("Reasons")
        @Description("Guest reason bits; 0 for a host-initiated boost")
        public int reasons;
        @Label("Host Initiated")
        public boolean hostInitiated;
    }

    /** A boost request was refused. */
    @Name("dev.vboost.BoostDenied")
    @Label("Boost Denied")
    @Category("vboost")
    public static final class Denied extends Event {
        @Label("VM")
        public String vm = "";
        @Label("Slot")
        public int slot;
        @Label("Cause")
        public String cause = "";
        @Label("Reasons")
        public int reasons;
        @Label("Host Initiated")
        public boolean hostInitiated;
    }

    /** The host ended a boost at its bound: longest duration, budget, or host-boost timeout. */
    @Name("dev.vboost.BoostExpired")
    @Label("Boost Expired")
    @Category("vboost")
    public static final class Expired extends Event {
        @Label("VM")
        public String vm = "";
        @Label("Slot")
        public int slot;
        @Label("Bound")
        @Description("EXPIRED (longest boost), BUDGET_EXHAUSTED or HOST_TIMEOUT")
        public String bound = "";
        @Label("Boost Length")
        @Timespan(Timespan.NANOSECONDS)
        public long boostNanos;
    }
}

/**
 * The README's "Getting started" as runnable code: {@code HostExample} (a host agent over a region file) and
 * {@code GuestExample} (a guest in another JVM). One {@code requires} is all a host application needs.
 */
module dev.vboost.examples {
    requires dev.vboost.agent;
}

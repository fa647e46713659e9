package dev.vboost.tools.demo;

import java.io.IOException;

/**
 * What the guest does around one tick of its latency-sensitive task. Vanilla and static modes do nothing;
 * dynamic mode asks the host for a boost through the region and releases it after the tick's work.
 */
interface TickHooks extends AutoCloseable {
    TickHooks NONE = new TickHooks() {
        @Override
        public void tickStart() {
        }

        @Override
        public void tickEnd() {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Called once the host is ready (START received), before the measured schedule begins.
     *
     * @throws IOException if the host's transport cannot be reached
     */
    default void connect() throws IOException {
    }

    /** The guest is running and its tick falls due within a few microseconds (its next background chunk). */
    default void tickSoon() {
    }

    /**
     * The guest enters a critical section it must not be preempted in ({@link CriticalSections}): dynamic mode
     * asks for its own boost and waits for the host's answer (a synchronous NOTIFY).
     *
     * @return what the host answered; {@link CriticalSections.Answer#NONE} where nothing is asked
     */
    default CriticalSections.Answer enterCritical() {
        return CriticalSections.Answer.NONE;
    }

    /** The critical section's work is done: dynamic mode releases the boost it asked for. */
    default void leaveCritical() {
    }

    /** The tick is due and noticed; its work starts next. */
    void tickStart();

    /** The tick's work is done; background work follows. */
    void tickEnd();

    /**
     * Counts for the parent's report, as {@code key=value} pairs separated by spaces.
     *
     * @return the counts, or "" for none
     */
    default String summary() {
        return "";
    }

    @Override
    void close();
}

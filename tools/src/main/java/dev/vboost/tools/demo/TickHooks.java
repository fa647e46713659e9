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

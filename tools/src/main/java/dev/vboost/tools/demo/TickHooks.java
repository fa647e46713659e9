package dev.vboost.tools.demo;

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

    /** The tick is due and noticed; its work starts next. */
    void tickStart();

    /** The tick's work is done; background work follows. */
    void tickEnd();

    @Override
    void close();
}

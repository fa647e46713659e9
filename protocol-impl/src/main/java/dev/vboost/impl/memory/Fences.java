package dev.vboost.impl.memory;

import java.lang.invoke.VarHandle;

/**
 * The two fences the seqlock steps need (spec §4.2 W1, §4.3 R4), behind an interface so a test memory can
 * record where they are issued. Production code uses {@link #JDK}, which calls {@link VarHandle} directly;
 * the call site stays monomorphic and inlines.
 */
public interface Fences {

    /** Plain {@link VarHandle} fences; what every backend gets unless its memory implements this interface. */
    Fences JDK = new Fences() {
    };

    /** Stores before the fence are not reordered with stores after it (W1: odd counter before the data). */
    default void storeStoreFence() {
        VarHandle.storeStoreFence();
    }

    /** Loads before the fence are not reordered with loads and stores after it (R4: data before the re-check). */
    default void acquireFence() {
        VarHandle.acquireFence();
    }

    /**
     * The fences to use with {@code memory}: the memory itself if it implements this interface, else {@link #JDK}.
     *
     * @param memory a region's memory
     * @return the fences to issue around its seqlock steps
     */
    static Fences of(Object memory) {
        return memory instanceof Fences ? (Fences) memory : JDK;
    }
}

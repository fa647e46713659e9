package dev.vboost.stress;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.ByteBufferSharedMemory;

/** Memory for the stress tests: the default backend, as users get it. */
final class StressMemory {
    private StressMemory() {
    }

    /** A zeroed region holding the header and slot 0 (the lines the tests use). */
    static SharedMemory oneSlotRegion() {
        return ByteBufferSharedMemory.allocateDirect(RegionLayout.SLOTS_OFFSET + RegionLayout.SLOT_SIZE);
    }
}

package dev.vboost.impl.line;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.junit.jupiter.api.Test;

/** Spec §5.9 H2: a re-initialised host line keeps its valid host_boost_id and clears the rest. */
class HostStateResetTest {
    private static final int SLOT = 1;
    private static final int BOOST_ID = RegionLayout.hostLineOffset(SLOT) + HostSlotLayout.HOST_BOOST_ID_OFFSET;
    private static final int ACTED = RegionLayout.hostLineOffset(SLOT) + HostSlotLayout.ACTED_REQUEST_ID_OFFSET;

    @Test
    void resetKeepsAValidHostBoostId() {
        ByteBufferSharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.publish(1, 1, 5, 0, 1, 100, 9, 42);
        new HostStateWriter(m, SLOT).reset(); // a restarted host's writer
        assertEquals(42, m.getLong(BOOST_ID), "host_boost_id must stay (§5.9 H2)");
        assertEquals(0, m.getLong(ACTED));
    }

    @Test
    void resetZeroesAnInvalidHostBoostId() {
        ByteBufferSharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
        m.putLong(BOOST_ID, -1L); // 2^64 - 1: not a valid id
        new HostStateWriter(m, SLOT).reset();
        assertEquals(0, m.getLong(BOOST_ID));
    }
}

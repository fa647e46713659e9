package dev.vboost.impl.line;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.junit.jupiter.api.Test;

/**
 * Spec §5.9 step 3 (H2): a re-initialised host line keeps its valid host_boost_id, takes the guest's current
 * request id as acted (pending requests are void) and clears the rest.
 */
class HostStateResetTest {
    private static final int SLOT = 1;
    private static final int BOOST_ID = RegionLayout.hostLineOffset(SLOT) + HostSlotLayout.HOST_BOOST_ID_OFFSET;
    private static final int ACTED = RegionLayout.hostLineOffset(SLOT) + HostSlotLayout.ACTED_REQUEST_ID_OFFSET;

    @Test
    void resetKeepsAValidHostBoostId() {
        ByteBufferSharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.publish(1, 1, 5, 0, 1, 100, 9, 42);
        new HostStateWriter(m, SLOT).reset(0); // a restarted host's writer, the guest line read no valid id
        assertEquals(42, m.getLong(BOOST_ID), "host_boost_id must stay (§5.9 H2)");
        assertEquals(0, m.getLong(ACTED));
    }

    @Test
    void resetZeroesAnInvalidHostBoostId() {
        ByteBufferSharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
        m.putLong(BOOST_ID, -1L); // 2^64 - 1: not a valid id
        new HostStateWriter(m, SLOT).reset(0);
        assertEquals(0, m.getLong(BOOST_ID));
    }

    @Test
    void resetActsAsIfOnTheGuestsCurrentRequest() {
        ByteBufferSharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
        HostStateWriter before = new HostStateWriter(m, SLOT);
        before.publish(1, 1, 5, 0, 0, 0, 9, 0); // the old host acted on 9; the guest has since asked 11
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.reset(11);
        assertEquals(11, m.getLong(ACTED), "§5.9 step 3: acted_request_id = the guest line's request_id");
        assertEquals(11, w.actedRequestId());
        assertEquals(0, m.getInt(RegionLayout.hostLineOffset(SLOT) + HostSlotLayout.HOST_SEQ_OFFSET) & 1);
        w.reset(-5); // not a valid id: nothing to take over
        assertEquals(0, m.getLong(ACTED));
    }
}

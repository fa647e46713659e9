package dev.vboost.api;

import dev.vboost.api.wire.RegionState;

/**
 * The host header, decoded (spec §3.2). Unsigned wire values are widened: u16 to int, u32 to long.
 *
 * @param magic          {@link dev.vboost.api.layout.RegionLayout#MAGIC} in a vboost region
 * @param abiMajor       the host's ABI major version
 * @param abiMinor       the host's ABI minor version
 * @param headerSize     size of both headers in bytes
 * @param slotSize       size of one slot in bytes
 * @param slotCount      number of slots
 * @param hostFeatures   the {@link dev.vboost.api.wire.Feature} bits offered
 * @param hostGeneration +1 at every (re)initialisation; 0 while not ready
 * @param regionState    NOT_READY, READY or DISABLED
 * @param prioCeiling    highest real-time priority the host grants
 * @param maxBoostUs     longest single boost in microseconds
 * @param regionSize     the region's size in bytes
 */
public record HostHeader(long magic, int abiMajor, int abiMinor, int headerSize, int slotSize, long slotCount,
        long hostFeatures, long hostGeneration, RegionState regionState, long prioCeiling, long maxBoostUs,
        long regionSize) {
}

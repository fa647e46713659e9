package dev.vboost.api;

import dev.vboost.api.wire.RegionState;

/**
 * The host header, decoded (spec §3.2). Unsigned wire values are widened: u16 to int, u32 to long.
 */
public record HostHeader(long magic, int abiMajor, int abiMinor, int headerSize, int slotSize, long slotCount,
        long hostFeatures, long hostGeneration, RegionState regionState, long prioCeiling, long maxBoostUs,
        long regionSize) {
}

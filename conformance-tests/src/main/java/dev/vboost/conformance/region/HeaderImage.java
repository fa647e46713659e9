package dev.vboost.conformance.region;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.RegionState;

/** Every host header field as raw values (spec §3.2), so the runner can write valid and broken headers. */
public record HeaderImage(int magic, int abiMajor, int abiMinor, int headerSize, int slotSize, int slotCount,
        long hostFeatures, int hostGeneration, int regionState, int prioCeiling, int maxBoostUs, long regionSize) {

    /** A valid READY header for {@code slots} slots. */
    public static HeaderImage valid(int slots, int generation, long features) {
        return new HeaderImage(RegionLayout.MAGIC, RegionLayout.ABI_MAJOR, RegionLayout.ABI_MINOR, RegionLayout.HEADER_SIZE,
                RegionLayout.SLOT_SIZE, slots, features, generation, RegionState.READY.code(), 50, 3000,
                RegionLayout.regionSize(slots));
    }

    public HeaderImage withMagic(int v) {
        return new HeaderImage(v, abiMajor, abiMinor, headerSize, slotSize, slotCount, hostFeatures, hostGeneration,
                regionState, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withAbi(int major, int minor) {
        return new HeaderImage(magic, major, minor, headerSize, slotSize, slotCount, hostFeatures, hostGeneration,
                regionState, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withGeometry(int header, int slot) {
        return new HeaderImage(magic, abiMajor, abiMinor, header, slot, slotCount, hostFeatures, hostGeneration,
                regionState, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withSlotCount(int v) {
        return new HeaderImage(magic, abiMajor, abiMinor, headerSize, slotSize, v, hostFeatures, hostGeneration,
                regionState, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withGeneration(int v) {
        return new HeaderImage(magic, abiMajor, abiMinor, headerSize, slotSize, slotCount, hostFeatures, v,
                regionState, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withState(int v) {
        return new HeaderImage(magic, abiMajor, abiMinor, headerSize, slotSize, slotCount, hostFeatures, hostGeneration,
                v, prioCeiling, maxBoostUs, regionSize);
    }

    public HeaderImage withRegionSize(long v) {
        return new HeaderImage(magic, abiMajor, abiMinor, headerSize, slotSize, slotCount, hostFeatures, hostGeneration,
                regionState, prioCeiling, maxBoostUs, v);
    }
}

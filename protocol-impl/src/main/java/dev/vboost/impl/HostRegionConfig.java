package dev.vboost.impl;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.Feature;

/**
 * What a host publishes in the header of a region it creates (spec §3.2).
 *
 * @param slotCount    vCPU slots, 1..{@value RegionLayout#MAX_SLOTS}
 * @param hostFeatures feature bits offered ({@link Feature}); only defined bits
 * @param prioCeiling  highest SCHED_FIFO/SCHED_RR priority granted, 1..{@value RegionLayout#PRIO_MAX}
 * @param maxBoostUs   longest single boost in microseconds, &gt; 0
 */
public record HostRegionConfig(int slotCount, long hostFeatures, int prioCeiling, int maxBoostUs) {

    /** RFC default for the longest single boost: 3 ms. */
    public static final int DEFAULT_MAX_BOOST_US = 3_000;

    /**
     * Checks every component.
     *
     * @param slotCount    vCPU slots, 1..{@value RegionLayout#MAX_SLOTS}
     * @param hostFeatures feature bits offered ({@link Feature}); only defined bits; DOORBELL only from a host
     *                     that waits on a doorbell for this guest (spec §12.2)
     * @param prioCeiling  highest SCHED_FIFO/SCHED_RR priority granted, 1..{@value RegionLayout#PRIO_MAX}
     * @param maxBoostUs   longest single boost in microseconds, &gt; 0
     * @throws IllegalArgumentException if a component is out of its range
     */
    public HostRegionConfig {
        if (slotCount < 1 || slotCount > RegionLayout.MAX_SLOTS) {
            throw new IllegalArgumentException("slotCount " + slotCount + " outside 1.." + RegionLayout.MAX_SLOTS);
        }
        if (Feature.hasUndefinedBits(hostFeatures)) {
            throw new IllegalArgumentException(String.format(
                    "hostFeatures 0x%X has bits outside the defined 0x%X", hostFeatures, Feature.DEFINED_MASK));
        }
        if (prioCeiling < 1 || prioCeiling > RegionLayout.PRIO_MAX) {
            throw new IllegalArgumentException("prioCeiling " + prioCeiling + " outside 1.." + RegionLayout.PRIO_MAX);
        }
        if (maxBoostUs <= 0) {
            throw new IllegalArgumentException("maxBoostUs must be positive: " + maxBoostUs);
        }
    }

    /**
     * Every defined feature offered except DOORBELL (a host offers that only while it waits on a doorbell
     * for this guest, spec §12.2), priority ceiling 50, longest boost 3 ms.
     *
     * @param slotCount slots in the region, 1..{@link RegionLayout#MAX_SLOTS}
     * @return the configuration
     */
    public static HostRegionConfig defaults(int slotCount) {
        return new HostRegionConfig(slotCount, Feature.ALL_BUT_DOORBELL, 50, DEFAULT_MAX_BOOST_US);
    }

    /**
     * Bytes the region needs (spec §3.1 size formula).
     *
     * @return the size in bytes
     */
    public long regionSize() {
        return RegionLayout.regionSize(slotCount);
    }

    /**
     * Whether the host offers {@code feature}.
     *
     * @param feature a protocol feature
     * @return true if its bit is in {@code hostFeatures}
     */
    public boolean offers(Feature feature) {
        return feature.in(hostFeatures);
    }
}

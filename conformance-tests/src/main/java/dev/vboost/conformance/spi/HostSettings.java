package dev.vboost.conformance.spi;

/**
 * What {@code host.init_region} asks of a host (testee protocol §5.2, spec §3.2).
 *
 * @param slotCount    slots in the region
 * @param hostFeatures feature bits to offer
 * @param prioCeiling  highest real-time priority to grant
 * @param maxBoostUs   longest single boost in microseconds
 */
public record HostSettings(int slotCount, long hostFeatures, int prioCeiling, int maxBoostUs) {
}

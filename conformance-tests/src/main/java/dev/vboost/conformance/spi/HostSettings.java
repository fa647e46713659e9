package dev.vboost.conformance.spi;

/** What {@code host.init_region} asks of a host (testee protocol §5.2, spec §3.2). */
public record HostSettings(int slotCount, long hostFeatures, int prioCeiling, int maxBoostUs) {
}

package dev.vboost.agent;

import dev.vboost.api.layout.RegionLayout;

/**
 * The hypercall dispatcher's view of one VM the agent serves (spec §7.3): fixed facts of the region, and
 * ATTACH, DETACH and NOTIFY turned into signals for the agent thread. Safe from any thread.
 */
final class VmHypercallTarget implements HypercallTarget {
    private final VmSignals signals;
    private final long hostFeatures;
    private final long regionGpa;
    private final long regionSize;
    private final Runnable wake;

    VmHypercallTarget(VmSignals signals, long hostFeatures, long regionGpa, Runnable wake) {
        this.signals = signals;
        this.hostFeatures = hostFeatures;
        this.regionGpa = regionGpa;
        this.regionSize = RegionLayout.regionSize(signals.slotCount);
        this.wake = wake;
    }

    @Override
    public int slotCount() {
        return signals.slotCount;
    }

    @Override
    public long generation() {
        return signals.generation;
    }

    @Override
    public long hostFeatures() {
        return hostFeatures;
    }

    @Override
    public long regionGpa() {
        return regionGpa;
    }

    @Override
    public long regionSize() {
        return regionSize;
    }

    @Override
    public void attached(long acceptedFeatures) {
        signals.pending.set(true);
        wake.run();
    }

    @Override
    public void detached() {
        signals.detachRequested.set(true);
        wake.run();
    }

    @Override
    public boolean notifySlot(int slot, int flags) {
        if (!signals.queueNotify(slot, flags)) {
            return false;
        }
        wake.run();
        return true;
    }
}

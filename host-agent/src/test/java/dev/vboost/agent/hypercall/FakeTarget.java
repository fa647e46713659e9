package dev.vboost.agent.hypercall;

import dev.vboost.agent.HypercallTarget;
import java.util.ArrayList;
import java.util.List;

/** A hypercall target that records what the dispatcher asked of it. */
final class FakeTarget implements HypercallTarget {
    volatile long generation = 5;
    volatile long features = 0xF;
    final int slots;
    final long gpa;
    final long size;
    final List<String> calls = new ArrayList<>();

    FakeTarget(int slots, long gpa, long size) {
        this.slots = slots;
        this.gpa = gpa;
        this.size = size;
    }

    @Override
    public int slotCount() {
        return slots;
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public long hostFeatures() {
        return features;
    }

    @Override
    public long regionGpa() {
        return gpa;
    }

    @Override
    public long regionSize() {
        return size;
    }

    @Override
    public synchronized void attached(long acceptedFeatures) {
        calls.add("attached " + acceptedFeatures);
    }

    @Override
    public synchronized void detached() {
        calls.add("detached");
    }

    @Override
    public synchronized boolean notifySlot(int slot, int flags) {
        calls.add("notify " + slot + " " + flags);
        return true;
    }

    synchronized List<String> calls() {
        return new ArrayList<>(calls);
    }
}

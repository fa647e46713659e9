package dev.vboost.agent;

import org.checkerframework.checker.nullness.qual.Nullable;

/** Where the agent's parts leave the last unexpected error; read by {@link HostAgent#lastError()}. */
final class AgentErrors {
    private volatile @Nullable Throwable last;

    void record(Throwable t) {
        last = t;
    }

    @Nullable Throwable last() {
        return last;
    }
}

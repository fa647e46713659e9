package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.TidTable;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.log.RateLimitedLog;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The threads the agent has changed, their original attributes, and the lease journal that outlives a crash
 * (spec §8.6, §8.7). Raising records the original before the first change (journal first, then the thread);
 * restoring applies exactly that original; a restore that fails is retried until it succeeds or the thread is
 * gone. Agent thread only, except {@link #restoreAll()} which {@code stop()} calls once the loop has ended.
 */
final class ThreadLeases {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());
    private static final int STOP_RESTORE_ATTEMPTS = 3;
    static final long RESTORE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PriorityActuator actuator;
    private final LongSupplier clock;
    /** By tid: looked up on every raise and restore without boxing the id. */
    private final TidTable<Lease> leases = new TidTable<>();
    private final List<Lease> pendingRestores = new ArrayList<>();
    private @Nullable LeaseJournal journal;
    private final RateLimitedLog journalLog = new RateLimitedLog(LOG, System.Logger.Level.ERROR,
            "lease journal write failed, boost refused");
    /** Why the last {@link #restore} failed. */
    private @Nullable ActuatorException lastFailure;
    private boolean lastRestoreGone;

    ThreadLeases(PriorityActuator actuator, LongSupplier clock) {
        this.actuator = actuator;
        this.clock = clock;
    }

    /** §8.7, §5.9 step 2: restores what a crashed agent left in the journal, then opens it for this agent. */
    LeaseJournal.Recovery recoverAndOpen(Path path, FileAccess access) {
        try {
            LeaseJournal j = LeaseJournal.open(path, access); // locked: a second agent on this journal stops here
            LeaseJournal.Recovery r = j.recover(actuator);
            if (!r.restored().isEmpty() || !r.clean()) {
                LOG.log(System.Logger.Level.WARNING, "lease journal " + path + ": restored " + r.restored().size()
                        + " thread(s) a previous agent left boosted; failures: " + r.failures());
            }
            if (!r.clean()) {
                j.close();
                throw new IllegalStateException("could not restore threads from lease journal " + path + ": "
                        + r.failures());
            }
            journal = j;
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("lease journal " + path, e);
        }
    }

    /**
     * Spec §9 H2: the identity of thread {@code tid} now, taken once when a slot is registered and proved before
     * every later change.
     *
     * @throws ActuatorException ({@link dev.vboost.agent.actuator.ThreadGoneException} or kind NO_SUCH_THREAD)
     *     if there is no such thread
     */
    VcpuThread identify(int tid) throws ActuatorException {
        return actuator.identify(tid);
    }

    /**
     * Raises {@code thread} to {@code target}, recording (and journalling) its original first (§8.6).
     *
     * @throws IOException if the journal could not record the original: the thread is left as it was
     * @throws dev.vboost.agent.actuator.ThreadGoneException if the thread is not {@code thread} any more: nothing
     *     was touched
     */
    void raise(VcpuThread thread, ThreadAttributes target) throws ActuatorException, IOException {
        Lease lease = leases.get(thread.tid());
        if (lease != null && !sameThread(lease.thread, thread)) {
            // the tid's earlier thread is gone (its id now names the one registered): its lease is void
            forget(lease);
            lease = null;
        }
        ThreadAttributes current;
        if (lease == null || !lease.boosted) {
            current = actuator.read(thread); // proves the identity taken at registration
            if (lease == null) {
                lease = new Lease(thread, current);
                journal(lease);
                leases.put(thread.tid(), lease);
            } else if (!same(current, lease.original)) {
                // someone changed the thread while it was not boosted: that is its original now
                lease.original = current;
                journal(lease);
            }
        } else {
            current = lease.applied; // boosted by this agent: what it set last
        }
        actuator.apply(lease.thread, target, current); // current known: no second sched_getattr
        lease.applied = target;
        lease.boosted = true;
        if (lease.restorePending) {
            lease.restorePending = false;
            pendingRestores.remove(lease);
        }
    }

    private static boolean sameThread(VcpuThread a, VcpuThread b) {
        return a == b || (a.tid() == b.tid() && a.tgid() == b.tgid() && a.startTime() == b.startTime());
    }

    private void forget(Lease lease) {
        leases.remove(lease.tid);
        if (lease.restorePending) {
            pendingRestores.remove(lease);
        }
        LeaseJournal j = journal;
        if (j != null) {
            j.forget(lease.thread);
        }
        actuator.release(lease.thread);
    }

    /** Field by field: a record's {@code equals} would bootstrap {@code ObjectMethods} on the hot path. */
    private static boolean same(ThreadAttributes a, ThreadAttributes b) {
        return a.policy() == b.policy() && a.priority() == b.priority() && a.nice() == b.nice()
                && a.flags() == b.flags();
    }

    /**
     * Spec §9 H6: a journal that keeps failing (a full file system) refuses every boost that needs a record; its
     * log is the first failure with its cause, then counts, then "working again" once a record is written.
     */
    private void journal(Lease lease) throws IOException {
        LeaseJournal j = journal;
        if (j != null) {
            try {
                j.recordOriginal(lease.thread, lease.original);
            } catch (IOException e) {
                journalLog.error("thread " + lease.tid + " in " + j.path() + ": " + e.getMessage(), e);
                throw e;
            }
            journalLog.recovered(); // logs only after failures
        }
    }

    /**
     * Puts {@code thread} back to its original attributes. False if that failed ({@link #lastFailure()} says
     * why): a retry is scheduled, except for a thread that is gone, which has nothing left to restore
     * ({@link #lastRestoreFoundThreadGone()} says so; nothing was touched).
     */
    boolean restore(@Nullable VcpuThread thread) {
        lastRestoreGone = false;
        if (thread == null) {
            return true;
        }
        Lease lease = leases.get(thread.tid());
        if (lease == null || !lease.boosted || !sameThread(lease.thread, thread)) {
            return true;
        }
        try {
            // against what this agent set: the original comes back exactly, as it was before the boost
            actuator.apply(lease.thread, lease.original, lease.applied);
            lease.boosted = false;
            return true;
        } catch (ActuatorException e) {
            lastFailure = e;
            if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                lease.boosted = false; // it exited (or its id names another thread now): nothing was touched
                lastRestoreGone = true;
            } else if (!lease.restorePending) {
                lease.restorePending = true;
                lease.lastAttempt = clock.getAsLong();
                pendingRestores.add(lease);
            }
            return false;
        }
    }

    /** Whether the last {@link #restore} found the thread gone. */
    boolean lastRestoreFoundThreadGone() {
        return lastRestoreGone;
    }

    @Nullable ActuatorException lastFailure() {
        return lastFailure;
    }

    /** True while a failed restore waits for its retry. */
    boolean restoresPending() {
        return !pendingRestores.isEmpty();
    }

    /** Retries failed restores at most every {@link #RESTORE_RETRY_NANOS}. */
    void retryRestores(long now) {
        for (int i = pendingRestores.size() - 1; i >= 0; i--) {
            Lease lease = pendingRestores.get(i);
            if (now - lease.lastAttempt < RESTORE_RETRY_NANOS) {
                continue;
            }
            lease.lastAttempt = now;
            try {
                actuator.apply(lease.thread, lease.original);
                lease.boosted = false;
                lease.restorePending = false;
                pendingRestores.remove(i);
            } catch (ActuatorException e) {
                if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                    lease.boosted = false;
                    lease.restorePending = false;
                    pendingRestores.remove(i);
                }
            }
        }
    }

    /**
     * Forgets a thread that no slot drives any more (VM removed, vCPU re-mapped, thread gone) once it is back;
     * one still boosted (its restore failing) stays until the retry or {@link #restoreAll()} puts it back. The
     * actuator may then drop what it kept for the thread (an open descriptor).
     */
    void release(VcpuThread thread) {
        Lease lease = leases.get(thread.tid());
        if (lease == null || !sameThread(lease.thread, thread)) {
            actuator.release(thread);
        } else if (!lease.boosted) {
            forget(lease);
        }
    }

    /**
     * Shutdown: every thread still boosted back to its original (a few attempts each), then the journal cleared
     * if all came back, and closed. Returns true if every thread is back.
     */
    boolean restoreAll() {
        boolean allBack = true;
        for (Lease lease : leases.values()) {
            for (int attempt = 0; attempt < STOP_RESTORE_ATTEMPTS && lease.boosted; attempt++) {
                try {
                    actuator.apply(lease.thread, lease.original);
                    lease.boosted = false;
                } catch (ActuatorException e) {
                    if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                        lease.boosted = false;
                    } else if (attempt == STOP_RESTORE_ATTEMPTS - 1) {
                        allBack = false;
                        LOG.log(System.Logger.Level.ERROR, "could not restore thread " + lease.tid + ": " + e.getMessage());
                    }
                }
            }
        }
        pendingRestores.clear();
        for (Lease lease : leases.values()) {
            actuator.release(lease.thread); // a later call still works, through the slower check
        }
        LeaseJournal j = journal;
        if (j != null) {
            try {
                if (allBack) {
                    j.clear(); // a journal kept means threads a restart must still restore
                }
                j.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "lease journal close failed", e);
            }
            journal = null;
        }
        return allBack;
    }

    /** A thread the agent has changed at least once. */
    private static final class Lease {
        final VcpuThread thread;
        final int tid;
        ThreadAttributes original;
        /** What this agent set last (its boost target while {@link #boosted}). */
        ThreadAttributes applied;
        boolean boosted;
        boolean restorePending;
        long lastAttempt;

        Lease(VcpuThread thread, ThreadAttributes original) {
            this.thread = thread;
            this.tid = thread.tid();
            this.original = original;
            this.applied = original;
        }
    }
}

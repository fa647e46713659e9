package dev.vboost.tools.demo;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.vboost.api.wire.SchedPolicy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Real scheduling changes on vCPU threads for the demo. INTERIM: direct sched_setscheduler until the host
 * agent's Linux actuator lands; then this delegates to it.
 */
final class RtControl {
    interface C extends Library {
        int sched_setscheduler(int pid, int policy, int[] param);

        int sched_getscheduler(int pid);
    }

    private static final class Holder {
        static final C C_LIB = Native.load("c", C.class);
    }

    /** Attributes of a thread before its first boost. */
    static final class Saved {
        final int policy;
        final int priority;

        Saved(int policy, int priority) {
            this.policy = policy;
            this.priority = priority;
        }
    }

    Saved read(int tid) throws RtException {
        int p = Holder.C_LIB.sched_getscheduler(tid);
        if (p < 0) {
            throw new RtException("sched_getscheduler(" + tid + ") failed, errno " + Native.getLastError(), false);
        }
        return new Saved(p, 0);
    }

    void boost(int tid, SchedPolicy policy, int priority) throws RtException {
        set(tid, policy == SchedPolicy.RR ? 2 : 1, priority);
    }

    void restore(int tid, Saved saved) throws RtException {
        set(tid, saved.policy, saved.priority);
    }

    private static void set(int tid, int policy, int priority) throws RtException {
        if (Holder.C_LIB.sched_setscheduler(tid, policy, new int[] {priority}) != 0) {
            int errno = Native.getLastError();
            throw new RtException("sched_setscheduler(" + tid + ", " + policy + ", " + priority + ") failed, errno "
                    + errno, errno == 1);
        }
    }

    /** Null if this process may set real-time priorities on its threads, else why not. */
    @Nullable String probe() {
        @Nullable String[] why = new @Nullable String[1];
        Thread t = new Thread(() -> {
            int tid = Libc.currentTid();
            try {
                Saved s = read(tid);
                boost(tid, SchedPolicy.FIFO, 1);
                restore(tid, s);
            } catch (RtException e) {
                why[0] = e.getMessage();
            }
        }, "vboost-rt-probe");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return why[0];
    }

    static final class RtException extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean permission;

        RtException(String message, boolean permission) {
            super(message);
            this.permission = permission;
        }
    }
}

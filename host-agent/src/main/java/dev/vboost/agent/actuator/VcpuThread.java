package dev.vboost.agent.actuator;

/**
 * The identity of one Linux thread for as long as the system runs: its process (thread group) id, its thread
 * id and its start time in clock ticks since boot ({@code /proc/<tgid>/task/<tid>/stat} field 22). A thread id
 * alone is not an identity: once the thread exits the kernel hands the id to the next thread or process it
 * creates. {@link PriorityActuator} proves a thread still has this identity before it touches it.
 *
 * @param tgid      the process the thread belongs to
 * @param tid       the Linux thread id
 * @param startTime when the thread started, in clock ticks since boot; compared exactly, 0 included
 */
public record VcpuThread(int tgid, int tid, long startTime) {
    /**
     * Checks the ids.
     *
     * @param tgid      the process, positive
     * @param tid       the thread, positive
     * @param startTime clock ticks since boot
     * @throws IllegalArgumentException if an id is not positive
     */
    public VcpuThread {
        if (tgid <= 0 || tid <= 0) {
            throw new IllegalArgumentException("process and thread id must be positive, got " + tgid + "/" + tid);
        }
        if (startTime < 0) {
            throw new IllegalArgumentException("start time must not be negative, got " + startTime);
        }
    }

    @Override
    public String toString() {
        return "thread " + tid + " of process " + tgid + " (started at tick " + startTime + ")";
    }
}

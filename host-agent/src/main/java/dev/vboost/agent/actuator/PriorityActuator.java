package dev.vboost.agent.actuator;

/**
 * Reads and changes the scheduling attributes of a thread, named by its Linux thread id. The host agent
 * reads a vCPU thread's attributes before its first boost and applies them back on unboost.
 * Implementations must be safe to call from any thread.
 */
public interface PriorityActuator {

    /** The thread's current attributes. */
    ThreadAttributes read(int tid) throws ActuatorException;

    /**
     * Sets the thread's policy, priority and nice value so that a following {@link #read(int)} returns
     * {@code attributes}. A real-time policy leaves the thread's hidden nice value as it was (Linux semantics).
     */
    void apply(int tid, ThreadAttributes attributes) throws ActuatorException;
}

package dev.vboost.agent.actuator;

import dev.vboost.agent.testing.ParkedThread;

/**
 * Measures the cost of one identity-checked {@code read(VcpuThread)} (prove, sched_getattr, prove) with the comm
 * file kept open and through the path, on a live parked thread. Not a test: run by hand, e.g.
 * {@code java -cp ... dev.vboost.agent.actuator.ProveCostMain [iterations]}.
 */
public final class ProveCostMain {
    private ProveCostMain() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        LinuxPriorityActuator a = new LinuxPriorityActuator();
        ParkedThread p = ParkedThread.start("prove-cost");
        for (int round = 0; round < 3; round++) {
            VcpuThread t = a.identify(p.tid());
            report("kept fd", a, t, n);
            a.release(t); // no file kept for it now: every check goes through the path
            report("path   ", a, t, n);
        }
        p.stop();
    }

    private static void report(String what, LinuxPriorityActuator a, VcpuThread t, int n) throws ActuatorException {
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            a.read(t);
            ns[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(ns);
        System.out.printf("%s read(VcpuThread): p50 %.2f us, p99 %.2f us%n", what,
                ns[n / 2] / 1e3, ns[(int) (n * 0.99)] / 1e3);
    }
}

package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.LinuxCpuPlacement;

/**
 * Fallback CPU hogs when stress-ng is not installed: {@code N} threads of pure arithmetic, each pinned to
 * one CPU, in a child JVM of their own so the demo's parent stays quiet. Runs until killed.
 */
public final class HogMain {
    private HogMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: HogMain THREADS CPU");
            System.exit(2);
        }
        int n = Integer.parseInt(args[0]);
        int cpu = Integer.parseInt(args[1]);
        Thread[] hogs = new Thread[n];
        for (int i = 0; i < n; i++) {
            hogs[i] = new Thread(() -> {
                LinuxCpuPlacement.pinCurrentThread(cpu);
                long x = 1;
                while (x != 0) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                    if (x == 0) {
                        System.out.println(x);
                    }
                }
            }, "hog" + i);
            hogs[i].start();
        }
        for (Thread t : hogs) {
            t.join();
        }
    }
}

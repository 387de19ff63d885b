package dev.bptt.bench.e2e;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this JVM (user and system, all threads: the MiniCluster's tasks, Flink's own threads,
 * GC and JIT), for the CPU a step of a run. The job is CPU-bound on this machine's 2 cores, so CPU
 * a step moves with what a change costs, and it spreads less between runs than steps/s, which also
 * moves with how busy the cores were kept.
 */
final class ProcessCpu {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {}

    /** CPU nanoseconds this process has used so far. */
    static long nanos() {
        return OS.getProcessCpuTime();
    }
}

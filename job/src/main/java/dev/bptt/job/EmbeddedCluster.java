package dev.bptt.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The options of every embedded MiniCluster the project starts (local and Kafka runs, the
 * benchmark, the job tests): servers on 127.0.0.1 only ({@link Loopback}) and network buffers of
 * {@link #NETWORK_SEGMENT}. The cluster configurations in deploy/ set the same segment size.
 */
public final class EmbeddedCluster {

    /**
     * Size of a network buffer ({@code taskmanager.memory.segment-size}; Flink's default is 32 KB).
     * With 32 KB a buffer carries about 170 steps (input 16, output 4) to a forward subtask, and
     * the subtasks wait for input 14-18% of the time: while they run a bucket's windows the
     * source fills their few buffers and stops, and afterwards they drain faster than it refills
     * them. 128 KB lets the source work on through the windows. Whole-job benchmark (BENCHMARKS.md,
     * session 9; 1,000 keys, hidden 64, 2 cores), three alternating pairs 32 KB / 128 KB: 839k / 878k,
     * 856k / 898k, 827k / 870k steps/s (+5%), busy cores 1.77 to 1.87, CPU a step unchanged,
     * latency p50 26 to 30 ms and p99 54 to 64 ms. 256 KB: no more steps/s, p50 42 ms.
     */
    public static final MemorySize NETWORK_SEGMENT = MemorySize.parse("128kb");

    private EmbeddedCluster() {}

    /** {@code conf} (modified and returned) with the embedded cluster's options set. */
    public static Configuration configure(Configuration conf) {
        Loopback.only(conf);
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, NETWORK_SEGMENT);
        return conf;
    }
}

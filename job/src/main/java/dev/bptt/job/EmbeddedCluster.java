package dev.bptt.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The options of the embedded MiniClusters the project starts: servers on 127.0.0.1 only
 * ({@link Loopback}), and network buffers by the kind of run. A bounded run ({@code bptt
 * train} on a steps file, the demo, the benchmark) wants throughput and gets buffers of
 * {@link #BOUNDED_RUN_SEGMENT}; an online run (Kafka) keeps Flink's 32 KB, for its latency and its
 * checkpoints (below). {@code -D}{@value #NETWORK_SEGMENT_PROPERTY} sets the size for either.
 * (The job tests' MiniCluster keeps Flink's defaults.)
 */
public final class EmbeddedCluster {

    /**
     * Size of a network buffer in a bounded run ({@code taskmanager.memory.segment-size}; Flink's
     * default is 32 KB). With 32 KB a buffer carries about 170 steps (input 16, output 4) to a
     * forward subtask, and the subtasks wait for input 14-18% of the time: while they run a
     * bucket's windows the source fills their few buffers and stops, and afterwards they drain
     * faster than it refills them. 128 KB lets the source work on through the windows.
     * Whole-job benchmark (BENCHMARKS.md, session 9; 1,000 keys, hidden 64, 2 cores), three
     * alternating pairs 32 KB / 128 KB: 839k / 878k, 856k / 898k, 827k / 870k steps/s (+5%), busy
     * cores 1.77 to 1.87, CPU a step unchanged, latency p50 26 to 30 ms and p99 54 to 64 ms.
     *
     * <p>Not for online runs: four times the data in flight means four times the records a
     * checkpoint barrier waits behind when the forward operators hold their input (waiting for a
     * version), and Kafka's read_committed consumers see outputs only at checkpoints. In two Kafka
     * failure tests (9,600 steps, checkpoints every 200 ms, the loop through Kafka) the first
     * checkpoint then completed only after the operator armed to fail had seen its last record.
     */
    public static final MemorySize BOUNDED_RUN_SEGMENT = MemorySize.parse("128kb");

    /** System property that sets the network buffer size of any embedded run (for example 32kb or 128kb). */
    public static final String NETWORK_SEGMENT_PROPERTY = "bptt.networkSegment";

    /** Flink's memory manager takes pages of a power of two, at least this size. */
    private static final long MIN_SEGMENT_BYTES = 4096;

    private EmbeddedCluster() {}

    /** {@code conf} (modified and returned) for a bounded run: loopback, buffers of {@link #BOUNDED_RUN_SEGMENT}. */
    public static Configuration forBoundedRun(Configuration conf) {
        Loopback.only(conf);
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, networkSegment(BOUNDED_RUN_SEGMENT));
        return conf;
    }

    /** {@code conf} (modified and returned) for an online run: loopback, Flink's buffers unless the property says otherwise. */
    public static Configuration forOnlineRun(Configuration conf) {
        Loopback.only(conf);
        MemorySize size = networkSegment(null);
        if (size != null) {
            conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, size);
        }
        return conf;
    }

    /** The size {@link #NETWORK_SEGMENT_PROPERTY} gives, or {@code otherwise} when it is not set. */
    static MemorySize networkSegment(MemorySize otherwise) {
        String value = System.getProperty(NETWORK_SEGMENT_PROPERTY);
        if (value == null) {
            return otherwise;
        }
        MemorySize size;
        try {
            size = MemorySize.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + NETWORK_SEGMENT_PROPERTY + "=" + value
                    + ": not a memory size (for example 32kb or 128kb)", e);
        }
        long bytes = size.getBytes();
        if (bytes < MIN_SEGMENT_BYTES || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("-D" + NETWORK_SEGMENT_PROPERTY + "=" + value
                    + ": a network buffer must be a power of two of at least 4kb (for example 32kb or 128kb)");
        }
        return size;
    }
}

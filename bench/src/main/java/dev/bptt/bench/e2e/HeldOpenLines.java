package dev.bptt.bench.e2e;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The workload's lines, then (with {@code holdOpen}) an endless trickle of records that are not
 * steps (they go to the dead letters and touch no keyed state), one every {@link #TRICKLE_MS} ms:
 * the job keeps running with every key's state in place until the benchmark has taken its
 * checkpoint and cancels it. Without {@code holdOpen} the source ends after the workload.
 */
public final class HeldOpenLines implements GeneratorFunction<Long, String> {

    /** Pause before each trickle record: the source's mailbox stays free for checkpoint triggers. */
    static final long TRICKLE_MS = 5;

    private final Workload workload;

    public HeldOpenLines(Workload workload) {
        this.workload = workload;
    }

    @Override
    public String map(Long index) throws Exception {
        if (index < workload.records()) {
            return workload.line(index);
        }
        Thread.sleep(TRICKLE_MS);
        return "{\"trickle\":" + index + "}";
    }
}

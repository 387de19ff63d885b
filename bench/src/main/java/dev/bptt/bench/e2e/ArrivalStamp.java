package dev.bptt.bench.e2e;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Passes the source's records (lines or steps) on unchanged and notes when each arrived. Runs at parallelism 1
 * chained to the source, so the n-th record it sees is record n of the input and the time is when
 * the source emitted it.
 */
public final class ArrivalStamp<T> implements MapFunction<T, T> {

    private final String runId;
    private transient RunClock clock;
    private long index;

    public ArrivalStamp(String runId) {
        this.runId = runId;
    }

    @Override
    public T map(T record) {
        if (clock == null) {
            clock = RunClock.of(runId);
        }
        clock.arrived(index++, System.nanoTime());
        return record;
    }
}

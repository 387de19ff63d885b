package dev.bptt.bench.e2e;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Passes the source's lines on unchanged and notes when each arrived. Runs at parallelism 1
 * chained to the source, so the n-th line it sees is record n of the input and the time is when
 * the source emitted it.
 */
public final class ArrivalStamp implements MapFunction<String, String> {

    private final String runId;
    private transient RunClock clock;
    private long index;

    public ArrivalStamp(String runId) {
        this.runId = runId;
    }

    @Override
    public String map(String line) {
        if (clock == null) {
            clock = RunClock.of(runId);
        }
        clock.arrived(index++, System.nanoTime());
        return line;
    }
}

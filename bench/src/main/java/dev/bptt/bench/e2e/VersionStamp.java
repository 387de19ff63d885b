package dev.bptt.bench.e2e;

import dev.bptt.records.ParameterVersion;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Notes when the update of each bucket left ParameterUpdate (parallelism 1, chained to it, so
 * the time is the emission's). Maps each version to its bucket for a discarding sink.
 */
public final class VersionStamp implements MapFunction<ParameterVersion, Long> {

    private final String runId;
    private transient RunClock clock;

    public VersionStamp(String runId) {
        this.runId = runId;
    }

    @Override
    public Long map(ParameterVersion version) {
        if (clock == null) {
            clock = RunClock.of(runId);
        }
        clock.updated(version.bucket(), System.nanoTime(), ProcessCpu.nanos());
        return version.bucket();
    }
}

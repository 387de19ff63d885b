package dev.bptt.bench.e2e;

import org.apache.flink.api.common.functions.MapFunction;

/** Counts the elements of a side stream (predictions, dead letters) in the run's {@link RunClock}. */
public final class Tally<T> implements MapFunction<T, Boolean> {

    /** What is counted. */
    public enum What { PREDICTIONS, DEAD_LETTERS }

    private final String runId;
    private final What what;
    private transient RunClock clock;

    public Tally(String runId, What what) {
        this.runId = runId;
        this.what = what;
    }

    @Override
    public Boolean map(T element) {
        if (clock == null) {
            clock = RunClock.of(runId);
        }
        if (what == What.PREDICTIONS) {
            clock.predicted();
        } else {
            clock.deadLetter();
        }
        return Boolean.TRUE;
    }
}

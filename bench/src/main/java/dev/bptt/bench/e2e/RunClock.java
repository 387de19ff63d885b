package dev.bptt.bench.e2e;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wall-clock marks of one benchmark run, shared between the bench's operators and the driver in
 * the same JVM (the MiniCluster runs its tasks in the driver's process; functions are serialized,
 * so they find the run by its id). Times are {@link System#nanoTime()}.
 *
 * <ul>
 *   <li>arrival of each record, by its index in input order ({@link ArrivalStamp}, chained to the
 *       source: the time the source handed the record on);
 *   <li>emission of the update made by each bucket ({@link VersionStamp}, chained to
 *       ParameterUpdate's main output), with the process's CPU time then ({@link ProcessCpu});
 *   <li>a count of predictions (forward steps done) and dead letters.
 * </ul>
 */
public final class RunClock {

    private static final Map<String, RunClock> RUNS = new ConcurrentHashMap<>();

    private final long[] arrivals;
    private final long[] updates;
    private final long[] updateCpu;
    private final AtomicLong predictions = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();

    private RunClock(long records, long buckets) {
        arrivals = new long[Math.toIntExact(records)];
        updates = new long[Math.toIntExact(buckets)];
        updateCpu = new long[Math.toIntExact(buckets)];
        Arrays.fill(updates, -1);
    }

    /** Registers a run before its job starts. */
    public static RunClock open(String runId, Workload workload) {
        RunClock clock = new RunClock(workload.records(), workload.stepsPerKey());
        RUNS.put(runId, clock);
        return clock;
    }

    /** The run's clock (inside the job's functions). */
    public static RunClock of(String runId) {
        RunClock clock = RUNS.get(runId);
        if (clock == null) {
            throw new IllegalStateException("no benchmark run " + runId + " in this JVM");
        }
        return clock;
    }

    /** Forgets a run. */
    public static void close(String runId) {
        RUNS.remove(runId);
    }

    void arrived(long index, long nanos) {
        if (index < arrivals.length) {
            arrivals[(int) index] = nanos;
        }
    }

    void updated(long bucket, long nanos, long cpuNanos) {
        if (bucket >= 0 && bucket < updates.length && updates[(int) bucket] < 0) {
            updates[(int) bucket] = nanos;
            updateCpu[(int) bucket] = cpuNanos;
        }
    }

    void predicted() {
        predictions.incrementAndGet();
    }

    void deadLetter() {
        deadLetters.incrementAndGet();
    }

    /** Arrival time of record {@code index}, 0 if it has not arrived. */
    public long arrival(long index) {
        return arrivals[(int) index];
    }

    /** Emission time of bucket {@code b}'s update, -1 if none was made. */
    public long update(long bucket) {
        return updates[(int) bucket];
    }

    /** The process's CPU time when bucket {@code b}'s update was emitted. */
    public long updateCpu(long bucket) {
        return updateCpu[(int) bucket];
    }

    public long predictions() {
        return predictions.get();
    }

    public long deadLetters() {
        return deadLetters.get();
    }
}

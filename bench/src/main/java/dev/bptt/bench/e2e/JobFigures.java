package dev.bptt.bench.e2e;

import dev.bptt.model.TrainingOptions;
import java.util.Arrays;

/**
 * Throughput and latency of one job run, from its {@link RunClock}.
 *
 * <p>Every key's windows close together (k1 | t + 1), at steps {@code j k1 - 1}; a bucket holds
 * {@code n} steps of every key, n a divisor of k1, so window j's gradients form the update of
 * bucket {@code c_j = j k1 / n - 1}, the only update between {@code c_{j-1}} and {@code c_j}. The
 * first {@code warmup} fraction of those updates is start-up (JIT, first versions through the
 * loop) and the last one comes with the end of input: both are left out. The steady interval
 * runs from update {@code c_a} to update {@code c_b}:
 * <ul>
 *   <li>throughput = steps of windows {@code (a, b]} / (emission of {@code c_b} - emission of
 *       {@code c_a}); these updates hold exactly those steps' gradients;
 *   <li>latency of a step (of those windows) = emission of the update of the bucket in which its
 *       window closes (the first version whose gradient includes the step's loss term) - the time
 *       the source emitted the step. A step early in a window waits for its window to fill (up
 *       to k1 - 1 steps): that wait is part of the figure;
 *   <li>CPU a step = the process's CPU time between the two updates / those steps, and busy cores
 *       = that CPU time / the interval.
 * </ul>
 */
public record JobFigures(double startupSeconds, double firstUpdateSeconds, double totalSeconds,
        double overallStepsPerSecond, double stepsPerSecond, long steadySteps, double steadySeconds,
        double latencyP50Ms, double latencyP99Ms, double latencyMaxMs, double cpuMicrosPerStep, double busyCores) {

    public static JobFigures of(RunClock clock, Workload w, TrainingOptions options, double warmup,
            long submittedNanos, long endedNanos) {
        int k1 = options.k1();
        int windows = w.stepsPerKey() / k1;
        if (w.stepsPerKey() % k1 != 0 || windows < 3) {
            throw new IllegalArgumentException("steps per key must be a multiple of k1 and hold >= 3 windows, got "
                    + w.stepsPerKey() + " with k1 " + k1);
        }
        long bucketSteps = options.bucketMs() / Workload.STEP_MS;
        if (options.bucketMs() % Workload.STEP_MS != 0 || k1 % bucketSteps != 0) {
            throw new IllegalArgumentException("a bucket must hold a divisor of k1 steps, got " + options.bucketMs()
                    + " ms for steps of " + Workload.STEP_MS + " ms and k1 " + k1);
        }
        int a = Math.max(1, (int) Math.round(warmup * windows));
        int b = windows - 1;
        if (a >= b) {
            a = b - 1;
        }
        long ta = emitted(clock, closingBucket(a, k1, bucketSteps));
        long tb = emitted(clock, closingBucket(b, k1, bucketSteps));
        long cpu = clock.updateCpu(closingBucket(b, k1, bucketSteps)) - clock.updateCpu(closingBucket(a, k1, bucketSteps));
        long steadySteps = (long) (b - a) * k1 * w.keys();
        double steadySeconds = (tb - ta) / 1e9;

        long first = (long) a * k1 * w.keys();
        long[] latencies = new long[Math.toIntExact(steadySteps)];
        for (long i = first; i < first + steadySteps; i++) {
            long window = w.stepOf(i) / k1 + 1;
            latencies[(int) (i - first)] = emitted(clock, closingBucket(window, k1, bucketSteps)) - clock.arrival(i);
        }
        Arrays.sort(latencies);
        long lastUpdate = emitted(clock, closingBucket(windows, k1, bucketSteps));
        return new JobFigures(
                (clock.arrival(0) - submittedNanos) / 1e9,
                (emitted(clock, closingBucket(1, k1, bucketSteps)) - submittedNanos) / 1e9,
                (endedNanos - submittedNanos) / 1e9,
                w.records() / ((lastUpdate - submittedNanos) / 1e9),
                steadySteps / steadySeconds, steadySteps, steadySeconds,
                percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6,
                latencies[latencies.length - 1] / 1e6, cpu / 1e3 / steadySteps, (double) cpu / (tb - ta));
    }

    /** The bucket of window j's closing step (j >= 1). */
    private static long closingBucket(long j, int k1, long bucketSteps) {
        return j * k1 / bucketSteps - 1;
    }

    private static long emitted(RunClock clock, long bucket) {
        long t = clock.update(bucket);
        if (t < 0) {
            throw new IllegalStateException("no update was emitted for bucket " + bucket
                    + " (a window closes there: every key has a target at every step)");
        }
        return t;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}

package dev.bptt.cli;

import dev.bptt.model.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * How the streaming job runs: buckets, staleness, event-time disorder, parallelism, idle keys.
 * A picocli mixin of {@code bptt train} and of the cluster entry point {@code dev.bptt.job.ClusterMain}.
 */
public final class JobOptions {

    @Option(names = "--bucket-ms", required = true, description = "Event-time bucket length in ms: one update per bucket.")
    long bucketMs;

    @Option(names = "--staleness", defaultValue = "0",
            description = "0..N: steps in bucket b use the parameters after buckets < b - N (reproducible); "
                    + "async: the newest parameters. Default: ${DEFAULT-VALUE}.")
    String staleness;

    @Option(names = "--out-of-orderness-ms", defaultValue = "0", description = "Allowed event-time disorder (default 0).")
    long outOfOrdernessMs;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the keyed operators (default 2).")
    int parallelism;

    @Option(names = "--idle-timeout-ms", defaultValue = "0",
            description = "A key with no step for this much event time ends and its state is dropped (0: never).")
    long idleTimeoutMs;

    /** Parallelism of the keyed operators (checked by {@link #training}). */
    public int parallelism() {
        return parallelism;
    }

    /** Allowed event-time disorder in ms (checked by {@link #training}). */
    public long outOfOrdernessMs() {
        return outOfOrdernessMs;
    }

    /** The training options of a run, checked. */
    public TrainingOptions training(WindowOptions window, UpdateOptions update) {
        int k2 = window.k2();
        double lr = update.lr();
        int s;
        try {
            s = "async".equalsIgnoreCase(staleness) ? TrainingOptions.ASYNC : Integer.parseInt(staleness);
        } catch (NumberFormatException e) {
            throw new UsageException("--staleness must be a number >= 0 or async, got '" + staleness + "'");
        }
        if (s < TrainingOptions.ASYNC) {
            throw new UsageException("--staleness must be >= 0 or async, got " + s);
        }
        if (bucketMs < 1) {
            throw new UsageException("--bucket-ms must be >= 1, got " + bucketMs);
        }
        if (parallelism < 1) {
            throw new UsageException("--parallelism must be >= 1, got " + parallelism);
        }
        if (outOfOrdernessMs < 0) {
            throw new UsageException("--out-of-orderness-ms must be >= 0, got " + outOfOrdernessMs);
        }
        if (idleTimeoutMs < 0) {
            throw new UsageException("--idle-timeout-ms must be >= 0, got " + idleTimeoutMs);
        }
        return new TrainingOptions(window.loss, window.k1, k2, update.optimizer, lr, update.momentum, update.clipNorm,
                update.reduction, bucketMs, s, idleTimeoutMs);
    }
}

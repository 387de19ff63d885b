package dev.bptt.model;

/**
 * What a training run computes, independent of where it runs (CONTRACT.md §1, §4).
 *
 * @param loss per-step loss
 * @param k1 steps between window closes, >= 1
 * @param k2 steps a window back-propagates through, >= k1
 * @param optimizer update rule
 * @param lr learning rate
 * @param momentum SGD momentum (0 for none)
 * @param clipNorm global-norm clipping threshold C, or 0 for none
 * @param reduction how a bucket's gradient sum is reduced
 * @param bucketMs event-time bucket length D in ms
 * @param staleness s >= 0, or {@link #ASYNC}
 * @param idleTimeoutMs a key with no step for this much event time ends as if its last step had
 *     been {@code last} (its state is dropped); 0 keeps keys forever
 */
public record TrainingOptions(
        Loss loss, int k1, int k2, OptimizerKind optimizer, double lr, double momentum, double clipNorm,
        Reduction reduction, long bucketMs, int staleness, long idleTimeoutMs) implements java.io.Serializable {

    /** Staleness value of {@code --staleness async}: newest parameters, not reproducible. */
    public static final int ASYNC = -1;

    /**
     * How many buckets an {@code async} step may run ahead of the last completed bucket. Async
     * never waits for an exact version, but without a bound a replayed input (a file, a Kafka
     * backlog) would run its whole forward pass on version 0 before the first update lands:
     * measured on the demo, unbounded async ended at 144% of its first loss. The demo's loss
     * ended at 0.9% of its first with staleness 0, 0.2% with 1, 28% with 2 and 57% with 4, so
     * async may lead by one bucket.
     */
    public static final int ASYNC_MAX_LEAD = 1;

    public TrainingOptions {
        if (k1 < 1 || k2 < k1) {
            throw new IllegalArgumentException("need k2 >= k1 >= 1, got k1 = " + k1 + ", k2 = " + k2);
        }
        if (bucketMs < 1) {
            throw new IllegalArgumentException("bucket length must be >= 1 ms, got " + bucketMs);
        }
        if (staleness < ASYNC) {
            throw new IllegalArgumentException("staleness must be >= 0 or async, got " + staleness);
        }
        if (idleTimeoutMs < 0) {
            throw new IllegalArgumentException("idle timeout must be >= 0 ms (0: never), got " + idleTimeoutMs);
        }
    }

    /** Options with keys kept forever (no idle timeout). */
    public TrainingOptions(Loss loss, int k1, int k2, OptimizerKind optimizer, double lr, double momentum,
            double clipNorm, Reduction reduction, long bucketMs, int staleness) {
        this(loss, k1, k2, optimizer, lr, momentum, clipNorm, reduction, bucketMs, staleness, 0);
    }

    /** A fresh update rule (optimizer state empty). */
    public UpdateRule newUpdateRule() {
        return new UpdateRule(optimizer.create(lr, momentum), reduction, clipNorm);
    }

    /** The bucket of an event time: floor(time / D). */
    public long bucketOf(long time) {
        return Math.floorDiv(time, bucketMs);
    }

    /** Last millisecond of bucket b: (b + 1) D - 1. */
    public long bucketEnd(long bucket) {
        return (bucket + 1) * bucketMs - 1;
    }

    public boolean async() {
        return staleness == ASYNC;
    }

    /**
     * The lead over completed buckets a step of bucket b may have before it waits: b may run once
     * all buckets {@code < b - lead} are complete. The staleness itself, or
     * {@link #ASYNC_MAX_LEAD} for async.
     */
    public int lead() {
        return async() ? ASYNC_MAX_LEAD : staleness;
    }
}

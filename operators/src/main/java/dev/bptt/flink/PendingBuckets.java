package dev.bptt.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * ForwardStep's hold-back buffer: the steps (and expiries) whose bucket's parameter version is not
 * known yet, by bucket, each bucket in arrival order. Plain Java.
 */
final class PendingBuckets {

    private final TreeMap<Long, List<PendingStep>> buckets = new TreeMap<>();
    private int size;

    /** Queues an item behind its bucket. */
    void add(PendingStep pending) {
        buckets.computeIfAbsent(pending.bucket(), b -> new ArrayList<>()).add(pending);
        size++;
    }

    /**
     * Removes and returns, oldest bucket first, the items of every leading bucket that
     * {@code ready} accepts (stopping at the first it does not), one list per bucket in arrival
     * order.
     */
    List<List<PendingStep>> takeReady(LongPredicate ready) {
        List<List<PendingStep>> out = new ArrayList<>();
        while (!buckets.isEmpty() && ready.test(buckets.firstKey())) {
            Map.Entry<Long, List<PendingStep>> bucket = buckets.pollFirstEntry();
            size -= bucket.getValue().size();
            out.add(bucket.getValue());
        }
        return out;
    }

    boolean isEmpty() {
        return buckets.isEmpty();
    }

    /** The earliest bucket waiting; requires {@code !isEmpty()}. */
    long firstBucket() {
        return buckets.firstKey();
    }

    /** Items waiting. */
    int size() {
        return size;
    }

    /**
     * The watermark to send on: the input's, held just before the earliest waiting bucket, so no
     * bucket downstream closes before its steps ran.
     */
    long heldWatermark(long inputWatermark, long bucketMs) {
        return buckets.isEmpty() ? inputWatermark : Math.min(inputWatermark, buckets.firstKey() * bucketMs - 1);
    }

    /** Every item, oldest bucket first (for a snapshot). */
    List<PendingStep> all() {
        List<PendingStep> out = new ArrayList<>(size);
        buckets.values().forEach(out::addAll);
        return out;
    }
}

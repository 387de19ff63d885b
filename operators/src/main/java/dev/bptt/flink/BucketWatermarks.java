package dev.bptt.flink;

import dev.bptt.records.RawStep;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepSchema;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks aligned to buckets: after each record, the watermark is the end of the
 * last bucket lying wholly before {@code maxTime - L} (L = the allowed out-of-orderness, maxTime =
 * the largest timestamp seen). Emitted on events, not on a timer, so which records are late
 * depends on the input alone. A record without a timestamp ({@link TimestampAssigner#NO_TIMESTAMP})
 * leaves the watermark where it is.
 *
 * <p>One generator judges one stream: given to {@code assignTimestampsAndWatermarks} it sees the
 * whole stream; given to {@code env.fromSource} Flink makes one per source split (Kafka partition)
 * and the source's watermark is the minimum over its splits, finished splits left out.
 *
 * @param <T> the record type; only the timestamps are read
 */
public final class BucketWatermarks<T> implements WatermarkGenerator<T> {

    /**
     * How long (of wall-clock time while the source is not back-pressured) an input with no records
     * may hold the watermark back before it counts as idle and is left out of the minimum.
     */
    public static final Duration IDLENESS = Duration.ofSeconds(5);

    private final long bucketMs;
    private final long outOfOrdernessMs;
    private long maxTime = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    public BucketWatermarks(long bucketMs, long outOfOrdernessMs) {
        if (bucketMs < 1 || outOfOrdernessMs < 0) {
            throw new IllegalArgumentException("need bucketMs >= 1 and outOfOrdernessMs >= 0, got " + bucketMs
                    + " and " + outOfOrdernessMs);
        }
        this.bucketMs = bucketMs;
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    /**
     * Parsed steps, over the whole stream (after the source): step time as timestamp,
     * bucket-aligned watermarks, {@link #IDLENESS} for empty splits.
     */
    public static WatermarkStrategy<SequenceStep> strategy(long bucketMs, long outOfOrdernessMs) {
        return WatermarkStrategy.<SequenceStep>forGenerator(ctx -> new BucketWatermarks<>(bucketMs, outOfOrdernessMs))
                .withTimestampAssigner((step, previous) -> step.time())
                .withIdleness(IDLENESS);
    }

    /**
     * Step records at the source, to be given to {@code env.fromSource}: per split, timestamps by
     * {@link StepRecordTime} (records that {@link ParseSteps} will reject have none and move no
     * watermark), bucket-aligned watermarks.
     *
     * @param schema the schema ParseSteps checks against
     * @param idleness when a split with no records stops holding the watermark back; zero: never
     *     (a bounded source, whose finished splits are left out anyway)
     */
    public static WatermarkStrategy<RawStep> forRecords(StepSchema schema, long bucketMs, long outOfOrdernessMs,
            Duration idleness) {
        WatermarkStrategy<RawStep> strategy = WatermarkStrategy
                .<RawStep>forGenerator(ctx -> new BucketWatermarks<>(bucketMs, outOfOrdernessMs))
                .withTimestampAssigner(new StepRecordTime(schema));
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /**
     * The end of the last bucket lying wholly before {@code maxTime - outOfOrdernessMs}; {@link
     * Long#MIN_VALUE} when that end is not a long (times within a bucket of {@code Long.MIN_VALUE}).
     */
    static long watermarkAfter(long maxTime, long bucketMs, long outOfOrdernessMs) {
        if (maxTime < Long.MIN_VALUE + outOfOrdernessMs) {
            return Long.MIN_VALUE;
        }
        long horizon = maxTime - outOfOrdernessMs;
        long intoBucket = Math.floorMod(horizon, bucketMs);
        return horizon > Long.MIN_VALUE + intoBucket ? horizon - intoBucket - 1 : Long.MIN_VALUE;
    }

    @Override
    public void onEvent(T record, long timestamp, WatermarkOutput output) {
        if (timestamp == TimestampAssigner.NO_TIMESTAMP) {
            return;
        }
        maxTime = Math.max(maxTime, timestamp);
        long watermark = watermarkAfter(maxTime, bucketMs, outOfOrdernessMs);
        if (watermark > emitted) {
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
}

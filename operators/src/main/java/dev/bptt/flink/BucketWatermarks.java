package dev.bptt.flink;

import dev.bptt.steps.SequenceStep;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks aligned to buckets: after each record, the watermark is the end of the
 * last bucket lying wholly before {@code maxTime - L} (L = the allowed out-of-orderness). Emitted
 * on events, not on a timer, so which records are late depends on the input alone.
 */
public final class BucketWatermarks implements WatermarkGenerator<SequenceStep> {

    private final long bucketMs;
    private final long outOfOrdernessMs;
    private long maxTime = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    public BucketWatermarks(long bucketMs, long outOfOrdernessMs) {
        this.bucketMs = bucketMs;
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    /** The strategy: step time as timestamp, bucket-aligned watermarks, idleness for empty splits. */
    public static WatermarkStrategy<SequenceStep> strategy(long bucketMs, long outOfOrdernessMs) {
        return WatermarkStrategy.<SequenceStep>forGenerator(ctx -> new BucketWatermarks(bucketMs, outOfOrdernessMs))
                .withTimestampAssigner((step, previous) -> step.time())
                .withIdleness(Duration.ofSeconds(5));
    }

    @Override
    public void onEvent(SequenceStep step, long timestamp, WatermarkOutput output) {
        maxTime = Math.max(maxTime, timestamp);
        long watermark = Math.floorDiv(maxTime - outOfOrdernessMs, bucketMs) * bucketMs - 1;
        if (watermark > emitted) {
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
}

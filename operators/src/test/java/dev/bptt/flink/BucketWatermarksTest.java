package dev.bptt.flink;

import static org.apache.flink.api.common.eventtime.TimestampAssigner.NO_TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.records.RawStep;
import dev.bptt.steps.StepSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;

/** Bucket-aligned watermarks, emitted on events: the rule, its edges, and the per-split strategy for records. */
class BucketWatermarksTest {

    /** The watermarks a generator emitted, and whether it ever went idle. */
    private static final class Marks implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            emitted.add(null);
        }

        @Override
        public void markActive() {}
    }

    private static final WatermarkGeneratorSupplier.Context GENERATOR_CONTEXT = new WatermarkGeneratorSupplier.Context() {
        @Override
        public UnregisteredMetricsGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public org.apache.flink.util.clock.RelativeClock getInputActivityClock() {
            return SystemClock.getInstance();
        }
    };

    private static final TimestampAssignerSupplier.Context ASSIGNER_CONTEXT = UnregisteredMetricsGroup::new;

    private static List<Long> emitted(WatermarkGenerator<Object> generator, long... timestamps) {
        Marks out = new Marks();
        for (long t : timestamps) {
            generator.onEvent("record", t, out);
            generator.onPeriodicEmit(out);
        }
        return out.emitted;
    }

    @Test
    void theWatermarkIsTheEndOfTheLastBucketWhollyBeforeTheLatestTimeLessTheOutOfOrderness() {
        assertThat(emitted(new BucketWatermarks<>(100, 0), 1000, 1050, 1099, 1100, 1250))
                .containsExactly(999L, 1099L, 1199L);
        assertThat(emitted(new BucketWatermarks<>(100, 30), 1000, 1029, 1030, 1135))
                .containsExactly(899L, 999L, 1099L);
    }

    @Test
    void anEarlierRecordDoesNotMoveTheWatermarkBack() {
        assertThat(emitted(new BucketWatermarks<>(100, 0), 1500, 1000, 1499, 1600)).containsExactly(1499L, 1599L);
    }

    @Test
    void aRecordWithoutATimestampLeavesTheWatermarkWhereItIs() {
        assertThat(emitted(new BucketWatermarks<>(100, 0), NO_TIMESTAMP, 1000, NO_TIMESTAMP, 1100))
                .containsExactly(999L, 1099L);
    }

    @Test
    void nothingIsEmittedOnATimer() {
        Marks out = new Marks();
        new BucketWatermarks<>(100, 0).onPeriodicEmit(out);
        assertThat(out.emitted).isEmpty();
    }

    @Test
    void timesAtTheEndsOfTheLongRangeDoNotOverflow() {
        long min = Long.MIN_VALUE;
        assertThat(BucketWatermarks.watermarkAfter(min + 1, 1000, 5000)).isEqualTo(min);
        assertThat(BucketWatermarks.watermarkAfter(min + 1, 1000, 0)).isEqualTo(min);
        // the first bucket that starts within the long range starts at min + 808 (a multiple of 1000)
        assertThat(BucketWatermarks.watermarkAfter(min + 807, 1000, 0)).isEqualTo(min);
        assertThat(BucketWatermarks.watermarkAfter(min + 808 + 999, 1000, 0)).isEqualTo(min + 807);
        assertThat(BucketWatermarks.watermarkAfter(Long.MAX_VALUE, 1000, 0)).isEqualTo(Long.MAX_VALUE / 1000 * 1000 - 1);
        assertThat(BucketWatermarks.watermarkAfter(Long.MAX_VALUE, 1, 0)).isEqualTo(Long.MAX_VALUE - 1);
        assertThat(BucketWatermarks.watermarkAfter(-1, 100, 0)).isEqualTo(-101);
        assertThat(emitted(new BucketWatermarks<>(1000, 5000), min + 1, Long.MAX_VALUE))
                .containsExactly(Long.MAX_VALUE / 1000 * 1000 - 5000 / 1000 * 1000 - 1);
    }

    @Test
    void aBucketMustBePositiveAndTheOutOfOrdernessNotNegative() {
        assertThatThrownBy(() -> new BucketWatermarks<>(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketWatermarks<>(100, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The strategy for records, as the source uses it once per split: each split's generator sees
     * only its records, and records ParseSteps will reject (a far-future time in a record of the
     * wrong dimension, malformed JSON) move no watermark.
     */
    @Test
    void eachSplitsGeneratorFollowsOnlyTheValidRecordsOfItsSplit() {
        WatermarkStrategy<RawStep> strategy = BucketWatermarks.forRecords(new StepSchema(1, 1, false, true), 100, 0,
                Duration.ZERO);
        TimestampAssigner<RawStep> assigner = strategy.createTimestampAssigner(ASSIGNER_CONTEXT);
        WatermarkGenerator<RawStep> split0 = strategy.createWatermarkGenerator(GENERATOR_CONTEXT);
        WatermarkGenerator<RawStep> split1 = strategy.createWatermarkGenerator(GENERATOR_CONTEXT);
        Marks out0 = new Marks();
        Marks out1 = new Marks();

        for (RawStep r : List.of(step("a", 0, 5000), RawStep.ofText("{\"key\":\"a\",\"step\":1,\"time\":999999,\"input\":[1,2]}"),
                RawStep.ofText("{\"key\":\"a\",\"step\":1,\"time\":999999"), step("a", 1, 5210))) {
            split0.onEvent(r, assigner.extractTimestamp(r, 0), out0);
        }
        RawStep behind = step("b", 0, 1000);
        split1.onEvent(behind, assigner.extractTimestamp(behind, 0), out1);

        assertThat(out0.emitted).containsExactly(4999L, 5199L);
        assertThat(out1.emitted).containsExactly(999L);
    }

    @Test
    void idlenessIsAddedOnlyWhenGiven() {
        StepSchema schema = new StepSchema(1, 1, false, true);
        assertThat(BucketWatermarks.forRecords(schema, 100, 0, Duration.ZERO).createWatermarkGenerator(GENERATOR_CONTEXT))
                .isInstanceOf(BucketWatermarks.class);
        assertThat(BucketWatermarks.forRecords(schema, 100, 0, BucketWatermarks.IDLENESS)
                .createWatermarkGenerator(GENERATOR_CONTEXT)).isNotInstanceOf(BucketWatermarks.class);
    }

    private static RawStep step(String key, int step, long time) {
        return RawStep.ofText("{\"key\":\"" + key + "\",\"step\":" + step + ",\"time\":" + time + ",\"input\":[0.5]}");
    }
}

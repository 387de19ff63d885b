package dev.bptt.flink;

import static org.apache.flink.api.common.eventtime.TimestampAssigner.NO_TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.records.RawStep;
import dev.bptt.steps.StepSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A step record's event time at the source: its time when ParseSteps will accept it, else none. */
class StepRecordTimeTest {

    private static final StepRecordTime TIME = new StepRecordTime(new StepSchema(2, 1, false, true));
    private static final long KAFKA_TIMESTAMP = 42;

    private static long time(String value) {
        return TIME.extractTimestamp(RawStep.ofText(value), KAFKA_TIMESTAMP);
    }

    @Test
    void aValidRecordHasItsTime() {
        assertThat(time("{\"key\":\"a\",\"step\":0,\"time\":1700000000000,\"input\":[1,2],\"target\":[0.5]}"))
                .isEqualTo(1700000000000L);
        assertThat(time("{\"input\":[1,2],\"last\":true,\"time\":-5,\"step\":3,\"key\":\"a\"}")).isEqualTo(-5);
    }

    @Test
    void theLargestAndSmallestTimesAreRead() {
        assertThat(time("{\"key\":\"a\",\"step\":0,\"time\":9223372036854775807,\"input\":[1,2]}"))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(time("{\"key\":\"a\",\"step\":0,\"time\":-9223372036854775807,\"input\":[1,2]}"))
                .isEqualTo(Long.MIN_VALUE + 1);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        // malformed JSON, also after a readable time
        "{\"key\":\"a\",\"step\":0,\"time\":5,\"input\":[1,2]",
        "{\"time\":5,",
        "not json",
        "",
        "   ",
        "{\"key\":\"a\",\"step\":0,\"time\":5,\"input\":[1,2]} {}",
        // missing or null time
        "{\"key\":\"a\",\"step\":0,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":null,\"input\":[1,2]}",
        // time not an integer
        "{\"key\":\"a\",\"step\":0,\"time\":\"5\",\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":5.5,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":[5],\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":true,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":1e3,\"input\":[1,2]}",
        // time outside a long, or the reserved "no time"
        "{\"key\":\"a\",\"step\":0,\"time\":9223372036854775808,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":100000000000000000000000000000,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":-9223372036854775808,\"input\":[1,2]}",
        // a readable time in a record ParseSteps rejects for another reason
        "{\"key\":\"a\",\"step\":0,\"time\":99999999999999,\"input\":[1,2,3]}",
        "{\"key\":\"a\",\"step\":0,\"time\":99999999999999,\"input\":[1,NaN]}",
        "{\"step\":0,\"time\":99999999999999,\"input\":[1,2]}",
        "{\"key\":\"a\",\"step\":0,\"time\":5,\"time\":6,\"input\":[1,2]}",
    })
    void aRecordParseStepsRejectsHasNoTime(String value) {
        assertThat(time(value)).isEqualTo(NO_TIMESTAMP);
    }

    @Test
    void recordsThatAreNotUtf8OrAbsentHaveNoTime() {
        byte[] latin1 = "{\"key\":\"\u00e9\",\"step\":0,\"time\":5,\"input\":[1,2]}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(TIME.extractTimestamp(new RawStep(latin1, "steps/0/1"), KAFKA_TIMESTAMP)).isEqualTo(NO_TIMESTAMP);
        assertThat(TIME.extractTimestamp(new RawStep(null, "steps/0/2"), KAFKA_TIMESTAMP)).isEqualTo(NO_TIMESTAMP);
    }
}

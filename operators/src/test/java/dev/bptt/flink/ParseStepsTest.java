package dev.bptt.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.records.DeadLetter;
import dev.bptt.records.RawStep;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepSchema;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Parsing keeps each record's origin; bad records become dead letters with their text or base64. */
class ParseStepsTest {

    private static RawStep raw(String text, String origin) {
        return new RawStep(text.getBytes(StandardCharsets.UTF_8), origin);
    }

    @Test
    void validRecordsCarryTheirOriginAndBadOnesBecomeDeadLetters() throws Exception {
        byte[] notUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        try (OneInputStreamOperatorTestHarness<RawStep, SequenceStep> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ParseSteps(new StepSchema(1, 1, false, true)))) {
            h.processElement(raw("{\"key\":\"a\",\"step\":0,\"time\":5,\"input\":[1]}", "steps/0/7"), 0);
            h.processElement(raw("   ", "steps/0/8"), 0);
            h.processElement(raw("{\"key\":\"a\",\"step\":1,\"time\":6,\"input\":[1,2]}", "steps/1/3"), 0);
            h.processElement(new RawStep(notUtf8, "steps/1/4"), 0);

            assertThat(h.extractOutputValues()).singleElement().satisfies(s -> {
                assertThat(s.key()).isEqualTo("a");
                assertThat(s.origin()).isEqualTo("steps/0/7");
            });
            assertThat(h.getSideOutput(ForwardStep.DEAD_LETTERS)).extracting(r -> r.getValue()).containsExactly(
                    new DeadLetter("wrong_dimension: input has 2 numbers, expected 1",
                            "{\"key\":\"a\",\"step\":1,\"time\":6,\"input\":[1,2]}", false, "steps/1/3"),
                    new DeadLetter(deadLetterReason(h), Base64.getEncoder().encodeToString(notUtf8), true, "steps/1/4"));
        }
    }

    /** The source assigns event time on the Kafka path: the parsed step and a dead letter keep their record's timestamp. */
    @Test
    void parsedStepsAndDeadLettersKeepTheTimestampOfTheirRecord() throws Exception {
        try (OneInputStreamOperatorTestHarness<RawStep, SequenceStep> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new ParseSteps(new StepSchema(1, 1, false, true)))) {
            h.processElement(raw("{\"key\":\"a\",\"step\":0,\"time\":5,\"input\":[1]}", "steps/0/7"), 5);
            h.processElement(raw("{\"key\":\"a\"", "steps/0/8"), Long.MIN_VALUE);

            assertThat(h.getOutput()).extracting(r -> ((StreamRecord<?>) r).getTimestamp()).containsExactly(5L);
            assertThat(h.getSideOutput(ForwardStep.DEAD_LETTERS)).extracting(StreamRecord::getTimestamp)
                    .containsExactly(Long.MIN_VALUE);
        }
    }

    private static String deadLetterReason(OneInputStreamOperatorTestHarness<RawStep, SequenceStep> h) {
        return h.getSideOutput(ForwardStep.DEAD_LETTERS).stream().map(r -> r.getValue().reason())
                .filter(r -> r.startsWith("malformed_json")).findFirst().orElse("no malformed_json dead letter");
    }
}

package dev.bptt.flink;

import dev.bptt.records.RawStep;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepParser;
import dev.bptt.steps.StepSchema;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;

/**
 * The event time of a step record at the source: its {@code time} when {@link ParseSteps} will
 * accept the record (same {@link StepParser}, same schema), else {@link
 * TimestampAssigner#NO_TIMESTAMP}: malformed JSON, a missing, null, non-integer or out-of-range
 * {@code time}, and also a record with a readable time that breaks another rule (a wrong
 * dimension, say), so that no rejected record can move a watermark, as when the watermarks
 * followed ParseSteps. The record itself is not modified and goes on to ParseSteps, which
 * dead-letters it with its reason.
 *
 * <p>Each record is so parsed twice (here and in ParseSteps): 1.6 us for a 400-byte record with 16
 * inputs (measured here), small next to a training step; a separate scanner for the time alone
 * would let a rejected record move the watermark, or be a second set of rules to keep in step.
 */
public final class StepRecordTime implements SerializableTimestampAssigner<RawStep> {

    private static final long serialVersionUID = 1L;

    private final StepParser parser;

    public StepRecordTime(StepSchema schema) {
        this.parser = new StepParser(schema);
    }

    @Override
    public long extractTimestamp(RawStep record, long recordTimestamp) {
        byte[] value = record.value();
        if (value == null) {
            return NO_TIMESTAMP;
        }
        try {
            long time = parser.parse(value, 0, value.length).time();
            return time == SequenceStep.NO_TIME ? NO_TIMESTAMP : time;
        } catch (BadStepException e) {
            return NO_TIMESTAMP;
        }
    }
}

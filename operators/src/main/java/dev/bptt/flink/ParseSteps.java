package dev.bptt.flink;

import dev.bptt.records.DeadLetter;
import dev.bptt.records.RawStep;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepParser;
import dev.bptt.steps.StepSchema;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses step records (CONTRACT.md §2); a record that breaks the format goes to the dead letters
 * with its text (base64 when it is not UTF-8) and origin. Blank records are skipped.
 */
public final class ParseSteps extends ProcessFunction<RawStep, SequenceStep> {

    private final StepParser parser;
    /** Records rejected here (counter). */
    private transient Counter deadLetters;

    public ParseSteps(StepSchema schema) {
        this.parser = new StepParser(schema);
    }

    @Override
    public void open(OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter(Metrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(RawStep raw, Context ctx, Collector<SequenceStep> out) {
        byte[] value = raw.value();
        if (value != null && isBlank(value)) {
            return;
        }
        try {
            SequenceStep step = value == null
                    ? parser.parse((String) null)
                    : parser.parse(value, 0, value.length);
            out.collect(raw.origin().isEmpty() ? step : step.withOrigin(raw.origin()));
        } catch (BadStepException e) {
            if (deadLetters != null) {
                deadLetters.inc();
            }
            ctx.output(ForwardStep.DEAD_LETTERS, deadLetter(e.getMessage(), value, raw.origin()));
        }
    }

    /** A dead letter keeping the record's text, or its bytes in base64 where they are not UTF-8. */
    static DeadLetter deadLetter(String reason, byte[] value, String origin) {
        if (value == null) {
            return new DeadLetter(reason, "", false, origin);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString();
            return new DeadLetter(reason, text, false, origin);
        } catch (CharacterCodingException e) {
            return new DeadLetter(reason, Base64.getEncoder().encodeToString(value), true, origin);
        }
    }

    private static boolean isBlank(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}

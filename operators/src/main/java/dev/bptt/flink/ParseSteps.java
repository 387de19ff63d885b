package dev.bptt.flink;

import dev.bptt.records.DeadLetter;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepParser;
import dev.bptt.steps.StepSchema;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses step records (CONTRACT.md §2); a record that breaks the format goes to the dead letters. */
public final class ParseSteps extends ProcessFunction<String, SequenceStep> {

    private final StepParser parser;

    public ParseSteps(StepSchema schema) {
        this.parser = new StepParser(schema);
    }

    @Override
    public void processElement(String line, Context ctx, Collector<SequenceStep> out) {
        if (line.isBlank()) {
            return;
        }
        try {
            out.collect(parser.parse(line));
        } catch (BadStepException e) {
            ctx.output(ForwardStep.DEAD_LETTERS, new DeadLetter(e.getMessage(), line, ""));
        }
    }
}

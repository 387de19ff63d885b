package dev.bptt.flink;

import dev.bptt.records.DeadLetter;
import dev.bptt.steps.BadStepException;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepChecks;
import dev.bptt.steps.StepJson;
import dev.bptt.steps.StepSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * ParseSteps for steps that arrive as objects (a source that builds {@link SequenceStep}s, no
 * text to parse): checks each against the schema ({@link StepChecks}) and passes it on, or sends
 * it to the dead letters as its JSON record with the reason.
 */
public final class CheckSteps extends ProcessFunction<SequenceStep, SequenceStep> {

    private final StepSchema schema;
    /** Steps rejected here (counter). */
    private transient Counter deadLetters;

    public CheckSteps(StepSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter(Metrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(SequenceStep step, Context ctx, Collector<SequenceStep> out) {
        try {
            StepChecks.check(schema, step);
            out.collect(step);
        } catch (BadStepException e) {
            if (deadLetters != null) {
                deadLetters.inc();
            }
            ctx.output(ForwardStep.DEAD_LETTERS, new DeadLetter(e.getMessage(), StepJson.write(step), false, step.origin()));
        }
    }
}

package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job on step objects ({@link TrainingJob#buildFromSteps}: checked, not parsed) trains
 * exactly as on the same steps written as records, and sends a step object that breaks the schema
 * to the dead letters with the reason a record would get.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StepObjectsITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.LSTM, 3, 4, 2);
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 3, 5, OptimizerKind.SGD, 0.05, 0.5,
            0, Reduction.MEAN, 500, 0);

    @Test
    void stepObjectsTrainAsTheirRecordsAndBadOnesAreDeadLettered() throws Exception {
        Parameters initial = ParameterInit.uniform(SHAPE, 11);
        List<SequenceStep> valid = TrainingInputs.mixed(SHAPE, Loss.MSE, 6, 17);
        SequenceStep first = valid.get(0);
        // after the last valid step's time, so they never move a watermark past a valid step
        long late = valid.stream().mapToLong(SequenceStep::time).max().orElseThrow();
        List<SequenceStep> bad = List.of(
                new SequenceStep("bad-dim", 0, late, new double[] {1, 2}, null, SequenceStep.NO_CLASS, true),
                new SequenceStep("bad-nan", 0, late, new double[] {1, Double.NaN, 3}, null, SequenceStep.NO_CLASS, true),
                new SequenceStep("bad-target", 0, late, first.input(), new double[] {1, 2, 3}, SequenceStep.NO_CLASS, true),
                new SequenceStep("bad-class", 0, late, first.input(), null, 1, true),
                new SequenceStep("", 0, late, first.input(), null, SequenceStep.NO_CLASS, true));
        List<String> codes = List.of("wrong_dimension", "non_finite", "wrong_dimension", "bad_target", "wrong_type");
        List<SequenceStep> objects = new ArrayList<>(valid);
        objects.addAll(bad);

        JobOutput records = run(valid, initial, OPTIONS, 2);
        JobOutput out = runStepObjects(objects, initial, OPTIONS, 2);

        assertTrainsLikeTheReference(out, valid, initial, OPTIONS);
        assertThat(out.updates()).hasSameSizeAs(records.updates());
        assertSameParameters(out.finalParams(initial), records.finalParams(initial), "final parameters vs the records");
        assertThat(out.predictions()).hasSameSizeAs(records.predictions());
        assertThat(out.deadLetters()).hasSameSizeAs(bad);
        for (int i = 0; i < bad.size(); i++) {
            String record = StepJson.write(bad.get(i));
            List<DeadLetter> letters = out.deadLetters().stream().filter(d -> d.record().equals(record)).toList();
            assertThat(letters).as("dead letters of %s", record).hasSize(1);
            assertThat(letters.get(0).reason()).as("reason of %s", record).startsWith(codes.get(i) + ": ");
        }
    }
}

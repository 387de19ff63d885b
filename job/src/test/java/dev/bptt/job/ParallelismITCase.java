package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONTRACT.md §4, staleness: with a fixed staleness the result is a function of the input and
 * options alone, the same at any parallelism. An LSTM trained with Adam and clipping (which
 * must actually clip) at parallelism 1, 2 and 4 ends with the same parameters, version for
 * version, as each other and as the reference trainer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParallelismITCase extends TrainingJobTestBase {

    private static final double CLIP = 0.3;

    @ParameterizedTest(name = "staleness {0}")
    @ValueSource(ints = {0, 2})
    void parametersDoNotDependOnParallelism(int staleness) throws Exception {
        ModelShape shape = new ModelShape(CellKind.LSTM, 3, 4, 2);
        Parameters initial = ParameterInit.uniform(shape, 5 + staleness);
        TrainingOptions options = new TrainingOptions(Loss.MSE, 2, 5, OptimizerKind.ADAM, 0.02, 0, CLIP,
                Reduction.MEAN, 600, staleness);
        List<SequenceStep> steps = TrainingInputs.mixed(shape, Loss.MSE, 16, 31 + staleness);

        JobOutput p1 = run(steps, initial, options, 1);
        JobOutput p2 = run(steps, initial, options, 2);
        JobOutput p4 = run(steps, initial, options, SLOTS);

        ReferenceTrainer.Result reference = assertTrainsLikeTheReference(p1, steps, initial, options);
        assertTrainsLikeTheReference(p2, steps, initial, options);
        assertTrainsLikeTheReference(p4, steps, initial, options);
        assertThat(reference.versions()).as("updates").hasSizeGreaterThan(8);
        assertThat(reference.versions()).as("updates whose gradient was clipped")
                .anySatisfy(v -> assertThat(v.gradNorm()).isGreaterThan(CLIP));
        for (int i = 0; i < p1.updates().size(); i++) {
            double[] one = p1.updates().get(i).params();
            assertSameParameters(p2.updates().get(i).params(), one, "version " + (i + 1) + " at parallelism 2 vs 1");
            assertSameParameters(p4.updates().get(i).params(), one, "version " + (i + 1) + " at parallelism 4 vs 1");
        }
    }
}

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
import dev.bptt.records.ParameterVersion;
import dev.bptt.steps.SequenceStep;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The streaming job on a MiniCluster ends with the reference trainer's parameters (1e-9). */
class TrainingJobITCase extends TrainingJobTestBase {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(CellKind.RNN, Loss.MSE, OptimizerKind.SGD, 0.0, 0.0, 0, 1),
                Arguments.of(CellKind.GRU, Loss.XENT, OptimizerKind.SGD, 0.9, 0.5, 2, 2),
                Arguments.of(CellKind.LSTM, Loss.MSE, OptimizerKind.ADAM, 0.0, 0.0, 0, 4),
                Arguments.of(CellKind.LSTM, Loss.XENT, OptimizerKind.ADAM, 0.0, 0.05, 2, 2));
    }

    @ParameterizedTest(name = "{0} {1} {2} momentum={3} clip={4} staleness={5} parallelism={6}")
    @MethodSource("cases")
    void jobEndsWithTheReferenceTrainersParameters(CellKind cell, Loss loss, OptimizerKind optimizer, double momentum,
            double clip, int staleness, int parallelism) throws Exception {
        ModelShape shape = new ModelShape(cell, 3, 5, 3);
        Parameters initial = ParameterInit.uniform(shape, 17);
        TrainingOptions options = new TrainingOptions(loss, 3, 5, optimizer, optimizer.defaultLr() * 10, momentum,
                clip, Reduction.MEAN, 700, staleness);
        List<SequenceStep> steps = TrainingInputs.mixed(shape, loss, 12, 99 + staleness);

        ReferenceTrainer.Result expected = ReferenceTrainer.train(initial, options, steps);
        List<ParameterVersion> versions = run(steps, initial, options, parallelism).versions();

        List<ParameterVersion> updates = versions.stream().filter(ParameterVersion::isUpdate).toList();
        assertThat(updates).hasSize(expected.versions().size());
        assertThat(expected.versions().size()).isGreaterThan(5);
        double[] actual = updates.get(updates.size() - 1).params();
        double[] want = expected.finalParams().toFlat();
        for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(actual[i] - want[i])).as("parameter %d", i)
                    .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(want[i])));
        }
    }
}

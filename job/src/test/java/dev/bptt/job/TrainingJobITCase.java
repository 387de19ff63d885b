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
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The streaming job on a MiniCluster ends with the reference trainer's parameters (1e-9). */
class TrainingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

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
        List<ParameterVersion> versions = run(steps, initial, options, parallelism);

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

    static List<ParameterVersion> run(List<SequenceStep> steps, Parameters initial, TrainingOptions options,
            int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        List<String> lines = steps.stream().map(StepJson::write).toList();
        DataStream<String> source = env.fromData(lines);
        TrainingJob.Outputs outputs = TrainingJob.build(source, initial, options, 0, parallelism);
        List<ParameterVersion> out = new ArrayList<>();
        try (CloseableIterator<ParameterVersion> it = outputs.versions().executeAndCollect("training-itcase")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}

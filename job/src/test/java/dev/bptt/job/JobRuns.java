package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.ParameterVersion;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** Running the training job on the test MiniCluster and comparing its parameters. */
final class JobRuns {

    private JobRuns() {}

    /** All version messages of a bounded run over {@code steps} (rendered as JSON lines), in order. */
    static List<ParameterVersion> run(List<SequenceStep> steps, Parameters initial, TrainingOptions options,
            int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        TrainingJob.Outputs outputs = TrainingJob.build(env.fromData(steps.stream().map(StepJson::write).toList()),
                initial, options, 0, parallelism);
        List<ParameterVersion> out = new ArrayList<>();
        try (CloseableIterator<ParameterVersion> it = outputs.versions().executeAndCollect("training-test")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Every value within 1e-9 relative (absolute below 1). */
    static void assertParametersClose(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("parameter %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(expected[i])));
        }
    }
}

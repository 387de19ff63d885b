package dev.bptt.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.cli.UsageException;
import dev.bptt.connectors.files.DeadLetterSink;
import dev.bptt.connectors.files.ParameterFileSink;
import dev.bptt.job.report.MetricsCsv;
import dev.bptt.job.report.VersionMetrics;
import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterArrays;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster entry point's job on a MiniCluster: its command line, the steps file source, and the
 * run folder its sinks write (params-final.npz equal to the reference trainer's, one metrics row
 * per update, one dead-letter line per bad record), with checkpoints on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterTrainingITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 3, 4, 2);

    @Test
    void theRunFolderHoldsTheReferenceParametersTheMetricsAndTheDeadLetters(@TempDir Path dir) throws Exception {
        Parameters initial = ParameterInit.uniform(SHAPE, 5);
        Path params = dir.resolve("init.npz");
        ParameterArrays.write(params, initial, java.util.Map.of());
        List<SequenceStep> valid = TrainingInputs.mixed(SHAPE, Loss.MSE, 12, 9);
        List<String> lines = new ArrayList<>(valid.stream().map(StepJson::write).toList());
        lines.add(3, "{\"key\":\"broken\",");
        lines.add(10, "{\"key\":\"k\",\"step\":0,\"time\":1,\"input\":[1]}");
        Path steps = dir.resolve("steps.jsonl");
        Files.write(steps, lines, UTF_8);
        Path out = dir.resolve("run");

        ClusterMain command = ClusterMain.parse("--params", params.toString(), "--steps", steps.toString(),
                "--k1", "3", "--k2", "5", "--optimizer", "adam", "--lr", "0.02", "--clip-norm", "1.0",
                "--bucket-ms", "700", "--staleness", "1", "--parallelism", "2", "--out", out.toString(),
                "--checkpoint-interval-ms", "100", "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
        Configuration conf = command.configuration();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis()).isEqualTo(100);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        command.define(env);
        env.execute("cluster-training-itcase");

        TrainingOptions options = new TrainingOptions(Loss.MSE, 3, 5, OptimizerKind.ADAM, 0.02, 0, 1.0,
                Reduction.MEAN, 700, 1);
        ReferenceTrainer.Result expected = ReferenceTrainer.train(initial, options, valid);
        assertSameParameters(ParameterArrays.read(out.resolve(ParameterFileSink.PARAMS)).toFlat(),
                expected.finalParams().toFlat(), "params-final.npz");
        List<VersionMetrics> rows = MetricsCsv.read(out.resolve(ParameterFileSink.METRICS));
        assertThat(rows.stream().map(VersionMetrics::version).toList()).as("one row per version, in order")
                .isEqualTo(expected.versions().stream().map(ReferenceTrainer.Version::version).toList());
        assertThat(Files.readAllLines(out.resolve(DeadLetterSink.FILE), UTF_8)).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("broken"))
                .anySatisfy(l -> assertThat(l).contains("wrong_dimension"));
    }

    @Test
    void badOptionsNameTheOption() {
        assertThatThrownBy(() -> ClusterMain.parse("--params", "p.npz", "--steps", "s.jsonl", "--k1", "2",
                "--bucket-ms", "10", "--out", "o", "--checkpoint-interval-ms", "x"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--checkpoint-interval-ms");
        assertThatThrownBy(() -> ClusterMain.parse("--params", "p.npz", "--steps", "s.jsonl", "--k1", "2",
                "--bucket-ms", "10", "--out", "o", "--checkpoint-interval-ms", "-1").configuration())
                .isInstanceOf(UsageException.class).hasMessageContaining("--checkpoint-interval-ms");
        assertThat(ClusterMain.parse("--help")).isNull();
    }

    @Test
    void stepsAreAPathOrAUri() {
        assertThat(ClusterTraining.stepsPath("file:///data/steps.jsonl").toUri().toString())
                .isEqualTo("file:///data/steps.jsonl");
        assertThat(ClusterTraining.stepsPath("s3://bucket/steps.jsonl").toUri().getScheme()).isEqualTo("s3");
        assertThat(ClusterTraining.stepsPath("rel/steps.jsonl").toUri().getPath())
                .isEqualTo(Path.of("rel/steps.jsonl").toAbsolutePath().toString());
    }
}

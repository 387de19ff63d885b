package dev.bptt.job;

import dev.bptt.connectors.files.DeadLetterSink;
import dev.bptt.connectors.files.ParameterFileSink;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The training job as a cluster runs it: steps from a file every TaskManager can read, results
 * into a run folder every TaskManager can write, through sinks instead of a client that collects
 * them ({@link ParameterFileSink}: {@code params-final.npz} and {@code metrics.csv};
 * {@link DeadLetterSink}: {@code dead-letters.jsonl}). Source and sinks run at parallelism 1.
 */
public final class ClusterTraining {

    /**
     * One run.
     *
     * @param steps the steps file: a URI ({@code file:///...}, {@code s3://...}) or a local path
     * @param out the run folder (a local path here; on a real cluster a shared mount)
     */
    public record Run(String steps, Parameters initial, TrainingOptions options, long outOfOrdernessMs,
            int parallelism, Path out) {}

    private ClusterTraining() {}

    /** Adds the job to {@code env}; run it with {@code env.execute}. */
    public static void define(StreamExecutionEnvironment env, Run run) {
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), stepsPath(run.steps()))
                .build();
        DataStream<String> lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), "steps")
                .uid(OperatorIds.STEPS_SOURCE).setParallelism(1);
        TrainingJob.Outputs outputs = TrainingJob.build(TrainingJob.records(lines), run.initial(), run.options(),
                run.outOfOrdernessMs(), run.parallelism());
        String out = run.out().toAbsolutePath().toString();
        outputs.versions()
                .sinkTo(new ParameterFileSink(out, run.initial(), run.options().bucketMs()))
                .name("ParameterFiles").uid(OperatorIds.PARAMETER_FILES).setParallelism(1);
        outputs.deadLetters()
                .sinkTo(new DeadLetterSink(out))
                .name("DeadLetterFile").uid(OperatorIds.DEAD_LETTER_FILE).setParallelism(1);
    }

    /** A URI as it is; anything without a scheme is a local path, made absolute. */
    static org.apache.flink.core.fs.Path stepsPath(String steps) {
        if (hasScheme(steps)) {
            return new org.apache.flink.core.fs.Path(steps);
        }
        return new org.apache.flink.core.fs.Path(Path.of(steps).toAbsolutePath().toUri());
    }

    /** True for {@code scheme:/...} (a URI), false for a plain path. */
    static boolean hasScheme(String location) {
        return location.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*");
    }
}

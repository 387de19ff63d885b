package dev.bptt.bench.e2e;

import dev.bptt.job.LocalTraining;
import dev.bptt.job.TrainingJob;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The whole training job ({@link TrainingJob#build}, or {@link TrainingJob#buildFromSteps} for
 * step objects) as {@code bptt train} runs it, with the
 * bench's probes around it: {@link ArrivalStamp} chained to the source, {@link VersionStamp}
 * chained to the versions, dead letters counted, and (for state-size runs) predictions counted,
 * chained to the forward operator. Nothing else is added to the graph.
 */
public final class BenchJob {

    /** Where the steps come from. */
    public enum Input {
        /** A generator of step objects: no text, the job checks them ({@link TrainingJob#buildFromSteps}). */
        STEPS,
        /** A generator of JSON lines, parsed by the job. */
        GENERATOR,
        /** A JSONL file, read and parsed by the job. */
        FILE
    }

    /**
     * @param file the steps file (for {@link Input#FILE})
     * @param holdOpen keep the job running after the workload (state-size runs; generator only)
     */
    public record Spec(String runId, Workload workload, Parameters initial, TrainingOptions options, int parallelism,
            Input input, Path file, boolean holdOpen) {}

    private BenchJob() {}

    /** Adds the job to {@code env}. */
    public static void build(StreamExecutionEnvironment env, Spec spec) {
        env.setParallelism(1);
        TrainingJob.Outputs out;
        if (spec.input() == Input.STEPS) {
            out = TrainingJob.buildFromSteps(steps(env, spec.workload(), spec.runId()), spec.initial(), spec.options(), 0,
                    spec.parallelism());
        } else {
            DataStream<String> lines = env.fromSource(source(spec), WatermarkStrategy.noWatermarks(), "steps")
                    .map(new ArrivalStamp<String>(spec.runId()), Types.STRING).name("ArrivalStamp");
            out = TrainingJob.build(TrainingJob.records(lines), spec.initial(), spec.options(), 0, spec.parallelism());
        }
        out.versions().map(new VersionStamp(spec.runId()), Types.LONG).name("VersionStamp")
                .sinkTo(new DiscardingSink<>()).name("versions");
        out.deadLetters().map(new Tally<>(spec.runId(), Tally.What.DEAD_LETTERS), Types.BOOLEAN)
                .sinkTo(new DiscardingSink<>()).name("dead-letters");
        if (spec.holdOpen()) {
            out.predictions().map(new Tally<>(spec.runId(), Tally.What.PREDICTIONS), Types.BOOLEAN)
                    .setParallelism(spec.parallelism()).sinkTo(new DiscardingSink<>())
                    .setParallelism(spec.parallelism()).name("predictions");
        }
    }

    /**
     * The {@link Input#STEPS} input: a generator of {@code w}'s steps in input order, each stamped
     * on arrival in run {@code runId}'s {@link RunClock}, at parallelism 1.
     */
    static DataStream<SequenceStep> steps(StreamExecutionEnvironment env, Workload w, String runId) {
        TypeInformation<SequenceStep> type = TypeInformation.of(SequenceStep.class);
        return env.fromSource(new DataGeneratorSource<>(w::step, w.records(), type), WatermarkStrategy.noWatermarks(),
                        "steps").setParallelism(1)
                .map(new ArrivalStamp<SequenceStep>(runId), type).name("ArrivalStamp").setParallelism(1);
    }

    private static Source<String, ?, ?> source(Spec spec) {
        if (spec.input() == Input.FILE) {
            return LocalTraining.fileSource(spec.file());
        }
        long count = spec.holdOpen() ? Long.MAX_VALUE : spec.workload().records();
        return new DataGeneratorSource<>(new HeldOpenLines(spec.workload()), count, Types.STRING);
    }
}

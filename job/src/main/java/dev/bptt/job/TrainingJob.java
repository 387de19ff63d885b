package dev.bptt.job;

import dev.bptt.flink.BucketWatermarks;
import dev.bptt.flink.ForwardStep;
import dev.bptt.flink.ParameterUpdate;
import dev.bptt.flink.ParseSteps;
import dev.bptt.flink.TbpttBackward;
import dev.bptt.model.Loss;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.RawStep;
import dev.bptt.records.Prediction;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The training dataflow of DESIGN.md on one page: source lines in, versions and side streams out. */
public final class TrainingJob {

    /**
     * Network buffer timeout on the edges of the parameter loop. Every bucket waits for one round
     * trip (watermark forward, partial sums and version back), so Flink's default 100 ms flush
     * interval would bound training at ten buckets a second; measured on the demo, 1 ms ran it
     * in 8.4 s instead of 43 s (0 ms: 10.3 s).
     */
    static final long LOOP_BUFFER_TIMEOUT_MS = 1;

    /** What the job produces. */
    public record Outputs(
            DataStream<ParameterVersion> versions, DataStream<Prediction> predictions, DataStream<DeadLetter> deadLetters) {}

    private TrainingJob() {}

    /** Lines of text (a file, a generator) as step records with no origin. */
    public static DataStream<RawStep> records(DataStream<String> lines) {
        return lines.map(RawStep::ofText, TypeInformation.of(RawStep.class)).name("Records").uid(OperatorIds.RECORDS);
    }

    /**
     * Builds the graph on {@code lines}' environment.
     *
     * @param records step records (CONTRACT.md §2) with their origin, one per element
     * @param parallelism of the keyed forward and backward operators (and the loop's tail)
     */
    public static Outputs build(DataStream<RawStep> records, Parameters initial, TrainingOptions options,
            long outOfOrdernessMs, int parallelism) {
        return build(records, initial, options, outOfOrdernessMs, parallelism, new InJobLoop());
    }

    /** As above, with the parameter loop closed through {@code loop}. */
    public static Outputs build(DataStream<RawStep> records, Parameters initial, TrainingOptions options,
            long outOfOrdernessMs, int parallelism, ParameterLoop loop) {
        StepSchema schema = new StepSchema(initial.shape().inputSize(), initial.shape().outputSize(),
                options.loss() == Loss.XENT, true);

        // parse + validate; bad records to the dead letters
        SingleOutputStreamOperator<SequenceStep> parsed = records
                .process(new ParseSteps(schema), TypeInformation.of(SequenceStep.class))
                .name("ParseSteps").uid(OperatorIds.PARSE);
        // event time, bucket-aligned watermarks
        DataStream<SequenceStep> timed = parsed
                .assignTimestampsAndWatermarks(BucketWatermarks.strategy(options.bucketMs(), outOfOrdernessMs))
                .name("BucketWatermarks").uid(OperatorIds.WATERMARKS).setBufferTimeout(LOOP_BUFFER_TIMEOUT_MS);
        // keyed forward pass with the version each bucket must use
        SingleOutputStreamOperator<TrainingStep> forward = timed
                .keyBy(SequenceStep::key, Types.STRING)
                .transform("ForwardStep", TypeInformation.of(TrainingStep.class), new ForwardStep(initial, options, loop.inlet(), ForwardStep.DEFAULT_BATCH_KEYS))
                .uid(OperatorIds.FORWARD).setParallelism(parallelism);
        forward.getTransformation().setCoLocationGroupKey(OperatorIds.LOOP);
        // keyed windowed backward pass, chained on the same keys; local sums per bucket
        DataStream<GradientPartial> partials = DataStreamUtils
                .reinterpretAsKeyedStream(forward, TrainingStep::key, Types.STRING)
                .transform("TbpttBackward", TypeInformation.of(GradientPartial.class), new TbpttBackward(initial, options))
                .uid(OperatorIds.BACKWARD).setParallelism(parallelism).setBufferTimeout(LOOP_BUFFER_TIMEOUT_MS);
        // global sum per bucket and one update per bucket
        SingleOutputStreamOperator<ParameterVersion> versions = partials
                .transform("ParameterUpdate", TypeInformation.of(ParameterVersion.class), new ParameterUpdate(initial, options))
                .uid(OperatorIds.UPDATE).setParallelism(1).setMaxParallelism(1).setBufferTimeout(LOOP_BUFFER_TIMEOUT_MS);
        // the loop: every version back to every forward subtask
        loop.close(versions.getSideOutput(ParameterUpdate.LOOP), parallelism);

        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(ForwardStep.DEAD_LETTERS)
                .union(forward.getSideOutput(ForwardStep.DEAD_LETTERS));
        return new Outputs(versions, forward.getSideOutput(ForwardStep.PREDICTIONS), deadLetters);
    }
}

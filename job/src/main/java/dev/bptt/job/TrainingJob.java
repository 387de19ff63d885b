package dev.bptt.job;

import dev.bptt.flink.BucketWatermarks;
import dev.bptt.flink.CheckSteps;
import dev.bptt.flink.ForwardStep;
import dev.bptt.flink.ParameterUpdate;
import dev.bptt.flink.ParseSteps;
import dev.bptt.flink.SequenceStepTypeInfo;
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

/** The training dataflow of DESIGN.md on one page: step records (or step objects) in, versions and side streams out. */
public final class TrainingJob {

    /**
     * Network buffer timeout on the edges of the parameter loop (partial sums to the update,
     * versions back to the forward operators): 0, every record and watermark leaves at once.
     * Every bucket waits for one round trip (watermark forward, partial sums and progress or
     * version back), and with staleness 0 the round trips run one after the other, so each
     * flush interval on the way adds to every bucket. Flink's default 100 ms would bound training
     * at ten buckets a second; 1 ms still waited up to 1 ms per hop: the whole-job benchmark (file
     * input, 1,000 keys x 256 steps, 2 cores, load 3-7, back-to-back runs) went from 92-136k to
     * 127-173k steps/s with 0. (An earlier graph measured 0 ms slower than 1 ms on the demo, 10.3 s
     * against 8.4 s, with the steps' edge at 0 ms as well.)
     */
    static final long LOOP_BUFFER_TIMEOUT_MS = 0;

    /**
     * Network buffer timeout of the parsed steps on their way to the forward operators: the
     * source reads ahead of the loop (ForwardStep.LOOKAHEAD_BUCKETS), so full buffers matter more
     * than latency here, and 0 would flush a buffer per record.
     */
    static final long STEPS_BUFFER_TIMEOUT_MS = 1;

    /** What the job produces. */
    public record Outputs(
            DataStream<ParameterVersion> versions, DataStream<Prediction> predictions, DataStream<DeadLetter> deadLetters) {}

    /**
     * Where the steps get their event time and watermarks (both bucket-aligned, {@link BucketWatermarks}).
     *
     * @param atSource true: the source assigned them per split ({@link BucketWatermarks#forRecords}
     *     given to {@code env.fromSource}), and the graph keeps them (ParseSteps passes each record's
     *     timestamp on); false: the graph assigns them after parsing, over the whole stream
     * @param outOfOrdernessMs the out-of-orderness bound of the watermarks the graph assigns (unused
     *     when {@code atSource})
     */
    public record EventTime(boolean atSource, long outOfOrdernessMs) {

        /** Assigned by the graph after parsing: one watermark over all the source's records. */
        public static EventTime afterParsing(long outOfOrdernessMs) {
            return new EventTime(false, outOfOrdernessMs);
        }

        /** Already assigned at the source, per split. */
        public static EventTime atTheSource() {
            return new EventTime(true, 0);
        }
    }

    private TrainingJob() {}

    /** Lines of text (a file, a generator) as step records with no origin. */
    public static DataStream<RawStep> records(DataStream<String> lines) {
        return lines.map(RawStep::ofText, TypeInformation.of(RawStep.class)).name("Records").uid(OperatorIds.RECORDS);
    }

    /** The schema ParseSteps checks step records against (and a source's timestamp assigner must use). */
    public static StepSchema schema(Parameters initial, TrainingOptions options) {
        return new StepSchema(initial.shape().inputSize(), initial.shape().outputSize(), options.loss() == Loss.XENT, true);
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
        return build(records, EventTime.afterParsing(outOfOrdernessMs), initial, options, parallelism, loop);
    }

    /** As above, with event time assigned where {@code eventTime} says. */
    public static Outputs build(DataStream<RawStep> records, EventTime eventTime, Parameters initial,
            TrainingOptions options, int parallelism, ParameterLoop loop) {
        enableObjectReuse(records);
        // parse + validate; bad records to the dead letters
        SingleOutputStreamOperator<SequenceStep> parsed = records
                .process(new ParseSteps(schema(initial, options)), SequenceStepTypeInfo.INSTANCE)
                .name("ParseSteps").uid(OperatorIds.PARSE);
        return train(parsed, eventTime, initial, options, parallelism, loop);
    }

    /**
     * Builds the graph on steps that a source made as objects (no text to parse, as the bench's
     * generator, or a source with its own binary format): each is checked against the schema
     * ({@link CheckSteps}, bad ones to the dead letters as JSON records), then trained as above,
     * with the in-job loop and watermarks assigned after the check.
     */
    public static Outputs buildFromSteps(DataStream<SequenceStep> steps, Parameters initial, TrainingOptions options,
            long outOfOrdernessMs, int parallelism) {
        return train(checked(steps, initial, options), EventTime.afterParsing(outOfOrdernessMs), initial, options,
                parallelism, new InJobLoop());
    }

    /** {@link #buildFromSteps}' first operator: each step checked against the schema, bad ones to its {@link ForwardStep#DEAD_LETTERS}. */
    public static SingleOutputStreamOperator<SequenceStep> checked(DataStream<SequenceStep> steps, Parameters initial,
            TrainingOptions options) {
        enableObjectReuse(steps);
        return steps.process(new CheckSteps(schema(initial, options)), SequenceStepTypeInfo.INSTANCE)
                .name("CheckSteps").uid(OperatorIds.CHECK);
    }

    /**
     * Chained operators pass records on without a deep copy: every operator here emits new
     * records and copies what it keeps (rings, states), and none modifies its input. The copies
     * were 3-4% of the source thread (SequenceStep, RawStep) and of each forward thread.
     */
    private static void enableObjectReuse(DataStream<?> input) {
        input.getExecutionEnvironment().getConfig().enableObjectReuse();
    }

    /**
     * Checked steps with their event time and bucket-aligned watermarks (assigned here unless the
     * source did), leaving on an edge with {@link #STEPS_BUFFER_TIMEOUT_MS}: what the keyed forward
     * operators take (and the benchmark's record path, without them).
     */
    public static SingleOutputStreamOperator<SequenceStep> timed(SingleOutputStreamOperator<SequenceStep> parsed,
            EventTime eventTime, TrainingOptions options) {
        SingleOutputStreamOperator<SequenceStep> timed = eventTime.atSource() ? parsed : parsed
                .assignTimestampsAndWatermarks(BucketWatermarks.strategy(options.bucketMs(), eventTime.outOfOrdernessMs()))
                .name("BucketWatermarks").uid(OperatorIds.WATERMARKS);
        timed.setBufferTimeout(STEPS_BUFFER_TIMEOUT_MS);
        return timed;
    }

    /** The graph from checked steps on: event time, forward, backward, update, loop. */
    private static Outputs train(SingleOutputStreamOperator<SequenceStep> parsed, EventTime eventTime,
            Parameters initial, TrainingOptions options, int parallelism, ParameterLoop loop) {
        // keyed forward pass with the version each bucket must use
        SingleOutputStreamOperator<TrainingStep> forward = timed(parsed, eventTime, options)
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

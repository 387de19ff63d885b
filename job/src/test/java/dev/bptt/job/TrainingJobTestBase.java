package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.Parameters;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.Prediction;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the job ITCases share: a MiniCluster (one per test class, 4 slots), running {@link
 * TrainingJob} on it while collecting all three outputs (versions, dead letters, predictions),
 * and the comparison of a run with the Flink-free {@link ReferenceTrainer}.
 */
abstract class TrainingJobTestBase {

    /** Slots of the one TaskManager: the highest parallelism a test may use. */
    static final int SLOTS = 4;

    /** Parameters agree when {@code |a - b| <= TOLERANCE * max(1, |b|)}. */
    static final double TOLERANCE = 1e-9;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(SLOTS)
                    .setConfiguration(Loopback.only(new Configuration())).build());

    /** Everything one run of the job emitted, in arrival order per stream. */
    record JobOutput(List<ParameterVersion> versions, List<DeadLetter> deadLetters, List<Prediction> predictions) {

        /** The messages that made a new version (not the progress-only ones). */
        List<ParameterVersion> updates() {
            return versions.stream().filter(ParameterVersion::isUpdate).toList();
        }

        /** The newest parameters: those of the last update, or {@code initial} when there was none. */
        double[] finalParams(Parameters initial) {
            List<ParameterVersion> updates = updates();
            return updates.isEmpty() ? initial.toFlat() : updates.get(updates.size() - 1).params();
        }

        /** Steps counted by the updates (a bucket's steps count only when the bucket made an update). */
        long trainedSteps() {
            return updates().stream().mapToLong(ParameterVersion::steps).sum();
        }
    }

    /** Runs the job on {@code steps} written as records, from a collection source (parallelism 1). */
    static JobOutput run(List<SequenceStep> steps, Parameters initial, TrainingOptions options, int parallelism)
            throws Exception {
        return runLines(steps.stream().map(StepJson::write).toList(), initial, options, parallelism);
    }

    /** Runs the job on raw record lines (valid or not), from a collection source (parallelism 1). */
    static JobOutput runLines(List<String> lines, Parameters initial, TrainingOptions options, int parallelism)
            throws Exception {
        return run(env -> env.fromData(lines), 1, initial, options, parallelism);
    }

    /**
     * Runs the job on the source {@code source} makes, until it ends.
     *
     * @param sourceParallelism the environment's default parallelism: that of the source (unless it
     *     sets its own), the parser and the watermark assigner
     * @param parallelism of the keyed forward and backward operators
     */
    static JobOutput run(Function<StreamExecutionEnvironment, DataStream<String>> source, int sourceParallelism,
            Parameters initial, TrainingOptions options, int parallelism) throws Exception {
        return start(source, sourceParallelism, initial, options, parallelism, new Configuration()).await();
    }

    /** A job started on the MiniCluster whose three outputs are being drained. */
    record RunningJob(JobClient client, ExecutorService drains, Future<List<ParameterVersion>> versions,
            Future<List<DeadLetter>> deadLetters, Future<List<Prediction>> predictions,
            List<ParameterVersion> versionsSoFar) {

        /** Waits for the end of the job and its outputs. */
        JobOutput await() throws Exception {
            try {
                JobOutput out = new JobOutput(versions.get(), deadLetters.get(), predictions.get());
                JobExecutionResult result = client.getJobExecutionResult().get();
                assertThat(result.getJobID()).as("the job ended").isEqualTo(client.getJobID());
                return out;
            } finally {
                drains.shutdownNow();
            }
        }
    }

    /**
     * Starts the job on the source {@code source} makes, with {@code extra} configuration (e.g. a
     * savepoint to restore).
     */
    static RunningJob start(Function<StreamExecutionEnvironment, DataStream<String>> source, int sourceParallelism,
            Parameters initial, TrainingOptions options, int parallelism, Configuration extra) throws Exception {
        Configuration conf = new Configuration(extra);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(sourceParallelism);
        TrainingJob.Outputs outputs = TrainingJob.build(TrainingJob.records(source.apply(env)), initial, options, 0,
                parallelism);
        return start(env, outputs);
    }

    /**
     * Runs the job on step objects ({@link TrainingJob#buildFromSteps}: checked, not parsed), from
     * a collection source (parallelism 1).
     */
    static JobOutput runStepObjects(List<SequenceStep> steps, Parameters initial, TrainingOptions options,
            int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        DataStream<SequenceStep> source = env.fromData(TypeInformation.of(SequenceStep.class), steps.toArray(SequenceStep[]::new));
        return start(env, TrainingJob.buildFromSteps(source, initial, options, 0, parallelism)).await();
    }

    /** Starts the job built on {@code env}, draining its three outputs. */
    private static RunningJob start(StreamExecutionEnvironment env, TrainingJob.Outputs outputs) throws Exception {
        CloseableIterator<ParameterVersion> versions = outputs.versions().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = outputs.deadLetters().collectAsync();
        CloseableIterator<Prediction> predictions = outputs.predictions().collectAsync();
        JobClient client = env.executeAsync("training-itcase");
        // Drain all three at once, each on its own thread: a collect sink whose buffer is full blocks its task.
        ExecutorService drains = Executors.newFixedThreadPool(3);
        List<ParameterVersion> soFar = new java.util.concurrent.CopyOnWriteArrayList<>();
        return new RunningJob(client, drains, drains.submit(() -> drain(versions, soFar)),
                drains.submit(() -> drain(deadLetters, new ArrayList<>())),
                drains.submit(() -> drain(predictions, new ArrayList<>())), soFar);
    }

    private static <T> List<T> drain(CloseableIterator<T> it, List<T> out) throws Exception {
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** {@code actual} equals {@code expected} to {@link #TOLERANCE}, element by element. */
    static void assertSameParameters(double[] actual, double[] expected, String what) {
        assertThat(actual).as("%s: parameter count", what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s: parameter %d (%s vs %s)", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(TOLERANCE * Math.max(1, Math.abs(expected[i])));
        }
    }

    /**
     * The run trained exactly as the reference trainer does on {@code valid}: the same updates
     * (version, bucket, loss terms; loss and gradient norm to {@link #TOLERANCE}) and final
     * parameters; every valid step ran forward once, with the version its bucket must use; and
     * the updates counted every step of the buckets that made an update.
     *
     * @return the reference result
     */
    static ReferenceTrainer.Result assertTrainsLikeTheReference(JobOutput out, List<SequenceStep> valid,
            Parameters initial, TrainingOptions options) {
        ReferenceTrainer.Result expected = ReferenceTrainer.train(initial, options, valid);
        List<ParameterVersion> updates = out.updates();
        assertThat(updates).as("updates").hasSize(expected.versions().size());
        for (int i = 0; i < updates.size(); i++) {
            ParameterVersion got = updates.get(i);
            ReferenceTrainer.Version want = expected.versions().get(i);
            assertThat(got.version()).as("update %d: version", i).isEqualTo(want.version());
            assertThat(got.bucket()).as("update %d: bucket", i).isEqualTo(want.bucket());
            assertThat(got.lossTerms()).as("update %d: loss terms", i).isEqualTo(want.lossTerms());
            assertThat(Math.abs(got.lossSum() - want.lossSum())).as("update %d: loss sum", i)
                    .isLessThanOrEqualTo(TOLERANCE * Math.max(1, Math.abs(want.lossSum())));
            assertThat(Math.abs(got.gradNorm() - want.gradNorm())).as("update %d: gradient norm", i)
                    .isLessThanOrEqualTo(TOLERANCE * Math.max(1, Math.abs(want.gradNorm())));
        }
        assertSameParameters(out.finalParams(initial), expected.finalParams().toFlat(), "final parameters");

        // every valid step made exactly one prediction, with the version of its bucket
        assertThat(out.predictions().stream().map(TrainingJobTestBase::id).sorted().toList()).as("predicted steps")
                .isEqualTo(valid.stream().map(TrainingJobTestBase::id).sorted().toList());
        TreeMap<Long, Long> versionAfterBucket = new TreeMap<>();
        for (ReferenceTrainer.Version v : expected.versions()) {
            versionAfterBucket.put(v.bucket(), v.version());
        }
        for (Prediction p : out.predictions()) {
            var entry = versionAfterBucket.floorEntry(options.bucketOf(p.time()) - options.staleness() - 1);
            assertThat(p.version()).as("version used by %s step %d", p.key(), p.step())
                    .isEqualTo(entry == null ? 0 : entry.getValue());
        }

        // the steps the updates report: all steps of the buckets that made an update
        Set<Long> updated = expected.versions().stream().map(ReferenceTrainer.Version::bucket)
                .filter(b -> b != GradientPartial.END_OF_INPUT).collect(Collectors.toSet());
        long steps = valid.stream().filter(s -> updated.contains(options.bucketOf(s.time()))).count();
        assertThat(out.trainedSteps()).as("steps counted by the updates").isEqualTo(steps);
        return expected;
    }

    /** A step's identity: key, step number and time (a restarted key repeats step numbers). */
    static String id(SequenceStep s) {
        return s.key() + "#" + s.step() + "@" + s.time();
    }

    static String id(Prediction p) {
        return p.key() + "#" + p.step() + "@" + p.time();
    }

    /** Steps sorted by time, stable (input order among equal times). */
    static List<SequenceStep> byTime(List<SequenceStep> steps) {
        List<SequenceStep> sorted = new ArrayList<>(steps);
        sorted.sort(Comparator.comparingLong(SequenceStep::time));
        return sorted;
    }
}

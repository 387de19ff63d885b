package dev.bptt.job;

import dev.bptt.connectors.kafka.DeadLetterSerializer;
import dev.bptt.connectors.kafka.KafkaConnectors;
import dev.bptt.connectors.kafka.KafkaSettings;
import dev.bptt.connectors.kafka.KafkaTopics;
import dev.bptt.connectors.kafka.PredictionSerializer;
import dev.bptt.connectors.kafka.PublishedVersions;
import dev.bptt.connectors.kafka.VersionSerializer;
import dev.bptt.flink.BucketWatermarks;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.RawStep;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;

/**
 * A training run on Kafka, on the embedded MiniCluster (or the cluster of the calling context): the
 * steps topic into {@link TrainingJob}, parameter versions, predictions and dead letters out to
 * their topics, exactly once while checkpointing is on. It runs until stopped (Ctrl-C or SIGTERM
 * cancel the job, and {@link #run} returns normally), or, with bounded settings, until the end of
 * what the steps topic held when it started. Failures restart the job from its last checkpoint
 * ({@link #RESTART_ATTEMPTS} times, {@link #RESTART_DELAY} apart).
 */
public final class KafkaTraining {

    /**
     * What to run.
     *
     * @param parallelism of the keyed operators (the source reads at parallelism 1)
     * @param checkpointIntervalMs > 0: checkpoints this often, outputs exactly once (visible to
     *     {@code read_committed} consumers when a checkpoint completes); 0: no checkpoints, outputs
     *     at least once and at once
     */
    public record Run(KafkaSettings kafka, Parameters initial, TrainingOptions options, long outOfOrdernessMs,
            int parallelism, long checkpointIntervalMs) {}

    /**
     * How a run ended.
     *
     * @param stopped true when a signal stopped it, false when its (bounded) input ended
     * @param createdTopics the topics it had to create
     */
    public record Summary(boolean stopped, List<String> createdTopics, double seconds) {}

    static final int RESTART_ATTEMPTS = 10;
    static final Duration RESTART_DELAY = Duration.ofSeconds(1);

    private KafkaTraining() {}

    /**
     * Creates the missing topics, runs the job and waits until it ends or a signal stops it.
     *
     * @param log where to say what runs, with a progress line every few seconds (null: silent)
     * @throws Exception when the job fails for good (after its restarts)
     */
    public static Summary run(Run run, PrintStream log) throws Exception {
        List<String> created = KafkaTopics.ensure(run.kafka());
        if (log != null && !created.isEmpty()) {
            log.println("created topics " + String.join(", ", created));
        }
        long started = System.nanoTime();
        try (EmbeddedEnvironment embedded = EmbeddedEnvironment.create(configuration(run))) {
            boolean stopped = train(embedded.env(), run, log);
            return new Summary(stopped, created, seconds(started));
        }
    }

    /** Runs the job on {@code env} until it ends (false) or a signal stops it (true). */
    private static boolean train(StreamExecutionEnvironment env, Run run, PrintStream log) throws Exception {
        env.setParallelism(1);
        if (run.checkpointIntervalMs() > 0) {
            env.enableCheckpointing(run.checkpointIntervalMs());
        }
        TrainingJob.Outputs outputs = build(env, run);
        publish(outputs, run);
        if (log != null) {
            outputs.versions().flatMap(new ProgressLines(run.options()), Types.STRING).name("ProgressLines")
                    .sinkTo(new PrintSink<>(true)).name("progress");
        }
        JobClient client = env.executeAsync("bptt train " + run.kafka().modelId() + " <- " + run.kafka().stepsTopic());
        if (log != null) {
            log.println("training from " + run.kafka().bootstrap() + " " + run.kafka().topics()
                    + (run.kafka().bounded() ? " to the current end" : " until stopped (Ctrl-C)"));
        }
        try (StopSignals signals = StopSignals.install(() -> client.cancel())) {
            try {
                client.getJobExecutionResult().get();
                return false;
            } catch (ExecutionException e) {
                if (signals.requested()) {
                    return true;
                }
                throw new IllegalStateException("the training job failed: " + rootCause(e), e);
            }
        }
    }

    /**
     * The configuration of a run: generic types off, fixed-delay restarts, on the embedded
     * MiniCluster's online settings ({@link EmbeddedCluster#forOnlineRun}); the job sets default
     * parallelism 1 (source, parser, sinks) and checkpoints every {@link Run#checkpointIntervalMs}
     * (if > 0).
     */
    private static Configuration configuration(Run run) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, RESTART_ATTEMPTS);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, RESTART_DELAY);
        return EmbeddedCluster.forOnlineRun(conf);
    }

    /**
     * The steps topic into the training graph, the loop in the job or through the loop topic. Event
     * time is assigned at the source, per partition ({@link #watermarks}).
     */
    private static TrainingJob.Outputs build(StreamExecutionEnvironment env, Run run) {
        DataStream<RawStep> records = env
                .fromSource(KafkaConnectors.source(run.kafka()), watermarks(run), "kafka-steps")
                .uid(OperatorIds.KAFKA_STEPS);
        ParameterLoop loop = run.kafka().loopTopic() == null ? new InJobLoop() : new KafkaLoop(run.kafka());
        return TrainingJob.build(records, TrainingJob.EventTime.atTheSource(), run.initial(), run.options(),
                run.parallelism(), loop);
    }

    /**
     * Bucket-aligned watermarks per partition of the steps topic: a record is late only against the
     * records of its own partition, and the job's watermark is the minimum over the partitions, so
     * with every sequence in one partition the run depends on each partition's content, not on how
     * the reads interleave. An unbounded run leaves a partition without records out of the minimum
     * after {@link BucketWatermarks#IDLENESS} of wall-clock time (the one thing a clock decides); a
     * bounded run needs no idleness: a partition read to its end is left out of the minimum.
     */
    private static WatermarkStrategy<RawStep> watermarks(Run run) {
        return BucketWatermarks.forRecords(TrainingJob.schema(run.initial(), run.options()), run.options().bucketMs(),
                run.outOfOrdernessMs(), run.kafka().bounded() ? Duration.ZERO : BucketWatermarks.IDLENESS);
    }

    /**
     * The outputs to their topics: each version once (updates only, see {@link PublishedVersions}),
     * every prediction, every dead letter (to standard error when there is no dead-letter topic).
     */
    private static void publish(TrainingJob.Outputs outputs, Run run) {
        KafkaSettings kafka = run.kafka();
        boolean exactlyOnce = run.checkpointIntervalMs() > 0;
        if (kafka.paramsTopic() != null) {
            VersionSerializer serializer = new VersionSerializer(kafka.paramsTopic(), kafka.modelId(),
                    run.initial().shape(), run.options());
            outputs.versions().filter(new PublishedVersions()).name("PublishedVersions")
                    .uid(OperatorIds.PUBLISHED_VERSIONS).setParallelism(1)
                    .sinkTo(KafkaConnectors.sink(kafka, "params", serializer, exactlyOnce))
                    .name("kafka-params").uid(OperatorIds.KAFKA_PARAMS).setParallelism(1);
        }
        if (kafka.predictionsTopic() != null) {
            outputs.predictions()
                    .sinkTo(KafkaConnectors.sink(kafka, "predictions", new PredictionSerializer(kafka.predictionsTopic()),
                            exactlyOnce))
                    .name("kafka-predictions").uid(OperatorIds.KAFKA_PREDICTIONS).setParallelism(run.parallelism());
        }
        if (kafka.deadLetterTopic() != null) {
            outputs.deadLetters()
                    .sinkTo(KafkaConnectors.sink(kafka, "dead-letters", new DeadLetterSerializer(kafka.deadLetterTopic()),
                            exactlyOnce))
                    .name("kafka-dead-letters").uid(OperatorIds.KAFKA_DEAD_LETTERS);
        } else {
            outputs.deadLetters().map(new DeadLetterText(), Types.STRING).name("DeadLetterText")
                    .sinkTo(new PrintSink<>(true)).name("dead-letters").uid(OperatorIds.PRINT_DEAD_LETTERS);
        }
    }

    /** A dead letter as the JSON of the dead-letter topic. */
    private static final class DeadLetterText implements MapFunction<DeadLetter, String> {
        @Override
        public String map(DeadLetter d) {
            return "dead letter " + new String(DeadLetterSerializer.value(d), StandardCharsets.UTF_8);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}

package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bptt.connectors.kafka.KafkaSettings;
import dev.bptt.connectors.kafka.LoopRecords;
import dev.bptt.connectors.kafka.StartingOffsets;
import dev.bptt.connectors.kafka.VersionSerializer;
import dev.bptt.flink.FaultInjection;
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
import dev.bptt.npz.Npz;
import dev.bptt.records.ParameterVersion;
import dev.bptt.steps.SequenceStep;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job on Kafka (issue #4), against an in-JVM broker: step records with bad ones among them are
 * read from a topic, and the versions, predictions and dead letters a {@code read_committed}
 * consumer sees are exactly those of the file path and the reference trainer, each once, also
 * when the job fails in the middle and restarts from a checkpoint.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KafkaTrainingITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 3, 4, 2);
    private static final Parameters INITIAL = ParameterInit.uniform(SHAPE, 5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** What a read_committed consumer sees on the three output topics. */
    private record Published(List<ConsumerRecord<byte[], byte[]>> params, List<ConsumerRecord<byte[], byte[]>> predictions,
            List<ConsumerRecord<byte[], byte[]>> deadLetters) {}

    @Test
    void publishesEveryVersionPredictionAndDeadLetterOfATopic() throws Exception {
        TrainingOptions options = options(500);
        KafkaInputs.Input input = KafkaInputs.withBadRecords(TrainingInputs.mixed(SHAPE, Loss.MSE, 8, 41), SHAPE);
        KafkaSettings settings = settings("e2e");
        assertThat(kafka.topics()).as("topics before the run").doesNotContain(settings.paramsTopic());
        kafka.produce(input.records(settings.stepsTopic()));

        KafkaTraining.Summary summary = KafkaTraining.run(new KafkaTraining.Run(settings, INITIAL, options, 0, 2, 500), null);

        assertThat(summary.stopped()).isFalse();
        assertThat(summary.createdTopics()).containsExactlyInAnyOrder(settings.paramsTopic(), settings.predictionsTopic(),
                settings.deadLetterTopic());
        Published out = read(settings);
        ReferenceTrainer.Result expected = ReferenceTrainer.train(INITIAL, options, input.valid());
        assertVersions(out.params(), expected, options, settings.modelId());
        assertPredictions(out.predictions(), input.valid(), expected, options);
        assertDeadLetters(out.deadLetters(), input, settings.stepsTopic());
    }

    @Test
    void trainsTheSameParametersAsTheFilePathAndTheReferenceTrainer() throws Exception {
        TrainingOptions options = options(400);
        KafkaInputs.Input input = KafkaInputs.withBadRecords(TrainingInputs.mixed(SHAPE, Loss.MSE, 10, 7), SHAPE);
        KafkaSettings settings = settings("same");
        kafka.produce(input.records(settings.stepsTopic()));

        KafkaTraining.run(new KafkaTraining.Run(settings, INITIAL, options, 0, 2, 500), null);
        List<double[]> fromKafka = read(settings).params().stream().map(KafkaTrainingITCase::params).toList();
        JobOutput fromFile = runLines(input.lines(), INITIAL, options, 2);
        ReferenceTrainer.Result reference = ReferenceTrainer.train(INITIAL, options, input.valid());

        List<ParameterVersion> fileVersions = fromFile.updates();
        assertThat(fromKafka).as("versions").hasSameSizeAs(fileVersions).hasSize(reference.versions().size());
        for (int i = 0; i < fromKafka.size(); i++) {
            assertSameParameters(fromKafka.get(i), fileVersions.get(i).params(), "version " + (i + 1) + " vs the file path");
        }
        assertSameParameters(fromKafka.get(fromKafka.size() - 1), reference.finalParams().toFlat(),
                "final parameters vs the reference trainer");
    }

    /**
     * {@code --loop kafka}: the versions go back to the forward operators through the loop topic,
     * which already holds a record of an earlier run of the same model (a version 1 of other
     * parameters that would complete every bucket). The run ignores it and publishes what the
     * reference trainer makes; the loop topic holds every update bit for bit as published, and
     * progress marks.
     */
    @Test
    void theLoopThroughKafkaTrainsWhatTheReferenceTrainerTrains() throws Exception {
        TrainingOptions options = options(400);
        KafkaInputs.Input input = KafkaInputs.withBadRecords(TrainingInputs.mixed(SHAPE, Loss.MSE, 10, 11), SHAPE);
        KafkaSettings settings = settings("kafka-loop").withLoopTopic("kafka-loop-loop");
        kafka.createTopic(settings.loopTopic(), 1);
        double[] stale = ParameterInit.uniform(SHAPE, 99).toFlat();
        kafka.produce(List.of(new ProducerRecord<>(settings.loopTopic(), settings.modelId().getBytes(StandardCharsets.UTF_8),
                LoopRecords.encode(new ParameterVersion(1, Long.MAX_VALUE - 1, 0, stale, 1, 1, 1, 1, 0)))));
        kafka.produce(input.records(settings.stepsTopic()));

        KafkaTraining.run(new KafkaTraining.Run(settings, INITIAL, options, 0, 2, 500), null);

        Published out = read(settings);
        ReferenceTrainer.Result expected = ReferenceTrainer.train(INITIAL, options, input.valid());
        assertVersions(out.params(), expected, options, settings.modelId());
        assertPredictions(out.predictions(), input.valid(), expected, options);
        assertDeadLetters(out.deadLetters(), input, settings.stepsTopic());
        List<ParameterVersion> loop = kafka.readCommitted(settings.loopTopic()).stream()
                .skip(1).map(r -> LoopRecords.decode(r.value())).toList();
        Map<Long, double[]> looped = new TreeMap<>();
        loop.stream().filter(ParameterVersion::isUpdate).forEach(m -> looped.put(m.version(), m.params()));
        assertThat(looped).as("updates on the loop topic").hasSameSizeAs(out.params());
        for (ConsumerRecord<byte[], byte[]> published : out.params()) {
            assertThat(looped.get(header(published, VersionSerializer.VERSION)))
                    .as("loop message of version %d", header(published, VersionSerializer.VERSION))
                    .isEqualTo(params(published));
        }
        assertThat(loop).as("progress marks on the loop topic").anyMatch(m -> !m.isUpdate());
    }

    /**
     * A steps topic of three partitions, each sequence in one of them (records keyed by sequence),
     * written one partition after the other, so the reader meets the whole time range of one
     * partition before the next one's. Every partition's records are judged late only against that
     * partition's own times, so nothing valid is late and the run is the reference trainer's: the
     * same versions, every valid step predicted, only the bad records dead-lettered. A fourth
     * partition stays empty: read to its end at once, it does not hold the watermark back.
     */
    @Test
    void aPartitionReadBehindTheOthersIsNotLate() throws Exception {
        int partitions = 3;
        TrainingOptions options = options(300);
        KafkaInputs.Input input = KafkaInputs.withBadRecords(TrainingInputs.mixed(SHAPE, Loss.MSE, 12, 23), SHAPE);
        assertThat(IntStream.range(0, input.values().size()).map(i -> input.partition(i, partitions)).distinct())
                .as("partitions holding records").hasSize(partitions);
        KafkaSettings settings = settings("partitions", partitions + 1);
        kafka.produce(input.recordsByPartition(settings.stepsTopic(), partitions));

        KafkaTraining.run(new KafkaTraining.Run(settings, INITIAL, options, 0, 2, 500), null);

        Published out = read(settings);
        ReferenceTrainer.Result expected = ReferenceTrainer.train(INITIAL, options, input.valid());
        assertDeadLetters(out.deadLetters(), input, settings.stepsTopic(), partitions);
        assertVersions(out.params(), expected, options, settings.modelId());
        assertPredictions(out.predictions(), input.valid(), expected, options);
    }

    /**
     * Checkpoints every 200 ms; an operator fails once (the {@link FaultInjection} seam), on its
     * first record after a checkpoint completed, and the job restarts from that checkpoint.
     * What read_committed consumers see is what the uninterrupted run (the reference trainer)
     * makes, each record once: the transactions of the failed attempt are aborted, the restored one
     * writes from the checkpoint on. With the loop in the job and through Kafka (where the
     * restored forward subtasks read the loop topic on from their checkpointed positions, through
     * what the failed attempt wrote).
     */
    @ParameterizedTest(name = "loop through Kafka: {0}, failing: {1}")
    @CsvSource({"false, update", "true, update", "true, forward"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRestartFromACheckpointPublishesEachOutputOnceAndTrainsTheSameParameters(boolean kafkaLoop, String failing)
            throws Exception {
        TrainingOptions options = options(100);
        KafkaInputs.Input input = KafkaInputs.withBadRecords(KafkaInputs.steady(SHAPE, 8, 1200, 50, 3), SHAPE);
        String name = "restart-" + failing + (kafkaLoop ? "-kafka-loop" : "");
        KafkaSettings settings = settings(name);
        if (kafkaLoop) {
            settings = settings.withLoopTopic(name + "-loop");
        }
        kafka.produce(input.records(settings.stepsTopic()));

        FaultInjection.arm(failing, 1, true);
        try {
            KafkaTraining.run(new KafkaTraining.Run(settings, INITIAL, options, 0, 2, 200), null);
            assertThat(FaultInjection.fired(failing)).as("failed once after a checkpoint").isTrue();
        } finally {
            FaultInjection.reset();
        }

        Published out = read(settings);
        ReferenceTrainer.Result expected = ReferenceTrainer.train(INITIAL, options, input.valid());
        assertDeadLetters(out.deadLetters(), input, settings.stepsTopic());
        assertVersions(out.params(), expected, options, settings.modelId());
        assertPredictions(out.predictions(), input.valid(), expected, options);
    }

    private static TrainingOptions options(long bucketMs) {
        return new TrainingOptions(Loss.MSE, 3, 5, OptimizerKind.ADAM, 0.02, 0, 1.0, Reduction.MEAN, bucketMs, 0);
    }

    /** Settings of a bounded run on fresh topics named after {@code test}, a steps topic of one partition. */
    private static KafkaSettings settings(String test) throws Exception {
        return settings(test, 1);
    }

    /** Settings of a bounded run on fresh topics named after {@code test}. */
    private static KafkaSettings settings(String test, int stepsPartitions) throws Exception {
        String steps = test + "-steps";
        kafka.createTopic(steps, stepsPartitions);
        return new KafkaSettings(kafka.bootstrap(), steps, test + "-params", test + "-predictions", test + "-dead-letters",
                "group-" + test, StartingOffsets.EARLIEST, "model-" + test, Map.of(), true);
    }

    private static Published read(KafkaSettings settings) {
        return new Published(kafka.readCommitted(settings.paramsTopic()), kafka.readCommitted(settings.predictionsTopic()),
                kafka.readCommitted(settings.deadLetterTopic()));
    }

    /**
     * The params topic holds versions 1..N once each, in order: key = model id, headers as the
     * reference's updates, value an .npz whose final parameters are the reference's.
     */
    private static void assertVersions(List<ConsumerRecord<byte[], byte[]>> records, ReferenceTrainer.Result expected,
            TrainingOptions options, String modelId) throws Exception {
        assertThat(records).as("published versions").hasSize(expected.versions().size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            ReferenceTrainer.Version want = expected.versions().get(i);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(modelId);
            assertThat(header(r, VersionSerializer.VERSION)).as("version of record %d", i).isEqualTo(want.version());
            long bucketEnd = want.bucket() == ReferenceTrainer.Version.END_OF_INPUT ? -1 : options.bucketEnd(want.bucket());
            assertThat(header(r, VersionSerializer.BUCKET_END)).as("bucket_end of version %d", want.version())
                    .isEqualTo(bucketEnd);
            double lossMean = Double.parseDouble(new String(r.headers().lastHeader(VersionSerializer.LOSS_MEAN).value(),
                    StandardCharsets.UTF_8));
            assertThat(lossMean).as("loss_mean of version %d", want.version())
                    .isCloseTo(want.lossSum() / want.lossTerms(), org.assertj.core.data.Offset.offset(TOLERANCE));
        }
        assertSameParameters(params(records.get(records.size() - 1)), expected.finalParams().toFlat(), "final parameters");
    }

    /** Every valid step predicted once, with the version its bucket must use. */
    private static void assertPredictions(List<ConsumerRecord<byte[], byte[]>> records, List<SequenceStep> valid,
            ReferenceTrainer.Result expected, TrainingOptions options) throws Exception {
        TreeMap<Long, Long> versionAfterBucket = new TreeMap<>();
        expected.versions().forEach(v -> versionAfterBucket.put(v.bucket(), v.version()));
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode p = JSON.readTree(r.value());
            String id = p.get("key").asText() + "#" + p.get("step").asLong() + "@" + p.get("time").asLong();
            ids.add(id);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(p.get("key").asText());
            assertThat(p.get("prediction").size()).as("prediction of %s", id).isEqualTo(SHAPE.outputSize());
            var entry = versionAfterBucket.floorEntry(options.bucketOf(p.get("time").asLong()) - options.staleness() - 1);
            assertThat(p.get("version").asLong()).as("version used by %s", id).isEqualTo(entry == null ? 0 : entry.getValue());
        }
        Map<String, Long> seen = new TreeMap<>();
        ids.forEach(id -> seen.merge(id, 1L, Long::sum));
        assertThat(seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).limit(20).toList())
                .as("steps predicted more than once").isEmpty();
        List<String> wanted = valid.stream().map(TrainingJobTestBase::id).toList();
        List<String> missing = wanted.stream().filter(id -> !seen.containsKey(id)).toList();
        assertThat(missing.stream().limit(20).toList()).as("steps not predicted: %d of %d, the last %s", missing.size(),
                wanted.size(), missing.isEmpty() ? "-" : missing.get(missing.size() - 1)).isEmpty();
        assertThat(seen).as("predicted steps").hasSameSizeAs(wanted);
    }

    /** As below, on a steps topic of one partition. */
    private static void assertDeadLetters(List<ConsumerRecord<byte[], byte[]>> records, KafkaInputs.Input input,
            String stepsTopic) throws Exception {
        assertDeadLetters(records, input, stepsTopic, 1);
    }

    /**
     * Each bad record once, with its reason, its record (base64 when not UTF-8) and where it was read
     * (the partition and offset {@link KafkaInputs.Input#recordsByPartition} gave it).
     */
    private static void assertDeadLetters(List<ConsumerRecord<byte[], byte[]>> records, KafkaInputs.Input input,
            String stepsTopic, int partitions) throws Exception {
        Map<String, JsonNode> byOrigin = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode d = JSON.readTree(r.value());
            String origin = d.get("partition").asInt() + "/" + d.get("offset").asLong();
            assertThat(byOrigin.put(origin, d)).as("dead letters of %s", origin).isNull();
        }
        assertThat(records).as("dead letters, the first of them: %s",
                byOrigin.values().stream().map(d -> d.get("reason").asText()).limit(3).toList())
                .hasSameSizeAs(input.bad());
        for (KafkaInputs.Bad bad : input.bad()) {
            JsonNode d = byOrigin.get(input.partition(bad.index(), partitions) + "/" + input.offset(bad.index(), partitions));
            assertThat(d).as("dead letter of record %d", bad.index()).isNotNull();
            assertThat(d.get("reason").asText()).as("reason of record %d", bad.index()).startsWith(bad.code() + ": ");
            assertThat(d.get("topic").asText()).isEqualTo(stepsTopic);
            if (bad.utf8()) {
                assertThat(d.get("record").asText()).isEqualTo(bad.text());
                assertThat(d.has("encoding")).isFalse();
            } else {
                assertThat(d.get("encoding").asText()).isEqualTo("base64");
                assertThat(Base64.getDecoder().decode(d.get("record").asText())).isEqualTo(bad.value());
            }
        }
    }

    private static long header(ConsumerRecord<byte[], byte[]> r, String name) {
        return Long.parseLong(new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8));
    }

    /** A params record's value, loaded as a parameters file is. */
    private static double[] params(ConsumerRecord<byte[], byte[]> r) {
        try {
            return ParameterArrays.fromArrays(Npz.read(r.value())).toFlat();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

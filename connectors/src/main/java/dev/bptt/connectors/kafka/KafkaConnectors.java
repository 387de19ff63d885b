package dev.bptt.connectors.kafka;

import dev.bptt.records.ParameterVersion;
import dev.bptt.records.RawStep;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/** The job's Kafka source and sinks, configured from {@link KafkaSettings}. */
public final class KafkaConnectors {

    /**
     * Producer transaction timeout unless set with a property: the broker's default maximum (15
     * min). It must exceed the checkpoint interval plus the time a restart takes, or the broker
     * aborts a transaction that a checkpoint still has to commit.
     */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(15 * 60 * 1000);

    /**
     * The timestamp of every record the job writes: none, so the producer stamps the time of
     * writing. Not the event time (it is in each value, and in the {@code bucket_end} header): a
     * topic's time-based retention deletes a segment whose newest timestamp is older than
     * {@code retention.ms}, so records stamped with the event time of replayed or historic data
     * (steps from last month) would be deleted as soon as their segment rolled.
     */
    static final Long WRITE_TIME = null;

    private KafkaConnectors() {}

    /**
     * The steps topic: every record as a {@link RawStep} with its origin, read committed (records of
     * aborted upstream transactions are skipped), offsets committed to the group on each checkpoint.
     * Bounded settings stop at the offsets that are the latest when the run starts.
     */
    public static KafkaSource<RawStep> source(KafkaSettings settings) {
        Properties props = settings.clientProperties();
        props.putIfAbsent("isolation.level", "read_committed");
        KafkaSourceBuilder<RawStep> builder = KafkaSource.<RawStep>builder()
                .setProperties(props)
                .setBootstrapServers(settings.bootstrap())
                .setTopics(settings.stepsTopic())
                .setGroupId(settings.groupId())
                .setClientIdPrefix(settings.transactionalIdPrefix("steps"))
                .setStartingOffsets(settings.startingOffsets().initializer())
                .setDeserializer(new StepRecordDeserializer());
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * A sink writing {@code output}'s records. With {@code exactlyOnce} (checkpointing on) records
     * are written in Kafka transactions committed when a checkpoint completes, so a
     * {@code read_committed} consumer sees each once, also across restarts; the transactional id
     * prefix is {@link KafkaSettings#transactionalIdPrefix}. Without, at least once.
     */
    public static <T> KafkaSink<T> sink(KafkaSettings settings, String output, KafkaRecordSerializationSchema<T> schema,
            boolean exactlyOnce) {
        Properties props = settings.clientProperties();
        props.putIfAbsent("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(props)
                .setBootstrapServers(settings.bootstrap())
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix(output))
                .build();
    }

    /**
     * The loop sink: every loop message to {@link KafkaSettings#loopTopic}, at once ({@code linger.ms}
     * 0: a bucket waits for its version) and at least once, without transactions: the forward
     * operators read uncommitted and take each message once ({@link KafkaLoopInlet}).
     */
    public static KafkaSink<ParameterVersion> loopSink(KafkaSettings settings) {
        Properties props = settings.clientProperties();
        props.putIfAbsent("linger.ms", "0");
        return KafkaSink.<ParameterVersion>builder()
                .setKafkaProducerConfig(props)
                .setBootstrapServers(settings.bootstrap())
                .setRecordSerializer(new LoopRecords(settings.loopTopic(), settings.modelId()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}

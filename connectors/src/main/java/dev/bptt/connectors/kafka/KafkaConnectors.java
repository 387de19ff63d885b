package dev.bptt.connectors.kafka;

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
}

package dev.bptt.connectors.kafka;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Where a run starts reading the steps topic. */
public enum StartingOffsets {
    /** The whole topic: a new run sees what the last one saw. */
    EARLIEST,
    /** Only records produced after the run starts. */
    LATEST,
    /** After the offsets the consumer group committed (at its last completed checkpoint); earliest when none. */
    COMMITTED;

    /** The KafkaSource initializer for this choice. */
    @SuppressWarnings("deprecation") // the connector's committedOffsets still takes OffsetResetStrategy
    public OffsetsInitializer initializer() {
        return switch (this) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}

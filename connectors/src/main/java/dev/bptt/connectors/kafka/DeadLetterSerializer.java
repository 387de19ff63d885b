package dev.bptt.connectors.kafka;

import dev.bptt.records.DeadLetter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A dead letter as a record of the dead-letter topic (no key): value =
 * {@code {"reason":..,"record":..,"topic":..,"partition":..,"offset":..}}, UTF-8 JSON, where
 * {@code record} is the original record text and topic/partition/offset say where it was read
 * (null/-1/-1 when unknown). A record that was not UTF-8 is kept as base64, marked by
 * {@code "encoding":"base64"}.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, null, value(d));
    }

    /** The JSON value. */
    public static byte[] value(DeadLetter d) {
        Origin origin = Origin.parse(d.origin());
        return Json.object(g -> {
            g.writeStringField("reason", d.reason());
            g.writeStringField("record", d.record());
            if (d.base64()) {
                g.writeStringField("encoding", "base64");
            }
            g.writeStringField("topic", origin.topic());
            g.writeNumberField("partition", origin.partition());
            g.writeNumberField("offset", origin.offset());
        });
    }
}

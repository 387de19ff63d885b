package dev.bptt.connectors.kafka;

import dev.bptt.records.Prediction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A prediction as a record of the predictions topic: key = the sequence key, value =
 * {@code {"key":..,"step":..,"time":..,"prediction":[y_0,..],"version":..}} (UTF-8 JSON; a
 * non-finite y_j is written as the string "NaN", "Infinity" or "-Infinity").
 */
public final class PredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {

    private final String topic;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Prediction p, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, p.key().getBytes(StandardCharsets.UTF_8), value(p));
    }

    /** The JSON value. */
    static byte[] value(Prediction p) {
        return Json.object(g -> {
            g.writeStringField("key", p.key());
            g.writeNumberField("step", p.step());
            g.writeNumberField("time", p.time());
            g.writeArrayFieldStart("prediction");
            for (double y : p.prediction()) {
                g.writeNumber(y);
            }
            g.writeEndArray();
            g.writeNumberField("version", p.version());
        });
    }
}

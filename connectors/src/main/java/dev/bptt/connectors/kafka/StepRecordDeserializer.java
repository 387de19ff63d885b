package dev.bptt.connectors.kafka;

import dev.bptt.records.RawStep;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A steps-topic record as the job's input: its value bytes, unparsed (ParseSteps parses and
 * dead-letters them), and its origin {@code topic/partition/offset}. The key is not used: the
 * sequence key is the {@code key} field of the value.
 */
public final class StepRecordDeserializer implements KafkaRecordDeserializationSchema<RawStep> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawStep> out) {
        out.collect(new RawStep(record.value(), Origin.format(record.topic(), record.partition(), record.offset())));
    }

    @Override
    public TypeInformation<RawStep> getProducedType() {
        return TypeInformation.of(RawStep.class);
    }
}

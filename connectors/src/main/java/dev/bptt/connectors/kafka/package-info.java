/**
 * Kafka in and out of the training job: the steps topic as a {@link
 * org.apache.flink.connector.kafka.source.KafkaSource} of {@link dev.bptt.records.RawStep}s that
 * remember their {@code topic/partition/offset}; parameter versions (.npz), predictions and dead
 * letters (JSON) as transactional {@link org.apache.flink.connector.kafka.sink.KafkaSink}s; topic
 * creation with the Admin client. The record formats are in the README ("Online learning from
 * Kafka").
 */
package dev.bptt.connectors.kafka;

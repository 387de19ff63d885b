package dev.bptt.connectors.kafka;

import dev.bptt.loop.LoopInlet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The loop through Kafka: every forward subtask reads all loop messages of its model from the loop
 * topic ({@link LoopRecords}, written by the job's loop sink) on a reader thread of its own.
 * A first start reads from the offsets the topic ended at when the run was submitted
 * ({@link #startingAtEnd}), so records of earlier runs are never taken; a restored subtask reads
 * from its checkpointed positions. It reads {@code read_uncommitted}: the loop sink writes without
 * transactions, and what a failed attempt wrote is, with a fixed staleness, bit for bit what the
 * restored attempt writes again (training is a function of the input), so it is old news.
 */
public final class KafkaLoopInlet implements LoopInlet {

    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> clientProperties;
    private final String topic;
    private final String modelId;
    private final HashMap<Integer, Long> startOffsets;

    private KafkaLoopInlet(Map<String, String> clientProperties, String topic, String modelId,
            Map<Integer, Long> startOffsets) {
        this.clientProperties = new HashMap<>(clientProperties);
        this.topic = topic;
        this.modelId = modelId;
        this.startOffsets = new HashMap<>(startOffsets);
    }

    /** An inlet that starts at the loop topic's current end (asks the broker now: call it before submitting). */
    public static KafkaLoopInlet startingAtEnd(KafkaSettings settings) {
        Map<String, String> props = new HashMap<>();
        settings.clientProperties().forEach((k, v) -> props.put((String) k, (String) v));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(props, "bptt-loop-" + settings.modelId() + "-offsets")) {
            List<TopicPartition> partitions = partitions(consumer, settings.loopTopic());
            Map<Integer, Long> end = new HashMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(60)).forEach((tp, offset) -> end.put(tp.partition(), offset));
            return new KafkaLoopInlet(props, settings.loopTopic(), settings.modelId(), end);
        }
    }

    @Override
    public Subscription open(String jobId, int subtask, int attempt, Map<Integer, Long> resumeAt, Listener listener) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(clientProperties, "bptt-loop-" + modelId + "-" + subtask);
        try {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long at = resumeAt.getOrDefault(tp.partition(), startOffsets.get(tp.partition()));
                if (at == null) {
                    consumer.seekToBeginning(List.of(tp)); // a partition added after the run started
                } else {
                    consumer.seek(tp, at);
                }
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        LoopReader reader = new LoopReader(consumer, modelId, listener);
        Thread thread = new Thread(reader, "bptt-loop-reader-" + topic + "-" + subtask + "#" + attempt);
        thread.setDaemon(true);
        thread.start();
        return reader;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(60));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("the loop topic " + topic + " does not exist");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /**
     * A consumer with no group (partitions are assigned, offsets kept in Flink state), reading
     * uncommitted records, failing on an offset that is gone (retention) instead of skipping.
     */
    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, String> clientProperties, String clientId) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.remove("group.id");
        props.setProperty("client.id", clientId);
        props.setProperty("enable.auto.commit", "false");
        props.setProperty("isolation.level", "read_uncommitted");
        props.setProperty("auto.offset.reset", "none");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}

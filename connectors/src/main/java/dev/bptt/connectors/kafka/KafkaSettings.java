package dev.bptt.connectors.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a training run reads and writes in Kafka.
 *
 * @param bootstrap {@code host:port[,host:port...]}
 * @param stepsTopic the step records (CONTRACT.md §2), one JSON object per record value
 * @param paramsTopic parameter versions (.npz), or null: not published
 * @param predictionsTopic predictions (JSON), or null: not published
 * @param deadLetterTopic dead letters (JSON), or null: written to standard error instead
 * @param groupId the source's consumer group (committed offsets) and part of the transactional ids
 * @param modelId the key of every parameter version record, and part of the transactional ids
 * @param properties passed to every Kafka client (consumer, producers, admin), e.g. {@code security.protocol}
 * @param bounded read only up to the offsets that are the latest when the run starts, then end
 *     (tests); false: run until stopped
 */
public record KafkaSettings(String bootstrap, String stepsTopic, String paramsTopic, String predictionsTopic,
        String deadLetterTopic, String groupId, StartingOffsets startingOffsets, String modelId,
        Map<String, String> properties, boolean bounded) {

    public KafkaSettings {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(stepsTopic, "stepsTopic");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(startingOffsets, "startingOffsets");
        Objects.requireNonNull(modelId, "modelId");
        properties = Map.copyOf(properties);
    }

    /** The default consumer group of a model: {@code bptt-<model id>}. */
    public static String defaultGroupId(String modelId) {
        return "bptt-" + modelId;
    }

    /** The same settings, bounded or not. */
    public KafkaSettings withBounded(boolean bounded) {
        return new KafkaSettings(bootstrap, stepsTopic, paramsTopic, predictionsTopic, deadLetterTopic, groupId,
                startingOffsets, modelId, properties, bounded);
    }

    /** {@link #properties} plus {@code bootstrap.servers}: the configuration of every client. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty("bootstrap.servers", bootstrap);
        return p;
    }

    /**
     * The transactional id prefix of one output's sink: {@code bptt-<group>-<model>-<output>}. Stable
     * across runs, so a new run of the same model aborts what a stopped one left open.
     */
    public String transactionalIdPrefix(String output) {
        return "bptt-" + groupId + "-" + modelId + "-" + output;
    }

    /** The topics the run uses, steps first, outputs that are not written left out. */
    public Map<String, String> topics() {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put("steps", stepsTopic);
        if (paramsTopic != null) {
            topics.put("params", paramsTopic);
        }
        if (predictionsTopic != null) {
            topics.put("predictions", predictionsTopic);
        }
        if (deadLetterTopic != null) {
            topics.put("dead letters", deadLetterTopic);
        }
        return topics;
    }
}

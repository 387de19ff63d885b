package dev.bptt.cli;

import dev.bptt.connectors.kafka.KafkaSettings;
import dev.bptt.connectors.kafka.StartingOffsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code train}'s Kafka options. Defaults are applied in {@link #settings()}, not by picocli, so
 * that a Kafka option given without {@code --kafka-bootstrap} can be told from one left out.
 */
final class KafkaOptions {

    static final String BOOTSTRAP = "--kafka-bootstrap";

    @Option(names = BOOTSTRAP, paramLabel = "HOST:PORT",
            description = "Train online from Kafka (runs until stopped: Ctrl-C or SIGTERM). Instead of --steps.")
    String bootstrap;

    @Option(names = "--steps-topic", paramLabel = "TOPIC", description = "Kafka: step records, one JSON object per value.")
    String stepsTopic;

    @Option(names = "--params-topic", paramLabel = "TOPIC",
            description = "Kafka: publish each parameter version (.npz value, key = model id, headers version, "
                    + "bucket_end, loss_mean).")
    String paramsTopic;

    @Option(names = "--predictions-topic", paramLabel = "TOPIC",
            description = "Kafka: publish every step's prediction (JSON).")
    String predictionsTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
            description = "Kafka: publish rejected records (JSON); without it they are printed to standard error.")
    String deadLetterTopic;

    @Option(names = "--group-id", paramLabel = "ID", description = "Kafka: consumer group (default bptt-<model id>).")
    String groupId;

    @Option(names = "--starting-offsets", paramLabel = "WHERE",
            description = "Kafka: earliest (default), latest or committed (the group's offsets, else earliest).")
    String startingOffsets;

    @Option(names = "--model-id", paramLabel = "ID", description = "Kafka: key of the published versions (default: default).")
    String modelId;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Kafka: a client property for every consumer, producer and admin client, e.g. "
                    + "security.protocol=SASL_SSL (repeatable).")
    Map<String, String> properties;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS",
            description = "Kafka: checkpoint interval (default 10000); outputs become visible to read_committed "
                    + "consumers at each checkpoint. 0: no checkpoints, outputs at least once.")
    Long checkpointIntervalMs;

    /** Whether Kafka is the source. */
    boolean selected() {
        return bootstrap != null;
    }

    /** Without {@code --kafka-bootstrap} no other Kafka option may be given. */
    void rejectWithoutBootstrap() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("--steps-topic", stepsTopic);
        given.put("--params-topic", paramsTopic);
        given.put("--predictions-topic", predictionsTopic);
        given.put("--dead-letter-topic", deadLetterTopic);
        given.put("--group-id", groupId);
        given.put("--starting-offsets", startingOffsets);
        given.put("--model-id", modelId);
        given.put("--kafka-property", properties);
        given.put("--checkpoint-interval-ms", checkpointIntervalMs);
        given.forEach((name, value) -> {
            if (value != null) {
                throw new UsageException(name + " needs " + BOOTSTRAP);
            }
        });
    }

    /** The checkpoint interval, checked. */
    long checkpointIntervalMs() {
        long interval = checkpointIntervalMs == null ? 10_000 : checkpointIntervalMs;
        if (interval < 0) {
            throw new UsageException("--checkpoint-interval-ms must be >= 0, got " + interval);
        }
        return interval;
    }

    /** The settings of an unbounded run, checked. */
    KafkaSettings settings() {
        if (stepsTopic == null || stepsTopic.isBlank()) {
            throw new UsageException("--steps-topic is required with " + BOOTSTRAP);
        }
        if (bootstrap.isBlank()) {
            throw new UsageException(BOOTSTRAP + " must be HOST:PORT, got ''");
        }
        String model = modelId == null ? "default" : modelId;
        if (model.isBlank()) {
            throw new UsageException("--model-id must not be empty");
        }
        StartingOffsets offsets;
        try {
            offsets = startingOffsets == null ? StartingOffsets.EARLIEST
                    : StartingOffsets.valueOf(startingOffsets.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--starting-offsets must be earliest, latest or committed, got '" + startingOffsets
                    + "'");
        }
        return new KafkaSettings(bootstrap, stepsTopic, paramsTopic, predictionsTopic, deadLetterTopic,
                groupId == null ? KafkaSettings.defaultGroupId(model) : groupId, offsets, model,
                properties == null ? Map.of() : properties, false);
    }
}

package dev.bptt.connectors.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of a run that do not exist yet (a KafkaSource fails on a missing topic), with
 * the broker's default partition count and replication factor.
 */
public final class KafkaTopics {

    /** How long to wait for the cluster to answer. */
    private static final long TIMEOUT_SECONDS = 60;

    private KafkaTopics() {}

    /**
     * Creates the missing topics among {@code settings.topics()}.
     *
     * @return the topics created
     * @throws IOException when the cluster cannot be reached or refuses
     */
    public static List<String> ensure(KafkaSettings settings) throws IOException, InterruptedException {
        try (Admin admin = Admin.create(settings.clientProperties())) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : Set.copyOf(settings.topics().values())) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.empty(), Optional.empty()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // created by someone else meanwhile is fine
                    }
                }
            }
            created.sort(null);
            return created;
        } catch (ExecutionException e) {
            throw new IOException("Kafka at " + settings.bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("Kafka at " + settings.bootstrap() + " did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}

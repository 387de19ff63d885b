package dev.bptt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.job.EmbeddedKafka;
import dev.bptt.model.ParameterArrays;
import dev.bptt.npz.Npz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bptt train --kafka-bootstrap} as a user runs it: a separate JVM that creates its output
 * topics, trains on what the steps topic holds, publishes versions, keeps running, and on SIGTERM
 * (what Ctrl-C and {@code kill} send) cancels its job and exits with status 0, its embedded
 * cluster's temporary files deleted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaTrainCommandITCase {

    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void runsUntilSigtermThenCancelsTheJobAndExitsZero() throws Exception {
        Path params = dir.resolve("p.npz");
        assertThat(Main.run("init", "--cell", "rnn", "--input", "2", "--hidden", "3", "--output", "1", "--out",
                params.toString())).isZero();
        kafka.createTopic("cli-steps", 1);
        kafka.produce(steps("cli-steps", 4, 40));

        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Process train = new ProcessBuilder(java(), "-Xmx1g", "-Djava.io.tmpdir=" + tmp,
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--params", params.toString(), "--k1", "2", "--bucket-ms", "100",
                "--parallelism", "1", "--checkpoint-interval-ms", "200", "--kafka-bootstrap", kafka.bootstrap(),
                "--steps-topic", "cli-steps", "--params-topic", "cli-params", "--dead-letter-topic", "cli-dead-letters",
                "--model-id", "cli")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            List<ConsumerRecord<byte[], byte[]>> versions = List.of();
            while (versions.isEmpty()) {
                assertThat(train.isAlive()).as("train is running; stderr: %s", text(err)).isTrue();
                versions = kafka.topics().contains("cli-params") ? kafka.readCommitted("cli-params") : List.of();
                train.waitFor(200, TimeUnit.MILLISECONDS); // poll interval, not a timing assertion
            }
            assertThat(kafka.topics()).contains("cli-dead-letters");
            ConsumerRecord<byte[], byte[]> first = versions.get(0);
            assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("cli");
            assertThat(ParameterArrays.fromArrays(Npz.read(first.value())).shape().hiddenSize()).isEqualTo(3);
            assertThat(train.isAlive()).as("an unbounded run keeps running").isTrue();

            train.destroy(); // SIGTERM
            assertThat(train.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(train.exitValue()).as("exit status; stderr: %s", text(err)).isZero();
            assertThat(text(out).lines().filter(line -> !line.isBlank()).reduce((a, b) -> b)).as("last line of stdout")
                    .hasValueSatisfying(line -> assertThat(line).startsWith("stopped after"));
            try (Stream<Path> left = Files.list(tmp)) {
                // only the REST server's upload folder may stay: empty, and shared by every Flink run
                assertThat(left.toList()).as("the MiniCluster's files (its RPC jar, its working folder)")
                        .allSatisfy(p -> assertThat(p).hasFileName("flink-web-upload").isEmptyDirectory());
            }
        } finally {
            train.destroyForcibly();
        }
    }

    /** {@code keys} sequences of {@code length} steps, one step per key every 50 ms, in time order. */
    private static List<ProducerRecord<byte[], byte[]>> steps(String topic, int keys, int length) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            for (int k = 0; k < keys; k++) {
                String key = "s" + k;
                String value = "{\"key\":\"" + key + "\",\"step\":" + t + ",\"time\":" + (1_000_000 + 50L * t + k)
                        + ",\"input\":[" + (0.1 * k) + "," + (t % 3 - 1) + "],\"target\":[" + (t % 2) + "]}";
                records.add(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return records;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String text(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}

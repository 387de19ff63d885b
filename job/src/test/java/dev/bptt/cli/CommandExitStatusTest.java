package dev.bptt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit status 2 with one line naming the option for bad usage (CONTRACT.md §1); 0 on success. */
class CommandExitStatusTest {

    @TempDir
    Path dir;
    private Path params;
    private Path steps;

    @BeforeEach
    void files() throws Exception {
        params = dir.resolve("p.npz");
        assertThat(Main.run("init", "--cell", "lstm", "--input", "2", "--hidden", "3", "--output", "1",
                "--out", params.toString())).isZero();
        steps = dir.resolve("s.jsonl");
        Files.writeString(steps, "{\"key\":\"a\",\"step\":0,\"input\":[1,2],\"target\":[0.5]}\n"
                + "{\"key\":\"a\",\"step\":1,\"input\":[1,2],\"target\":[0.5]}\n");
    }

    @Test
    void gradSucceedsOnValidInput() {
        assertThat(Main.run("grad", "--params", params.toString(), "--steps", steps.toString(), "--k1", "1",
                "--out", dir.resolve("g.npz").toString())).isZero();
        assertThat(dir.resolve("g.npz")).exists();
    }

    @Test
    void k2BelowK1IsBadUsage() {
        assertUsage("--k2", "grad", "--params", params.toString(), "--steps", steps.toString(), "--k1", "3",
                "--k2", "2", "--out", dir.resolve("g.npz").toString());
    }

    @Test
    void unknownCellIsBadUsage() {
        assertUsage("--cell", "init", "--cell", "elman", "--input", "2", "--hidden", "3", "--output", "1",
                "--out", dir.resolve("x.npz").toString());
    }

    @Test
    void inputOfTheWrongDimensionNamesTheLine() throws Exception {
        Files.writeString(steps, "{\"key\":\"a\",\"step\":0,\"input\":[1,2]}\n{\"key\":\"a\",\"step\":1,\"input\":[1,2,3]}\n");
        String line = assertUsage("line 2", "grad", "--params", params.toString(), "--steps", steps.toString(),
                "--k1", "1", "--out", dir.resolve("g.npz").toString());
        assertThat(line).contains("wrong_dimension");
        assertThat(dir.resolve("g.npz")).doesNotExist();
    }

    @Test
    void stepOutOfOrderIsBadUsage() throws Exception {
        Files.writeString(steps, "{\"key\":\"a\",\"step\":0,\"input\":[1,2]}\n{\"key\":\"a\",\"step\":2,\"input\":[1,2]}\n");
        assertUsage("step_out_of_order", "grad", "--params", params.toString(), "--steps", steps.toString(),
                "--k1", "1", "--out", dir.resolve("g.npz").toString());
    }

    @Test
    void parametersOfAnotherShapeAreBadUsage() throws Exception {
        Path gru = dir.resolve("gru.npz");
        assertThat(Main.run("init", "--cell", "gru", "--input", "5", "--hidden", "3", "--output", "1",
                "--out", gru.toString())).isZero();
        assertUsage("wrong_dimension", "grad", "--params", gru.toString(), "--steps", steps.toString(), "--k1", "1",
                "--out", dir.resolve("g.npz").toString());
    }

    @Test
    void stepsAndKafkaTogetherAreBadUsage() {
        String line = assertUsage("mutually exclusive", "train", "--params", params.toString(), "--steps",
                steps.toString(), "--kafka-bootstrap", "127.0.0.1:9", "--steps-topic", "s", "--k1", "1",
                "--bucket-ms", "10");
        assertThat(line).contains("--steps").contains("--kafka-bootstrap");
    }

    @Test
    void trainWithoutAnInputIsBadUsage() {
        assertUsage("--kafka-bootstrap", "train", "--params", params.toString(), "--k1", "1", "--bucket-ms", "10",
                "--out", dir.resolve("run").toString());
    }

    @Test
    void aKafkaOptionWithoutKafkaIsBadUsage() {
        assertUsage("--params-topic needs --kafka-bootstrap", "train", "--params", params.toString(), "--steps",
                steps.toString(), "--params-topic", "p", "--k1", "1", "--bucket-ms", "10",
                "--out", dir.resolve("run").toString());
    }

    @Test
    void kafkaWithoutAStepsTopicIsBadUsage() {
        assertUsage("--steps-topic", "train", "--params", params.toString(), "--kafka-bootstrap", "127.0.0.1:9",
                "--k1", "1", "--bucket-ms", "10");
    }

    @Test
    void aKafkaPropertyThatIsNotKeyEqualsValueIsBadUsage() {
        assertUsage("--kafka-property", "train", "--params", params.toString(), "--kafka-bootstrap", "127.0.0.1:9",
                "--steps-topic", "s", "--kafka-property", "security.protocol", "--k1", "1", "--bucket-ms", "10");
    }

    @Test
    void unknownStartingOffsetsAreBadUsage() {
        assertUsage("--starting-offsets", "train", "--params", params.toString(), "--kafka-bootstrap", "127.0.0.1:9",
                "--steps-topic", "s", "--starting-offsets", "newest", "--k1", "1", "--bucket-ms", "10");
    }

    @Test
    void anOutFolderWithKafkaIsBadUsage() {
        assertUsage("--out", "train", "--params", params.toString(), "--kafka-bootstrap", "127.0.0.1:9",
                "--steps-topic", "s", "--k1", "1", "--bucket-ms", "10", "--out", dir.resolve("run").toString());
    }

    /** Runs a command expected to fail with status 2 and one stderr line containing {@code expected}. */
    private static String assertUsage(String expected, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setErr(new PrintStream(err, true));
            status = Main.run(args);
        } finally {
            System.setErr(original);
        }
        String text = err.toString().strip();
        assertThat(status).isEqualTo(2);
        assertThat(text.lines().count()).as(text).isEqualTo(1);
        assertThat(text).contains(expected);
        return text;
    }
}

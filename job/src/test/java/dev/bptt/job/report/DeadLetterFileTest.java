package dev.bptt.job.report;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dead letters are JSON lines that give back the reason, the exact record text and its line. */
class DeadLetterFileTest {

    private record Letter(String reason, String record, String origin) {}

    private static Letter parse(String json) throws IOException {
        String reason = null;
        String record = null;
        String origin = "";
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "reason" -> reason = p.getText();
                    case "record" -> record = p.getText();
                    case "origin" -> origin = p.getText();
                    default -> throw new AssertionError("unexpected field " + name);
                }
            }
            assertThat(p.nextToken()).isNull();
        }
        return new Letter(reason, record, origin);
    }

    private static List<Letter> readAll(Path file) throws IOException {
        List<Letter> letters = new ArrayList<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            letters.add(parse(line));
        }
        return letters;
    }

    @Test
    void eachLetterIsOneLineThatParsesBackExactly(@TempDir Path dir) throws IOException {
        List<Letter> written = List.of(
                new Letter("malformed_json: unexpected end", "{\"key\":\"a\",\"input\":[1,", "steps.jsonl:1"),
                new Letter("wrong_dimension: \"input\" has 3 numbers", "{\"key\":\"quote \\\" and \\\\\"}", "steps/0/17"),
                new Letter("two\nlines", "first line\nsecond line\r\n\ttab and \u0000 nul and \u001f", "x"),
                new Letter("non-ASCII", "{\"key\":\"Grüße, 温度, Ωmega, 🌡️ sensor\"}", "Ω"),
                new Letter("unpaired surrogate", "broken \uD800 text \uDC00", ""),
                new Letter("", "", ""));
        Path file = dir.resolve("dead-letters.jsonl");
        try (DeadLetterFile dead = DeadLetterFile.open(file)) {
            for (Letter l : written) {
                dead.write(l.reason(), l.record(), l.origin());
            }
            assertThat(dead.count()).isEqualTo(written.size());
        }

        assertThat(Files.readAllLines(file, UTF_8)).hasSize(written.size());
        assertThat(readAll(file)).containsExactlyElementsOf(written);
    }

    @Test
    void aLineHasTheFieldsReasonRecordAndOriginInThatOrderAndNoOriginWhenUnknown(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("dead.jsonl");
        try (DeadLetterFile dead = DeadLetterFile.open(file)) {
            dead.write("step_out_of_order: expected step 3", "{\"key\":\"k\",\"step\":5}", "steps/0/17");
            dead.write("late: x", "{}", "");
        }

        assertThat(Files.readString(file, UTF_8)).isEqualTo(
                "{\"reason\":\"step_out_of_order: expected step 3\",\"record\":\"{\\\"key\\\":\\\"k\\\",\\\"step\\\":5}\",\"origin\":\"steps/0/17\"}\n"
                        + "{\"reason\":\"late: x\",\"record\":\"{}\"}\n");
    }

    @Test
    void openingAnExistingFileAppendsAndCountsOnlyNewLetters(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out/dead.jsonl");
        try (DeadLetterFile dead = DeadLetterFile.open(file)) {
            dead.write("a", "1", "");
            dead.write("b", "2", "");
        }
        try (DeadLetterFile dead = DeadLetterFile.open(file)) {
            assertThat(dead.count()).isZero();
            dead.write("c", "3", "");
            assertThat(dead.count()).isEqualTo(1);
            assertThat(dead.file()).isEqualTo(file);
            assertThat(Files.readAllLines(file, UTF_8)).hasSize(3); // flushed before close
        }

        assertThat(readAll(file)).extracting(Letter::reason).containsExactly("a", "b", "c");
    }

    @Test
    void writingAfterCloseFails(@TempDir Path dir) throws IOException {
        DeadLetterFile dead = DeadLetterFile.open(dir.resolve("dead.jsonl"));
        dead.close();

        assertThatThrownBy(() -> dead.write("late", "x", "")).isInstanceOf(IOException.class);
    }
}

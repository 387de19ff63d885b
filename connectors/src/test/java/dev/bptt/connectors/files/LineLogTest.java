package dev.bptt.connectors.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A line log starts fresh with its header, and a restore cuts what came after the checkpoint. */
class LineLogTest {

    @Test
    void aFreshLogEmptiesTheFileAndWritesTheHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/m.csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old content\nfrom an earlier run\n");
        try (LineLog log = LineLog.open(file, "h", LineLog.FRESH)) {
            log.append("1");
            assertThat(Files.readString(file)).as("buffered (for up to a second)").isEmpty();
            log.flush();
            assertThat(Files.readString(file)).isEqualTo("h\n1\n");
            assertThat(log.committedLength()).isEqualTo(4);
        }
    }

    @Test
    void aRestoredLogDropsWhatWasAppendedAfterTheCheckpointAndAppendsAgain(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.csv");
        long checkpoint;
        try (LineLog log = LineLog.open(file, "h", LineLog.FRESH)) {
            log.append("1");
            checkpoint = log.committedLength();
            log.append("2 (lost with the failure)");
        }
        try (LineLog log = LineLog.open(file, "h", checkpoint)) {
            log.append("2");
        }
        assertThat(Files.readAllLines(file, UTF_8)).containsExactly("h", "1", "2");
    }

    @Test
    void aLostFileIsStartedAgainWithItsHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.csv");
        try (LineLog log = LineLog.open(file, "h", 100)) {
            log.append("3");
        }
        assertThat(Files.readAllLines(file, UTF_8)).containsExactly("h", "3");
    }

    @Test
    void noHeaderWhenNoneIsGiven(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("d.jsonl");
        try (LineLog log = LineLog.open(file, null, LineLog.FRESH)) {
            log.append("{}");
        }
        assertThat(Files.readString(file)).isEqualTo("{}\n");
    }
}

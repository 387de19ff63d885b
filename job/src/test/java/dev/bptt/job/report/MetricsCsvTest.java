package dev.bptt.job.report;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics CSV reads back exactly what was written. */
class MetricsCsvTest {

    private static final List<VersionMetrics> ROWS = List.of(
            new VersionMetrics(1, 1_700_000_001_000L, 0.1 + 0.2, 640, 1.2345678901234567e-3, 12_345.5, 0),
            new VersionMetrics(2, 1_700_000_002_000L, Double.NaN, 0, Double.NaN, Double.NaN, 3),
            new VersionMetrics(3, VersionMetrics.END_OF_INPUT, Double.MIN_VALUE, Long.MAX_VALUE, 1e308, 0.0, 1));

    @Test
    void roundTripKeepsEveryValueExactlyIncludingNaNAndEndOfInput(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.csv");
        MetricsCsv.write(file, ROWS);

        assertThat(MetricsCsv.read(file)).isEqualTo(ROWS);
    }

    @Test
    void fileHasTheContractHeaderAndOneLinePerVersion(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.csv");
        MetricsCsv.write(file, ROWS);

        assertThat(Files.readAllLines(file, UTF_8)).containsExactly(
                "version,bucket_end,loss_mean,loss_terms,grad_norm,steps_per_second,staleness",
                "1,1700000001000,0.30000000000000004,640,0.0012345678901234567,12345.5,0",
                "2,1700000002000,NaN,0,NaN,NaN,3",
                "3,-1,4.9E-324,9223372036854775807,1.0E308,0.0,1");
    }

    @Test
    void writingReplacesTheOldFileAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("runs/r1/metrics.csv");
        MetricsCsv.write(file, ROWS);
        MetricsCsv.write(file, List.of());

        assertThat(MetricsCsv.read(file)).isEmpty();
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void readingAFileWithAnotherHeaderFailsNamingLineOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.writeString(file, "version,loss\n1,0.5\n");

        assertThatThrownBy(() -> MetricsCsv.read(file)).isInstanceOf(IOException.class).hasMessageContaining("line 1");
    }

    @Test
    void readingABrokenRowFailsNamingItsLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.writeString(file, MetricsCsv.HEADER + "\n1,-1,0.5,3,1.0,2.0,0\n2,-1,0.5,3,1.0,x,0\n");

        assertThatThrownBy(() -> MetricsCsv.read(file)).isInstanceOf(IOException.class).hasMessageContaining("line 3");
        Files.writeString(file, MetricsCsv.HEADER + "\n1,-1,0.5\n");
        assertThatThrownBy(() -> MetricsCsv.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2").hasMessageContaining("expected 7 fields, got 3");
    }
}

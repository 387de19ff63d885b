package dev.bptt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.job.report.MetricsCsv;
import dev.bptt.job.report.VersionMetrics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bptt demo} as a user runs it: the delayed-recall task is learned with a window that
 * reaches past the delay, and visibly not with one that does not; async learns it too.
 */
class DemoITCase {

    @TempDir
    Path dir;

    @Test
    void longWindowLearnsTheTaskAndShortWindowDoesNot() throws Exception {
        Path run = dir.resolve("demo");
        assertThat(Main.run("demo", "--compare-k2", "4", "--out", run.toString())).isZero();
        assertThat(lastOverFirst(run.resolve("metrics.csv"))).isLessThanOrEqualTo(0.3);
        assertThat(lastOverFirst(run.resolve("compare-k2-4").resolve("metrics.csv"))).isGreaterThan(0.8);
        assertThat(run.resolve("loss.png")).isNotEmptyFile();
        assertThat(run.resolve("loss-compare.png")).isNotEmptyFile();
        assertThat(run.resolve("params-final.npz")).isNotEmptyFile();
    }

    @Test
    void asyncLearnsTheTask() throws Exception {
        Path run = dir.resolve("async");
        assertThat(Main.run("demo", "--staleness", "async", "--out", run.toString())).isZero();
        assertThat(lastOverFirst(run.resolve("metrics.csv"))).isLessThanOrEqualTo(0.5);
    }

    private static double lastOverFirst(Path metricsCsv) throws Exception {
        List<VersionMetrics> rows = MetricsCsv.read(metricsCsv);
        assertThat(rows).hasSizeGreaterThan(100);
        return rows.get(rows.size() - 1).lossMean() / rows.get(0).lossMean();
    }
}

package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's embedded MiniCluster has shut down, its temporary files deleted, when the run's
 * environment is closed: after a job that ended and after one still running. Under a context
 * (here a test's MiniCluster) the context's environment is used.
 */
class EmbeddedEnvironmentTest {

    @TempDir
    Path tmp;

    @Test
    void closingAfterAJobEndedLeavesNoFileOfTheCluster() throws Exception {
        EmbeddedEnvironment embedded = EmbeddedEnvironment.create(withTmpDir(tmp));
        StreamExecutionEnvironment env = embedded.env();
        env.fromData(1L, 2L, 3L).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("three numbers");
        job.getJobExecutionResult().get();
        assertThat(embedded.env()).isNotInstanceOf(TestStreamEnvironment.class);

        embedded.close();

        assertThat(filesIn(tmp)).isEmpty();
    }

    @Test
    void closingWhileAJobRunsStopsItAndLeavesNoFileOfTheCluster() throws Exception {
        EmbeddedEnvironment embedded = EmbeddedEnvironment.create(withTmpDir(tmp));
        StreamExecutionEnvironment env = embedded.env();
        env.fromSequence(0, Long.MAX_VALUE).map(n -> n, Types.LONG).sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("endless numbers");
        assertThat(filesIn(tmp)).as("the running cluster's files").isNotEmpty();

        embedded.close();

        assertThat(job.getJobExecutionResult()).isCompletedExceptionally();
        assertThat(filesIn(tmp)).isEmpty();
    }

    /** A test's MiniCluster is the context here: the run uses its environment and leaves the cluster to the test. */
    @Nested
    class UnderAContext {

        @RegisterExtension
        static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                        .setConfiguration(Loopback.only(new Configuration())).build());

        @Test
        void theContextsEnvironmentIsUsed() throws Exception {
            try (EmbeddedEnvironment embedded = EmbeddedEnvironment.create(new Configuration())) {
                assertThat(embedded.env()).isInstanceOf(TestStreamEnvironment.class);
                embedded.env().fromData(1L, 2L).sinkTo(new DiscardingSink<>());
                embedded.env().execute("on the test's cluster");
            }
            assertThat(CLUSTER.isRunning()).isTrue();
        }
    }

    private static Configuration withTmpDir(Path dir) {
        Configuration conf = EmbeddedCluster.forBoundedRun(new Configuration());
        conf.set(CoreOptions.TMP_DIRS, dir.toString());
        return conf;
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}

package dev.bptt.job;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The environment of a run on the embedded MiniCluster, and the cluster's end: {@link #close()}
 * returns once every MiniCluster its jobs started has shut down.
 *
 * <p>Flink's local environment starts a MiniCluster per job and shuts it down asynchronously when
 * the job ends. A command that returns at once ({@code bptt train} on Kafka, stopped with Ctrl-C)
 * ended the JVM before the cluster had deleted its files: every stop left a copy of Flink's RPC
 * jar (20 MB) and a {@code minicluster_*} working folder in {@code java.io.tmpdir}. Here the jobs
 * run on the same per-job MiniClusters ({@link LocalExecutor}), and the run waits for their end.
 *
 * <p>Where a context supplies the environment (a test's MiniCluster, a client submitting the
 * program), that environment is used and its cluster is not this run's to close.
 */
public final class EmbeddedEnvironment implements AutoCloseable {

    /** How long {@link #close()} waits for a MiniCluster to shut down (cancelling a job that still runs). */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final StreamExecutionEnvironment env;
    private final List<MiniCluster> started = new CopyOnWriteArrayList<>();

    private EmbeddedEnvironment(Configuration conf) {
        StreamExecutionEnvironment context = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (!(context instanceof LocalStreamEnvironment)) {
            env = context;
            return;
        }
        Configuration local = new Configuration(conf);
        local.set(DeploymentOptions.TARGET, LocalExecutor.NAME);
        local.set(DeploymentOptions.ATTACHED, true);
        env = new StreamExecutionEnvironment(new Executors(), local, Thread.currentThread().getContextClassLoader());
    }

    /** The environment for {@code conf}: the calling context's, or one on embedded MiniClusters closed by {@link #close()}. */
    public static EmbeddedEnvironment create(Configuration conf) {
        return new EmbeddedEnvironment(conf);
    }

    public StreamExecutionEnvironment env() {
        return env;
    }

    /**
     * Shuts down the MiniClusters the environment started (cancelling a job still running) and
     * waits until they have, with their temporary files deleted.
     */
    @Override
    public void close() throws Exception {
        for (MiniCluster cluster : started) {
            cluster.closeAsync().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Flink's local executor, with each MiniCluster it makes kept for {@link #close()}. */
    private final class Executors implements PipelineExecutorServiceLoader, PipelineExecutorFactory {

        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(LocalExecutor.NAME);
        }

        @Override
        public String getName() {
            return LocalExecutor.NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration configuration) {
            return LocalExecutor.NAME.equals(configuration.get(DeploymentOptions.TARGET));
        }

        @Override
        public PipelineExecutor getExecutor(Configuration configuration) {
            return LocalExecutor.createWithFactory(configuration, clusterConf -> {
                MiniCluster cluster = new MiniCluster(clusterConf);
                started.add(cluster);
                return cluster;
            });
        }
    }
}

package dev.bptt.bench.e2e;

import dev.bptt.job.EmbeddedCluster;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An embedded MiniCluster (one TaskManager with {@code slots} slots, in this JVM, listening on
 * 127.0.0.1 only, configured as {@code bptt train}'s: {@link EmbeddedCluster#forBoundedRun}) the
 * benchmark submits its jobs to directly, so it can trigger checkpoints and read their statistics.
 */
public final class BenchCluster implements AutoCloseable {

    private final MiniCluster cluster;

    public BenchCluster(int slots, Configuration extra) throws Exception {
        Configuration conf = EmbeddedCluster.forBoundedRun(new Configuration(extra));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        conf.addAll(fromSystemProperties());
        // any free port: benchmarks of other checkouts may run at the same time
        conf.set(RestOptions.BIND_PORT, "0");
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
    }

    /** Flink options given as {@code -Dflink.<option>=<value>} (to try one on the benchmark). */
    static Configuration fromSystemProperties() {
        Map<String, String> options = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("flink."))
                .forEach(k -> options.put(k.substring("flink.".length()), System.getProperty(k)));
        return Configuration.fromMap(options);
    }

    /** Submits the graph built on {@code env}; returns at once. */
    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        return cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
    }

    /** Waits for the job to end and fails if it did not succeed. */
    public void await(JobID job) throws Exception {
        JobResult result = cluster.requestJobResult(job).get();
        if (!result.isSuccess()) {
            throw new IllegalStateException("job failed", result.getSerializedThrowable().orElseThrow()
                    .deserializeError(getClass().getClassLoader()));
        }
    }

    public MiniCluster cluster() {
        return cluster;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}

package dev.bptt.bench.e2e;

import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * State size of the job with N keys on RocksDB: the generator sends k2 steps of every key (each
 * key's ring is then full), the job keeps running ({@link HeldOpenLines}), and once every step's
 * forward pass is done (predictions counted; the backward operator is chained behind it, so its
 * ring is written by then) it takes
 * <ul>
 *   <li>a full checkpoint in RocksDB's native format (incremental checkpoints, all files): the SST
 *       files as RocksDB holds them on disk, including ring values that later writes have replaced
 *       but no compaction has dropped yet. Size from Flink's checkpoint statistics, for the keyed
 *       vertex (ForwardStep -> TbpttBackward: per key the order progress, s_{t-1} and the ring; per
 *       subtask the waiting steps, the versions received and the open gradient sums);
 *   <li>a savepoint in the canonical format: every live key/value once, as Flink's serializers
 *       write them. Size of its files (whole job).
 * </ul>
 */
public final class StateSizeRun {

    /** What one checkpoint held. */
    public record Result(int keys, long nativeKeyedBytes, long nativeJobBytes, long savepointBytes, double seconds) {}

    private StateSizeRun() {}

    public static Result run(Workload w, Parameters initial, TrainingOptions options, int parallelism, Path dir)
            throws Exception {
        String runId = UUID.randomUUID().toString();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
        RunClock clock = RunClock.open(runId, w);
        long start = System.nanoTime();
        try (BenchCluster cluster = new BenchCluster(parallelism, conf)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            BenchJob.build(env, new BenchJob.Spec(runId, w, initial, options, parallelism, BenchJob.Input.GENERATOR,
                    null, true));
            JobID job = cluster.submit(env, "bench-state-size");
            while (clock.predictions() < w.records()) {
                Thread.sleep(100);
                if (cluster.cluster().getJobStatus(job).get().isTerminalState()) {
                    cluster.await(job);
                    throw new IllegalStateException("job ended before its steps ran");
                }
            }
            long id = cluster.cluster().triggerCheckpoint(job, CheckpointType.FULL).get();
            CompletedCheckpointStats stats = completed(cluster, job, id);
            AccessExecutionGraph graph = cluster.cluster().getExecutionGraph(job).get();
            long keyed = 0;
            for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
                TaskStateStats t = stats.getTaskStateStats(v.getJobVertexId());
                if (v.getName().contains("ForwardStep") && t != null) {
                    keyed += t.getStateSize();
                }
            }
            String savepoint = cluster.cluster().triggerSavepoint(job, dir.resolve("savepoint").toUri().toString(), false,
                    SavepointFormatType.CANONICAL).get();
            cluster.cluster().cancelJob(job).get();
            return new Result(w.keys(), keyed, stats.getStateSize(), bytesUnder(Path.of(URI.create(savepoint))),
                    (System.nanoTime() - start) / 1e9);
        } finally {
            RunClock.close(runId);
        }
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** The statistics of checkpoint {@code id}, once the JobManager has them. */
    private static CompletedCheckpointStats completed(BenchCluster cluster, JobID job, long id) throws Exception {
        for (int tries = 0; tries < 100; tries++) {
            AbstractCheckpointStats s = cluster.cluster().getExecutionGraph(job).get()
                    .getCheckpointStatsSnapshot().getHistory().getCheckpointById(id);
            if (s instanceof CompletedCheckpointStats done) {
                return done;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no statistics for checkpoint " + id);
    }
}

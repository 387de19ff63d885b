package dev.bptt.bench.e2e;

import java.util.UUID;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One throughput run of the whole job on a MiniCluster (parallelism-many slots, heap state, no
 * checkpoints, as {@code bptt train} runs locally): submits, waits for the end of the bounded
 * input and returns the {@link JobFigures}. For the file input the file must exist already.
 *
 * <p>{@link JobBenchmark} runs all its jobs on one cluster, as a cluster runs its jobs: with a
 * fresh MiniCluster per run, C2 was still compiling the start-up's code (Pekko, its configuration
 * library, Scala collections: 0.2-0.4 cores) during the measured half of every run.
 */
public final class JobRun {

    /** Flink's heap state backend, as {@code bptt train} runs. */
    public static final String HEAP_STATE = "hashmap";

    private JobRun() {}

    /** A run on a MiniCluster of its own, keyed state on {@code stateBackend} ({@code hashmap} or {@code rocksdb}). */
    public static JobFigures run(BenchJob.Spec template, double warmup, String stateBackend) throws Exception {
        try (BenchCluster cluster = cluster(template.parallelism(), stateBackend)) {
            return run(cluster, template, warmup, stateBackend);
        }
    }

    /** The MiniCluster {@link #run(BenchCluster, BenchJob.Spec, double, String)} expects. */
    public static BenchCluster cluster(int parallelism, String stateBackend) throws Exception {
        return new BenchCluster(parallelism, jobConf(stateBackend));
    }

    /** A job's configuration on the benchmark's clusters: no generic (Kryo) types, keyed state on {@code stateBackend}. */
    static Configuration jobConf(String stateBackend) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        return conf;
    }

    /** A run on {@code cluster} ({@link #cluster}), keyed state on {@code stateBackend}. */
    public static JobFigures run(BenchCluster cluster, BenchJob.Spec template, double warmup, String stateBackend)
            throws Exception {
        String runId = UUID.randomUUID().toString();
        BenchJob.Spec spec = new BenchJob.Spec(runId, template.workload(), template.initial(), template.options(),
                template.parallelism(), template.input(), template.file(), false);
        Configuration conf = jobConf(stateBackend);
        RunClock clock = RunClock.open(runId, spec.workload());
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            BenchJob.build(env, spec);
            long submitted = System.nanoTime();
            JobID job = cluster.submit(env, "bench-job");
            cluster.await(job);
            long ended = System.nanoTime();
            if (clock.deadLetters() > 0) {
                throw new IllegalStateException(clock.deadLetters() + " dead letters: the workload is not valid input");
            }
            return JobFigures.of(clock, spec.workload(), spec.options(), warmup, submitted, ended);
        } finally {
            RunClock.close(runId);
        }
    }
}

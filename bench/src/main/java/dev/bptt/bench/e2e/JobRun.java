package dev.bptt.bench.e2e;

import java.util.UUID;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One throughput run of the whole job on a fresh MiniCluster (parallelism-many slots, heap state,
 * no checkpoints, as {@code bptt train} runs locally): submits, waits for the end of the bounded
 * input and returns the {@link JobFigures}. For the file input the file must exist already.
 */
public final class JobRun {

    private JobRun() {}

    public static JobFigures run(BenchJob.Spec template, double warmup) throws Exception {
        return run(template, warmup, "hashmap");
    }

    /** The same with keyed state on {@code stateBackend} ({@code hashmap} or {@code rocksdb}). */
    public static JobFigures run(BenchJob.Spec template, double warmup, String stateBackend) throws Exception {
        String runId = UUID.randomUUID().toString();
        BenchJob.Spec spec = new BenchJob.Spec(runId, template.workload(), template.initial(), template.options(),
                template.parallelism(), template.input(), template.file(), false);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        RunClock clock = RunClock.open(runId, spec.workload());
        try (BenchCluster cluster = new BenchCluster(spec.parallelism(), conf)) {
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

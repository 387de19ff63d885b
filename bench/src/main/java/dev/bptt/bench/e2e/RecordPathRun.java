package dev.bptt.bench.e2e;

import dev.bptt.job.TrainingJob;
import dev.bptt.model.Parameters;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * Flink's record path alone, without the model: the job's steps input as {@link BenchJob} builds it
 * (the generator, the arrival stamp, {@link TrainingJob#checked} and {@link TrainingJob#timed}: the
 * check, event time and watermarks, the steps' buffer timeout), the {@code keyBy} to {@code
 * parallelism} subtasks, and there a keyed function that only counts the steps. What the job
 * spends a step beyond the plain loop and this is its operators' own work (the forward and
 * backward passes' bookkeeping, the hand-over between them, the parameter loop) and the kernels
 * running slower beside Flink's threads than alone.
 *
 * <p>Measured over the second half of the records by their arrival at the source (the first half
 * is start-up and the JIT), with the process's CPU time sampled every {@link #SAMPLE_MS} ms.
 */
public final class RecordPathRun {

    static final long SAMPLE_MS = 2;

    /** Steps counted by each run's keyed functions, by run id (added when a subtask closes). */
    private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    /** Steps per second and CPU a step over the run's second half, and the steps the keyed functions counted. */
    public record Figures(double stepsPerSecond, double cpuMicrosPerStep, double busyCores, long counted) {}

    private RecordPathRun() {}

    /** One run on {@code cluster} (which must have {@code parallelism} slots). */
    public static Figures run(BenchCluster cluster, Workload w, Parameters initial, TrainingOptions options,
            int parallelism) throws Exception {
        String runId = UUID.randomUUID().toString();
        RunClock clock = RunClock.open(runId, w);
        CpuTimeline cpu = new CpuTimeline(SAMPLE_MS);
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    JobRun.jobConf(JobRun.HEAP_STATE));
            env.setParallelism(1);
            DataStream<SequenceStep> steps = BenchJob.steps(env, w, runId);
            TrainingJob.timed(TrainingJob.checked(steps, initial, options), TrainingJob.EventTime.afterParsing(0), options)
                    .keyBy(SequenceStep::key, Types.STRING)
                    .process(new CountSteps(runId), Types.LONG).name("CountSteps").setParallelism(parallelism)
                    .sinkTo(new DiscardingSink<>()).name("discard").setParallelism(parallelism);
            cpu.start();
            cluster.await(cluster.submit(env, "record-path"));
            cpu.stop();
            long n = w.records();
            long from = clock.arrival(n / 2);
            long to = clock.arrival(n - 1);
            double seconds = (to - from) / 1e9;
            double cpuNanos = cpu.at(to) - cpu.at(from);
            long steady = n - 1 - n / 2;
            AtomicLong counted = COUNTS.get(runId);
            return new Figures(steady / seconds, cpuNanos / 1e3 / steady, cpuNanos / 1e9 / seconds,
                    counted == null ? 0 : counted.get());
        } finally {
            cpu.stop();
            COUNTS.remove(runId);
            RunClock.close(runId);
        }
    }

    /** Counts its subtask's steps; adds the count to its run's when the subtask closes. */
    static final class CountSteps extends KeyedProcessFunction<String, SequenceStep, Long> {
        private final String runId;
        private long steps;

        CountSteps(String runId) {
            this.runId = runId;
        }

        @Override
        public void processElement(SequenceStep step, Context ctx, Collector<Long> out) {
            steps++;
        }

        @Override
        public void close() {
            COUNTS.computeIfAbsent(runId, id -> new AtomicLong()).addAndGet(steps);
        }
    }

    /** The process's CPU time sampled every few milliseconds on a thread of its own, read back by interpolation. */
    static final class CpuTimeline {
        private final long periodMs;
        private final long[] wall = new long[1 << 18];
        private final long[] cpu = new long[1 << 18];
        private volatile int size;
        private volatile boolean running;
        private Thread thread;

        CpuTimeline(long periodMs) {
            this.periodMs = periodMs;
        }

        void start() {
            running = true;
            sample();
            thread = new Thread(() -> {
                while (running && size < wall.length) {
                    try {
                        Thread.sleep(periodMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample();
                }
            }, "cpu-timeline");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            if (thread != null) {
                running = false;
                thread.join();
                thread = null;
                sample();
            }
        }

        private void sample() {
            if (size < wall.length) {
                wall[size] = System.nanoTime();
                cpu[size] = ProcessCpu.nanos();
                size++;
            }
        }

        /** CPU nanoseconds at wall time {@code t} ({@link System#nanoTime}), interpolated between the samples around it. */
        double at(long t) {
            int n = size;
            if (n == 0 || t <= wall[0]) {
                return n == 0 ? 0 : cpu[0];
            }
            for (int i = 1; i < n; i++) {
                if (wall[i] >= t) {
                    double f = (double) (t - wall[i - 1]) / (wall[i] - wall[i - 1]);
                    return cpu[i - 1] + f * (cpu[i] - cpu[i - 1]);
                }
            }
            return cpu[n - 1];
        }
    }
}

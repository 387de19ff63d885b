package dev.bptt.bench.e2e;

import dev.bptt.model.CellKind;
import dev.bptt.model.Kernels;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end benchmark (bench/run-job.sh runs it): the whole training job on an embedded
 * MiniCluster against the same work in a plain loop, and the keyed state's size on RocksDB.
 * Prints one JSON object per measurement on stdout ({@code "kind"}: job, plain, state-bytes,
 * checkpoint); progress on stderr.
 *
 * <ol>
 *   <li>job: {@link Workload} of --keys x --steps steps (input I, mse target of O at every step)
 *       through {@link BenchJob} at --parallelism, fed by each of --inputs (step objects, JSON
 *       lines, a JSONL file of the same records); TBPTT(k1, k2), SGD, buckets of --bucket-steps
 *       steps (one update per bucket with loss terms), --staleness (default 0). Each input runs
 *       once discarded, then --repeats times measured. Figures: {@link JobFigures}.
 *   <li>plain: the same workload, model and options through {@link PlainLoop} with 1 and 2
 *       threads, with the per-key kernels (ReferenceTrainer) and with the operators' batched
 *       kernels (BatchedTrainer); before the job runs and again after them ({@code "when"}), so
 *       that a drift of the machine's speed during the run cannot favour the job.
 *   <li>state: {@link StateBytes} per key, and {@link StateSizeRun} at each of --state-keys with
 *       the (small) --state-* model.
 * </ol>
 */
@Command(name = "job-benchmark", mixinStandardHelpOptions = true,
        description = "End-to-end benchmark of the training job on a MiniCluster (see bench/run-job.sh).")
public final class JobBenchmark implements Callable<Integer> {

    @Option(names = "--cell", defaultValue = "rnn", description = "rnn, gru or lstm (default: ${DEFAULT-VALUE}).")
    String cell;
    @Option(names = "--hidden", defaultValue = "64")
    int hidden;
    @Option(names = "--input", defaultValue = "16")
    int input;
    @Option(names = "--output", defaultValue = "4")
    int output;
    @Option(names = "--keys", defaultValue = "1000")
    int keys;
    @Option(names = "--steps", defaultValue = "2048", description = "Steps per key, a multiple of k1 (default: "
            + "${DEFAULT-VALUE}: long enough that the second half runs past the JIT's warm-up).")
    int steps;
    @Option(names = "--k1", defaultValue = "32")
    int k1;
    @Option(names = "--k2", defaultValue = "32")
    int k2;
    @Option(names = "--bucket-steps", defaultValue = "0",
            description = "Steps of every key per event-time bucket, a divisor of k1; 0 (default): k1, one update "
                    + "per window as PyTorch's TBPTT loop makes; 1: one bucket per step, a round trip through the "
                    + "parameter loop per step.")
    int bucketSteps;
    @Option(names = "--staleness", defaultValue = "0",
            description = "Buckets a step's parameters may lag (default: ${DEFAULT-VALUE}); >= 1 lets the forward "
                    + "pass run ahead of the loop's round trip.")
    int staleness;
    @Option(names = "--parallelism", defaultValue = "2")
    int parallelism;
    @Option(names = "--inputs", defaultValue = "steps,file", split = ",", description = "steps (a generator of step "
            + "objects, no text to parse: what PyTorch's loop starts from), generator (of JSON lines), file (JSONL); "
            + "default: ${DEFAULT-VALUE}.")
    List<String> inputs;
    @Option(names = "--warmup", defaultValue = "0.5", description = "Fraction of the updates counted as start-up "
            + "(default: ${DEFAULT-VALUE}; C2 still compiles the job's paths 10-15 s into a run on 2 cores).")
    double warmup;
    @Option(names = "--warmup-run", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Before each measured run the same run once, discarded: the JIT compiles Flink's and our "
                    + "hot paths for over 10 s of a first run (C2 threads took a third of the 2 cores then).")
    boolean warmupRun;
    @Option(names = "--record-path", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Also measure Flink's record path alone (RecordPathRun: the steps input's source, check, "
                    + "watermarks and keyBy into keyed functions that only count), warm-up run and --repeats runs "
                    + "(default: ${DEFAULT-VALUE}).")
    boolean recordPath;
    @Option(names = "--repeats", defaultValue = "3", description = "Measured runs per input; the best is reported "
            + "with the others listed, as torch_bench.py reports its best repeat (default: ${DEFAULT-VALUE}).")
    int repeats;
    @Option(names = "--plain-threads", defaultValue = "1,2", split = ",", description = "0: no plain loop.")
    List<Integer> plainThreads;
    @Option(names = "--plain-repeats", defaultValue = "2")
    int plainRepeats;
    @Option(names = "--state-keys", defaultValue = "1000,10000,100000", split = ",", description = "0: no state runs.")
    List<Integer> stateKeys;
    @Option(names = "--state-cell", defaultValue = "rnn")
    String stateCell;
    @Option(names = "--state-input", defaultValue = "4")
    int stateInput;
    @Option(names = "--state-hidden", defaultValue = "16")
    int stateHidden;
    @Option(names = "--state-output", defaultValue = "2")
    int stateOutput;
    @Option(names = "--work", defaultValue = "bench/target/job-bench", description = "Scratch folder (steps file, checkpoints).")
    Path work;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new JobBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(work);
        ModelShape shape = new ModelShape(CellKind.parse(cell), input, hidden, output);
        Parameters initial = ParameterInit.uniform(shape, 42);
        if (bucketSteps == 0) {
            bucketSteps = k1;
        }
        TrainingOptions options = options(k1, k2, staleness, bucketSteps);
        Workload w = new Workload(keys, steps, input, output, 7);
        System.err.printf("job-benchmark: %s, %d keys x %d steps, TBPTT(%d, %d), %d step(s) per bucket, parallelism %d, "
                + "kernels %s%n", shape, keys, steps, k1, k2, bucketSteps, parallelism, Kernels.implementation());
        // The plain loops run before the job and again after it, and the better of the two counts:
        // this machine's speed drifts by up to 30% within a run, which must not favour the job.
        plainLoops("before", w, initial, options, shape);
        if (inputs.stream().anyMatch(in -> !in.isBlank()) || recordPath) {
            try (BenchCluster cluster = JobRun.cluster(parallelism, JobRun.HEAP_STATE)) {
                runJob(cluster, w, initial, options, shape);
                if (recordPath) {
                    recordPathRuns(cluster, w, initial, options, shape);
                }
            }
        }
        plainLoops("after", w, initial, options, shape);
        if (stateKeys.stream().anyMatch(n -> n > 0)) {
            stateRuns();
        }
        return 0;
    }

    /** Each input's warm-up run and measured runs, all on {@code cluster}; the best run of each input reported. */
    private void runJob(BenchCluster cluster, Workload w, Parameters initial, TrainingOptions options, ModelShape shape)
            throws Exception {
        for (String in : inputs) {
            if (in.isBlank()) {
                continue;
            }
            BenchJob.Input kind = BenchJob.Input.valueOf(in.trim().toUpperCase(Locale.ROOT));
            Path file = null;
            if (kind == BenchJob.Input.FILE) {
                file = work.resolve("steps.jsonl");
                w.writeJsonl(file);
                System.err.printf("job-benchmark: wrote %s (%,d bytes)%n", file, Files.size(file));
            }
            BenchJob.Spec spec = new BenchJob.Spec("", w, initial, options, parallelism, kind, file, false);
            if (warmupRun) {
                System.err.printf("job-benchmark: %s warm-up run (not reported) ...%n", in);
                JobRun.run(cluster, spec, warmup, JobRun.HEAP_STATE);
            }
            JobFigures f = null;
            List<String> rates = new ArrayList<>();
            for (int r = 1; r <= repeats; r++) {
                System.err.printf("job-benchmark: %s run %d of %d ...%n", in, r, repeats);
                JobFigures run = JobRun.run(cluster, spec, warmup, JobRun.HEAP_STATE);
                rates.add(String.format(Locale.ROOT, "%.1f", run.stepsPerSecond()));
                if (f == null || run.stepsPerSecond() > f.stepsPerSecond()) {
                    f = run;
                }
            }
            emit("job", Map.of("source", kind.name().toLowerCase(Locale.ROOT)), shape, w, f.toString(), String.format(
                    Locale.ROOT, "\"runs_steps_per_s\": [%s], "
                            + "\"steps_per_s\": %.1f, \"overall_steps_per_s\": %.1f, \"startup_s\": %.3f, "
                            + "\"first_update_s\": %.3f, \"total_s\": %.3f, \"steady_steps\": %d, \"steady_s\": %.3f, "
                            + "\"latency_p50_ms\": %.2f, \"latency_p99_ms\": %.2f, \"latency_max_ms\": %.2f, "
                            + "\"cpu_us_per_step\": %.3f, \"busy_cores\": %.3f",
                    String.join(", ", rates), f.stepsPerSecond(), f.overallStepsPerSecond(), f.startupSeconds(),
                    f.firstUpdateSeconds(),
                    f.totalSeconds(), f.steadySteps(), f.steadySeconds(), f.latencyP50Ms(), f.latencyP99Ms(),
                    f.latencyMaxMs(), f.cpuMicrosPerStep(), f.busyCores()));
        }
    }

    /**
     * The record path's runs take {@value #RECORD_PATH_LENGTH} times the job's steps per key: it runs
     * 4-5 times faster than the job, and runs of the job's length (2 M steps, half a second) were still
     * warming up (1.4 M, 2.3 M, 3.6 M steps/s in a row).
     */
    static final int RECORD_PATH_LENGTH = 8;

    /** Flink's record path alone on {@code cluster}: a warm-up run, then {@link #repeats} runs, the best reported. */
    private void recordPathRuns(BenchCluster cluster, Workload job, Parameters initial, TrainingOptions options,
            ModelShape shape) throws Exception {
        Workload w = new Workload(job.keys(), job.stepsPerKey() * RECORD_PATH_LENGTH, job.inputSize(), job.outputSize(),
                job.seed());
        System.err.println("job-benchmark: record path warm-up run (not reported) ...");
        RecordPathRun.run(cluster, w, initial, options, parallelism);
        RecordPathRun.Figures best = null;
        List<String> rates = new ArrayList<>();
        for (int r = 1; r <= repeats; r++) {
            System.err.printf("job-benchmark: record path run %d of %d ...%n", r, repeats);
            RecordPathRun.Figures run = RecordPathRun.run(cluster, w, initial, options, parallelism);
            if (run.counted() != w.records()) {
                throw new IllegalStateException("the record path counted " + run.counted() + " of " + w.records() + " steps");
            }
            rates.add(String.format(Locale.ROOT, "%.1f", run.stepsPerSecond()));
            if (best == null || run.stepsPerSecond() > best.stepsPerSecond()) {
                best = run;
            }
        }
        if (best == null) {
            return;
        }
        emit("record-path", Map.of("source", "steps"), shape, w, "", String.format(Locale.ROOT,
                "\"runs_steps_per_s\": [%s], \"steps_per_s\": %.1f, \"cpu_us_per_step\": %.3f, \"busy_cores\": %.3f",
                String.join(", ", rates), best.stepsPerSecond(), best.cpuMicrosPerStep(), best.busyCores()));
    }

    /** The same work in plain loops, each kernel choice and thread count; {@code when}: before or after the job. */
    private void plainLoops(String when, Workload w, Parameters initial, TrainingOptions options, ModelShape shape)
            throws Exception {
        for (PlainLoop.Kernels kernels : PlainLoop.Kernels.values()) {
            for (int threads : plainThreads) {
                if (threads < 1 || (threads == 1 && kernels == PlainLoop.Kernels.BATCHED_ONE_MODEL)) {
                    continue; // one thread: the same as BATCHED
                }
                PlainLoop.Rate rate = PlainLoop.best(w, initial, options, kernels, threads, plainRepeats);
                emit("plain", Map.of("threads", String.valueOf(threads), "when", when,
                        "kernels", kernels.name().toLowerCase(Locale.ROOT).replace('_', '-')), shape, w, "",
                        String.format(Locale.ROOT, "\"steps_per_s\": %.1f, \"cpu_us_per_step\": %.3f",
                                rate.stepsPerSecond(), rate.cpuMicrosPerStep()));
            }
        }
    }

    /** State bytes per key from the serializers, then one checkpoint per key count. */
    private void stateRuns() throws Exception {
        ModelShape shape = new ModelShape(CellKind.parse(stateCell), stateInput, stateHidden, stateOutput);
        Parameters initial = ParameterInit.uniform(shape, 42);
        TrainingOptions options = options(k2, k2, staleness, 1);
        long raw = StateBytes.rawRing(shape, k2);
        long total = 0;
        StringBuilder parts = new StringBuilder();
        for (Map.Entry<String, Long> e : StateBytes.perKey(shape, k2, Workload.keyName(0)).entrySet()) {
            total += e.getValue();
            parts.append(parts.length() == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue());
        }
        emit("state-bytes", Map.of(), shape, new Workload(1, k2, stateInput, stateOutput, 7), "", String.format(
                Locale.ROOT, "\"raw_ring_bytes\": %d, \"state_bytes_per_key\": %d, \"ratio\": %.3f, \"parts\": {%s}",
                raw, total, (double) total / raw, parts));
        for (int n : stateKeys) {
            if (n < 1) {
                continue;
            }
            Workload w = new Workload(n, k2, stateInput, stateOutput, 7);
            System.err.printf("job-benchmark: checkpoint with %,d keys x %d steps on RocksDB ...%n", n, k2);
            StateSizeRun.Result r = StateSizeRun.run(w, initial, options, parallelism, work.resolve("checkpoints-" + n)
                    .toAbsolutePath());
            emit("checkpoint", Map.of(), shape, w, "", String.format(Locale.ROOT,
                    "\"raw_ring_bytes\": %d, \"native_keyed_bytes\": %d, \"native_job_bytes\": %d, "
                            + "\"savepoint_bytes\": %d, \"native_bytes_per_key\": %.1f, \"savepoint_bytes_per_key\": %.1f, "
                            + "\"seconds\": %.1f",
                    raw, r.nativeKeyedBytes(), r.nativeJobBytes(), r.savepointBytes(), (double) r.nativeKeyedBytes() / n,
                    (double) r.savepointBytes() / n, r.seconds()));
        }
    }

    /**
     * SGD with lr 0.01 on the mean over a bucket's loss terms, no clipping, buckets of
     * {@code bucketSteps} step times. (A sum over a bucket of 32 steps x 1,000 keys with
     * torch_bench.py's lr 1e-4 diverges after about 70 updates; the cost per step is the same.)
     */
    private static TrainingOptions options(int k1, int k2, int staleness, int bucketSteps) {
        return new TrainingOptions(Loss.MSE, k1, k2, OptimizerKind.SGD, 0.01, 0, 0, Reduction.MEAN,
                bucketSteps * Workload.STEP_MS, staleness);
    }

    private void emit(String kind, Map<String, String> labels, ModelShape shape, Workload w, String note, String figures) {
        boolean trainingKind = kind.equals("job") || kind.equals("plain") || kind.equals("record-path");
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "{\"kind\": \"%s\", \"cell\": \"%s\", \"input\": %d, \"hidden\": %d, \"output\": %d, \"keys\": %d, "
                        + "\"steps_per_key\": %d, \"k1\": %d, \"k2\": %d, \"bucket_steps\": %d, \"staleness\": %d, "
                        + "\"parallelism\": %d",
                kind, shape.cell().name().toLowerCase(Locale.ROOT), shape.inputSize(), shape.hiddenSize(),
                shape.outputSize(), w.keys(), w.stepsPerKey(), trainingKind ? k1 : k2, k2, trainingKind ? bucketSteps : 1,
                staleness, parallelism));
        labels.forEach((k, v) -> line.append(", \"").append(k).append("\": \"").append(v).append('"'));
        line.append(", ").append(figures).append('}');
        out.println(line);
        out.flush();
        if (!note.isEmpty()) {
            System.err.println("job-benchmark: " + note);
        }
    }
}

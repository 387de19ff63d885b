package dev.bptt.bench.e2e;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import java.util.Locale;

/**
 * Per-step cost of the whole job with keyed state on each backend: {@link JobRun} (generator
 * input, parallelism 2) with {@code hashmap} and {@code rocksdb}, the model and options of
 * {@link JobBenchmark}'s job part, after one discarded warm-up run per backend. Prints one JSON
 * line per run: steps/s in the steady part and microseconds per step (per subtask: x
 * parallelism).
 *
 * <p>Usage: {@code StateBackendTiming [keys] [steps] [repeats]} (default 1000 256 2).
 */
public final class StateBackendTiming {

    private StateBackendTiming() {}

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int parallelism = 2;
        int k = 32;
        ModelShape shape = new ModelShape(CellKind.RNN, 16, 64, 4);
        Parameters initial = ParameterInit.uniform(shape, 42);
        TrainingOptions options = new TrainingOptions(Loss.MSE, k, k, OptimizerKind.SGD, 1e-4, 0, 0, Reduction.SUM,
                Workload.STEP_MS, 0);
        Workload w = new Workload(keys, steps, shape.inputSize(), shape.outputSize(), 7);
        for (String backend : new String[] {"hashmap", "rocksdb"}) {
            JobRun.run(new BenchJob.Spec("", new Workload(keys, 4 * k, 16, 4, 8), initial, options, parallelism,
                    BenchJob.Input.GENERATOR, null, false), 0.25, backend);
            for (int r = 0; r < repeats; r++) {
                JobFigures f = JobRun.run(new BenchJob.Spec("", w, initial, options, parallelism,
                        BenchJob.Input.GENERATOR, null, false), 0.25, backend);
                System.out.printf(Locale.ROOT, "{\"backend\": \"%s\", \"keys\": %d, \"steps_per_key\": %d, "
                                + "\"steps_per_s\": %.1f, \"overall_steps_per_s\": %.1f, \"us_per_step_per_subtask\": %.2f}%n",
                        backend, keys, steps, f.stepsPerSecond(), f.overallStepsPerSecond(),
                        1e6 * parallelism / f.stepsPerSecond());
            }
        }
    }
}

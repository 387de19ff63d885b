package dev.bptt.bench.e2e;

import dev.bptt.model.Parameters;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The job's work without Flink: {@link ReferenceTrainer} (CONTRACT.md §4 in a plain loop) on the
 * same workload, model and options. It runs the kernels the operators run per key
 * ({@code SequenceForward} for each step, {@code TbpttWindow} for each window, one
 * {@code UpdateRule} step per bucket with loss terms) and nothing else: no parsing, no
 * serialization, no operators. With {@code threads} = 2 the keys are split in two halves trained
 * by two independent trainers at once (the same work on both cores; the parameters then differ
 * from one trainer's, which does not change the cost). The steps are made before the clock starts.
 */
public final class PlainLoop {

    private PlainLoop() {}

    /** Sequence-steps per second, the best of {@code repeats} runs. */
    public static double stepsPerSecond(Workload w, Parameters initial, TrainingOptions options, int threads,
            int repeats) throws Exception {
        List<List<SequenceStep>> parts = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            parts.add(w.steps(p * w.keys() / threads, (p + 1) * w.keys() / threads));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (List<SequenceStep> part : parts) {
                    done.add(pool.submit(() -> ReferenceTrainer.train(initial, options, part)));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                best = Math.max(best, w.records() / ((System.nanoTime() - start) / 1e9));
            }
            return best;
        } finally {
            pool.shutdown();
        }
    }
}

package dev.bptt.bench.e2e;

import dev.bptt.flink.ForwardStep;
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
 * The job's work without Flink, on the same workload, model and options, timed: a {@link Kernels}
 * choice trains each part of the keys (no parsing, no serialization, no operators). With
 * {@code threads} = 2 the keys are split in two halves trained by two independent trainers at once
 * (the same work on both cores; the parameters then differ from one trainer's, which does not
 * change the cost). The steps are made before the clock starts.
 */
public final class PlainLoop {

    /** Which kernels the plain loop runs. */
    public enum Kernels {
        /**
         * {@link ReferenceTrainer} (CONTRACT.md §4): the per-key kernels ({@code SequenceForward}
         * for each step, {@code TbpttWindow} for each window), one {@code UpdateRule} step per
         * bucket with loss terms.
         */
        PER_KEY,
        /** {@link BatchedTrainer}: the operators' batched kernels, batches of up to {@link #BATCH_KEYS} keys. */
        BATCHED;

        /** The operators' default batch size. */
        public static final int BATCH_KEYS = ForwardStep.DEFAULT_BATCH_KEYS;

        void train(Parameters initial, TrainingOptions options, List<SequenceStep> steps) {
            if (this == PER_KEY) {
                ReferenceTrainer.train(initial, options, steps);
            } else {
                BatchedTrainer.train(initial, options, steps, BATCH_KEYS);
            }
        }
    }

    private PlainLoop() {}

    /** A run's sequence-steps per second, and the process's CPU time a step ({@link ProcessCpu}) in microseconds. */
    public record Rate(double stepsPerSecond, double cpuMicrosPerStep) {}

    /** The best of {@code repeats} runs, by steps per second. */
    public static Rate best(Workload w, Parameters initial, TrainingOptions options, Kernels kernels,
            int threads, int repeats) throws Exception {
        List<List<SequenceStep>> parts = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            parts.add(w.steps(p * w.keys() / threads, (p + 1) * w.keys() / threads));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Rate best = new Rate(0, 0);
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                long cpu = ProcessCpu.nanos();
                List<Future<?>> done = new ArrayList<>();
                for (List<SequenceStep> part : parts) {
                    done.add(pool.submit(() -> kernels.train(initial, options, part)));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double rate = w.records() / ((System.nanoTime() - start) / 1e9);
                if (rate > best.stepsPerSecond()) {
                    best = new Rate(rate, (ProcessCpu.nanos() - cpu) / 1e3 / w.records());
                }
            }
            return best;
        } finally {
            pool.shutdown();
        }
    }
}

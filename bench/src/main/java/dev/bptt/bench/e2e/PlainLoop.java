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
 * choice trains the keys (no parsing, no serialization, no operators) on {@code threads} threads,
 * each a part of the keys. {@link Kernels#PER_KEY} and {@link Kernels#BATCHED} train the parts as
 * independent models (one per thread, nothing shared: the kernels' cost alone);
 * {@link Kernels#BATCHED_ONE_MODEL} trains one model as the job does (a barrier per bucket, the
 * parts' gradients summed into one update). The steps are made before the clock starts.
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
        BATCHED,
        /**
         * {@link BatchedTrainer} on all threads at once, one model: every bucket ends at a barrier
         * where the parts' gradients make one update, as the job's parameter loop does. One thread:
         * the same as {@link #BATCHED}.
         */
        BATCHED_ONE_MODEL;

        /** The operators' default batch size. */
        public static final int BATCH_KEYS = ForwardStep.DEFAULT_BATCH_KEYS;

        void train(Parameters initial, TrainingOptions options, List<SequenceStep> steps) {
            if (this == PER_KEY) {
                ReferenceTrainer.train(initial, options, steps);
            } else {
                BatchedTrainer.train(initial, options, steps, BATCH_KEYS);
            }
        }

        /** Trains {@code parts} on their threads from {@code pool} (one model only for {@link #BATCHED_ONE_MODEL}). */
        void train(Parameters initial, TrainingOptions options, List<List<SequenceStep>> parts, ExecutorService pool)
                throws Exception {
            if (this == BATCHED_ONE_MODEL) {
                BatchedTrainer.trainOneModel(initial, options, parts, BATCH_KEYS);
                return;
            }
            List<Future<?>> done = new ArrayList<>();
            for (List<SequenceStep> part : parts) {
                done.add(pool.submit(() -> train(initial, options, part)));
            }
            for (Future<?> f : done) {
                f.get();
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
                kernels.train(initial, options, parts, pool);
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

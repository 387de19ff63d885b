package dev.bptt.bench.e2e;

import dev.bptt.model.BatchBackward;
import dev.bptt.model.ModelShape;
import dev.bptt.model.Parameters;
import dev.bptt.model.StepBatch;
import dev.bptt.model.StepRing;
import dev.bptt.model.TbpttWindow;
import dev.bptt.model.TrainingOptions;
import dev.bptt.model.UpdateRule;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The job's batched kernels in a plain loop, without Flink: bucket by bucket, every key's step
 * through {@link StepBatch} (the forward operator's batches of up to {@code batchKeys} keys), each
 * key's last k2 steps in a {@link StepRing}, the windows closing in the bucket through
 * {@link BatchBackward} (the backward operator's batches, consecutive aligned rings; a GRU or
 * LSTM step's activations kept in its ring, as the job keeps them), then one
 * {@link UpdateRule} step per bucket with loss terms, and at the end of input one for the open
 * windows. Same semantics as {@code ReferenceTrainer} (CONTRACT.md §4) for inputs with at most
 * one step per key and bucket and no idle timeout (as {@link Workload} makes them); its
 * parameters equal the reference's to rounding. No parsing, serialization or state backend.
 *
 * <p>One model on several threads ({@link #trainOneModel} with several parts, as the job trains
 * it at parallelism 2): thread i runs the steps of part i, each part a set of keys, and every
 * bucket ends at a barrier whose action sums the parts' gradients (part 0 first) and makes the
 * bucket's one update: the job's parameter loop, in shared memory.
 */
public final class BatchedTrainer {

    private final TrainingOptions options;
    private final UpdateRule rule;
    private final List<Parameters> versions = new ArrayList<>();
    /** Version after all updates of buckets <= key. */
    private final TreeMap<Long, Long> versionAfterBucket = new TreeMap<>();
    private final int batchKeys;
    private final List<List<SequenceStep>> stepsOfParts;
    /** Each made by its own thread, which then sorts its steps into buckets. */
    private final Part[] parts;
    /** The buckets of every part's steps, ascending, set at the first barrier; every part meets each at the barrier. */
    private long[] buckets;
    /**
     * What the barrier closes next: -1 the parts' set-up, else the index into {@link #buckets},
     * and buckets.length the end of input.
     */
    private int closing = -1;

    private BatchedTrainer(Parameters initial, TrainingOptions options, List<List<SequenceStep>> stepsOfParts,
            int batchKeys) {
        if (options.async() || options.idleTimeoutMs() != 0) {
            throw new IllegalArgumentException("the batched plain loop needs a fixed staleness and no idle timeout");
        }
        this.options = options;
        this.rule = options.newUpdateRule();
        this.batchKeys = batchKeys;
        this.stepsOfParts = stepsOfParts;
        this.parts = new Part[stepsOfParts.size()];
        versions.add(initial.copy());
    }

    /**
     * Trains on valid steps in input order (at most one step per key and bucket) on the calling
     * thread; returns the final parameters. Not modified: the arguments.
     */
    public static Parameters train(Parameters initial, TrainingOptions options, List<SequenceStep> steps,
            int batchKeys) {
        return trainOneModel(initial, options, List.of(steps), batchKeys);
    }

    /**
     * Trains one model on {@code parts.size()} threads, part i's steps on thread i (the calling
     * thread for a single part); no key may be in two parts. Returns the final parameters, equal to
     * those of one part with all the steps to rounding (the gradient is summed part by part). Not
     * modified: the arguments.
     */
    public static Parameters trainOneModel(Parameters initial, TrainingOptions options, List<List<SequenceStep>> parts,
            int batchKeys) {
        BatchedTrainer trainer = new BatchedTrainer(initial, options, parts, batchKeys);
        CyclicBarrier barrier = new CyclicBarrier(parts.size(), trainer::atBarrier);
        if (parts.size() == 1) {
            trainer.runPart(0, barrier);
        } else {
            runOnThreads(trainer, barrier);
        }
        return trainer.current().copy();
    }

    private static void runOnThreads(BatchedTrainer trainer, CyclicBarrier barrier) {
        Thread[] threads = new Thread[trainer.parts.length];
        Throwable[] failures = new Throwable[threads.length];
        for (int p = 0; p < threads.length; p++) {
            int part = p;
            threads[p] = new Thread(() -> {
                try {
                    trainer.runPart(part, barrier);
                } catch (Throwable t) {
                    failures[part] = t;
                    breakBarrier(barrier);
                }
            }, "plain-loop-part-" + p);
            threads[p].start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the parts trained", e);
            }
        }
        for (Throwable t : failures) {
            if (t != null && !(t.getCause() instanceof BrokenBarrierException)) {
                throw t instanceof RuntimeException r ? r : new IllegalStateException("a part failed", t);
            }
        }
    }

    /**
     * Leaves {@code barrier} broken for good, so that the other parts, waiting now or arriving
     * later, fail instead of waiting for a part that stopped: a thread that enters
     * {@link CyclicBarrier#await} interrupted breaks the barrier. ({@link CyclicBarrier#reset}
     * would release only the parts already waiting.)
     */
    private static void breakBarrier(CyclicBarrier barrier) {
        Thread.currentThread().interrupt();
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.interrupted(); // clear the flag set above, if await did not
        }
    }

    /** Part {@code p}: made, then its buckets in order, each (and the end of input) ended at the barrier. */
    private void runPart(int p, CyclicBarrier barrier) {
        Part part = new Part(versions.get(0).shape(), options, batchKeys, stepsOfParts.get(p));
        parts[p] = part;
        await(barrier);
        for (long bucket : buckets) {
            Map.Entry<Long, Long> entry = versionAfterBucket.floorEntry(bucket - options.staleness() - 1);
            long version = entry == null ? 0 : entry.getValue();
            List<SequenceStep> steps = part.buckets.getOrDefault(bucket, List.of());
            part.runBucket(steps, versions.get((int) version), version, versions);
            await(barrier);
        }
        part.endOfInput(current(), versions);
        await(barrier);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at a bucket's barrier", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("another part failed", e);
        }
    }

    /**
     * The barrier's action: after the set-up, the buckets of all parts; after a bucket or the end
     * of input, the parts' gradients summed into one update (or none without loss terms).
     */
    private void atBarrier() {
        if (closing < 0) {
            TreeSet<Long> all = new TreeSet<>();
            for (Part part : parts) {
                all.addAll(part.buckets.keySet());
            }
            buckets = all.stream().mapToLong(Long::longValue).toArray();
            closing = 0;
            return;
        }
        Parameters grad = parts[0].grad;
        long terms = parts[0].terms;
        for (int p = 1; p < parts.length; p++) {
            grad.addInPlace(parts[p].grad);
            terms += parts[p].terms;
        }
        if (UpdateRule.makesStep(terms)) {
            Parameters next = current().copy();
            rule.apply(next, grad, terms);
            versions.add(next);
        }
        if (closing < buckets.length) {
            versionAfterBucket.put(buckets[closing], (long) versions.size() - 1);
        }
        closing++;
    }

    private Parameters current() {
        return versions.get(versions.size() - 1);
    }

    /** One thread's keys: their s_{t-1}, rings and batches, and the gradient of the bucket it ran last. */
    private static final class Part {
        private final TrainingOptions options;
        private final ModelShape shape;
        private final StepBatch forward;
        private final BatchBackward backward;
        private final StepRing[] batchRings;
        private final double[] lossSums;
        private final int[] lossTerms;
        /** The part's steps by bucket, in input order. */
        private final TreeMap<Long, List<SequenceStep>> buckets = new TreeMap<>();
        /** Per key: s_{t-1} (null before its first step) and its ring. */
        private final Map<String, double[]> states = new HashMap<>();
        private final Map<String, StepRing> rings = new HashMap<>();
        /** The last bucket's (or the end of input's) gradient sum and loss terms, read at the barrier. */
        private Parameters grad;
        private long terms;

        Part(ModelShape shape, TrainingOptions options, int batchKeys, List<SequenceStep> steps) {
            this.options = options;
            this.shape = shape;
            this.forward = new StepBatch(shape, batchKeys);
            this.backward = new BatchBackward(shape, options.loss(), batchKeys);
            this.batchRings = new StepRing[batchKeys];
            this.lossSums = new double[batchKeys];
            this.lossTerms = new int[batchKeys];
            this.grad = Parameters.zeros(shape);
            for (SequenceStep step : steps) {
                buckets.computeIfAbsent(options.bucketOf(step.time()), b -> new ArrayList<>()).add(step);
            }
        }

        /** The bucket's steps forward with {@code w} (version {@code version}), then its closing windows into {@link #grad}. */
        void runBucket(List<SequenceStep> steps, Parameters w, long version, List<Parameters> versions) {
            List<SequenceStep> staged = new ArrayList<>(forward.capacity());
            List<StepRing> closing = new ArrayList<>();
            for (SequenceStep step : steps) {
                double[] prev = step.step() == 0 ? null : states.get(step.key());
                forward.add(step.input(), prev);
                staged.add(step);
                if (forward.isFull()) {
                    runForward(staged, w, version, closing);
                }
            }
            runForward(staged, w, version, closing);
            grad = w.zerosLike();
            terms = runBackward(closing, versions);
        }

        /** Every open window closes into {@link #grad}. */
        void endOfInput(Parameters w, List<Parameters> versions) {
            List<StepRing> open = new ArrayList<>();
            for (StepRing ring : rings.values()) {
                if (ring.pendingLoss > 0) {
                    open.add(ring);
                }
            }
            grad = w.zerosLike();
            terms = runBackward(open, versions);
        }

        /** The staged steps' forward pass as one batch; their rings take the steps (empties {@code staged}). */
        private void runForward(List<SequenceStep> staged, Parameters w, long version, List<StepRing> closing) {
            if (staged.isEmpty()) {
                return;
            }
            forward.run(w);
            for (int b = 0; b < staged.size(); b++) {
                SequenceStep step = staged.get(b);
                StepRing ring = rings.computeIfAbsent(step.key(), k -> StepRing.forShape(shape, options.k2()));
                int slot = ring.push(step.input(), 0, forward.statePrev(b), 0, step.target(), 0, step.targetClass(),
                        version);
                double[] activations = forward.activations(b); // as ForwardStep hands them on (GRU, LSTM)
                if (activations != null) {
                    ring.keepActivations(slot, activations, 0, activations.length);
                }
                if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
                    closing.add(ring);
                }
                if (step.last()) {
                    states.remove(step.key());
                    rings.remove(step.key());
                } else {
                    states.put(step.key(), forward.state(b));
                }
            }
            forward.clear();
            staged.clear();
        }

        /** Back-propagates the windows of {@code closing} in batches of aligned rings into {@link #grad}; returns the loss terms. */
        private long runBackward(List<StepRing> closing, List<Parameters> versions) {
            long sum = 0;
            int n = 0;
            for (int i = 0; i <= closing.size(); i++) {
                StepRing next = i < closing.size() ? closing.get(i) : null;
                if (n > 0 && (next == null || n == batchRings.length || !BatchBackward.aligned(batchRings[0], next))) {
                    backward.backward(batchRings, n, v -> versions.get((int) v), grad, lossSums, lossTerms);
                    for (int b = 0; b < n; b++) {
                        sum += lossTerms[b];
                    }
                    n = 0;
                }
                if (next != null) {
                    batchRings[n++] = next;
                }
            }
            return sum;
        }
    }
}

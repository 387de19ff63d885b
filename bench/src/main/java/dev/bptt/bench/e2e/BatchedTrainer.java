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
 */
public final class BatchedTrainer {

    private final TrainingOptions options;
    private final ModelShape shape;
    private final UpdateRule rule;
    private final StepBatch forward;
    private final BatchBackward backward;
    private final StepRing[] batchRings;
    private final double[] lossSums;
    private final int[] lossTerms;
    private final List<Parameters> versions = new ArrayList<>();
    /** Version after all updates of buckets <= key. */
    private final TreeMap<Long, Long> versionAfterBucket = new TreeMap<>();
    /** Per key: s_{t-1} (null before its first step) and its ring. */
    private final Map<String, double[]> states = new HashMap<>();
    private final Map<String, StepRing> rings = new HashMap<>();

    private BatchedTrainer(Parameters initial, TrainingOptions options, int batchKeys) {
        if (options.async() || options.idleTimeoutMs() != 0) {
            throw new IllegalArgumentException("the batched plain loop needs a fixed staleness and no idle timeout");
        }
        this.options = options;
        this.shape = initial.shape();
        this.rule = options.newUpdateRule();
        this.forward = new StepBatch(shape, batchKeys);
        this.backward = new BatchBackward(shape, options.loss(), batchKeys);
        this.batchRings = new StepRing[batchKeys];
        this.lossSums = new double[batchKeys];
        this.lossTerms = new int[batchKeys];
        versions.add(initial.copy());
    }

    /**
     * Trains on valid steps in input order (at most one step per key and bucket); returns the
     * final parameters. Not modified: the arguments.
     */
    public static Parameters train(Parameters initial, TrainingOptions options, List<SequenceStep> steps,
            int batchKeys) {
        BatchedTrainer trainer = new BatchedTrainer(initial, options, batchKeys);
        TreeMap<Long, List<SequenceStep>> buckets = new TreeMap<>();
        for (SequenceStep step : steps) {
            buckets.computeIfAbsent(options.bucketOf(step.time()), b -> new ArrayList<>()).add(step);
        }
        buckets.forEach(trainer::runBucket);
        trainer.endOfInput();
        return trainer.current().copy();
    }

    private void runBucket(long bucket, List<SequenceStep> steps) {
        Map.Entry<Long, Long> entry = versionAfterBucket.floorEntry(bucket - options.staleness() - 1);
        long version = entry == null ? 0 : entry.getValue();
        Parameters w = versions.get((int) version);
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
        Parameters grad = w.zerosLike();
        long terms = runBackward(closing, grad);
        update(grad, terms);
        versionAfterBucket.put(bucket, (long) versions.size() - 1);
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

    /** Back-propagates the windows of {@code closing} in batches of aligned rings into {@code grad}; returns the loss terms. */
    private long runBackward(List<StepRing> closing, Parameters grad) {
        long terms = 0;
        int n = 0;
        for (int i = 0; i <= closing.size(); i++) {
            StepRing next = i < closing.size() ? closing.get(i) : null;
            if (n > 0 && (next == null || n == batchRings.length || !BatchBackward.aligned(batchRings[0], next))) {
                backward.backward(batchRings, n, v -> versions.get((int) v), grad, lossSums, lossTerms);
                for (int b = 0; b < n; b++) {
                    terms += lossTerms[b];
                }
                n = 0;
            }
            if (next != null) {
                batchRings[n++] = next;
            }
        }
        return terms;
    }

    /** Every open window closes into one last update. */
    private void endOfInput() {
        List<StepRing> open = new ArrayList<>();
        for (StepRing ring : rings.values()) {
            if (ring.pendingLoss > 0) {
                open.add(ring);
            }
        }
        Parameters grad = current().zerosLike();
        update(grad, runBackward(open, grad));
    }

    private void update(Parameters grad, long terms) {
        if (!UpdateRule.makesStep(terms)) {
            return;
        }
        Parameters next = current().copy();
        rule.apply(next, grad, terms);
        versions.add(next);
    }

    private Parameters current() {
        return versions.get(versions.size() - 1);
    }
}

package dev.bptt.model;

import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training semantics of CONTRACT.md §4 in a plain loop, without Flink: the oracle the
 * streaming job is tested against. Buckets are processed in event-time order; a step in bucket
 * b runs with the parameters after all updates of buckets {@code < b - s}; a window's gradient
 * belongs to the bucket of its closing step; after each bucket, one update if it has loss terms;
 * at the end of the input every open window closes and their gradients make one last update.
 * Fixed staleness only ({@code async} depends on timing and has no reference).
 */
public final class ReferenceTrainer {

    /** One parameter version made by an update. */
    public record Version(long version, long bucket, double lossSum, long lossTerms, double gradNorm) {
        /** {@link #bucket} of the end-of-input update. */
        public static final long END_OF_INPUT = Long.MAX_VALUE;
    }

    /** Final parameters and every version made. */
    public record Result(Parameters finalParams, List<Version> versions) {}

    private final TrainingOptions options;
    private final List<Parameters> versions = new ArrayList<>();
    /** Version after all updates of buckets <= key. */
    private final TreeMap<Long, Long> versionAfterBucket = new TreeMap<>();
    private final List<Version> made = new ArrayList<>();
    private final Map<String, double[]> states = new LinkedHashMap<>();
    private final Map<String, StepRing> rings = new LinkedHashMap<>();
    private final SequenceForward forward;
    private final TbpttWindow window;
    private final UpdateRule rule;

    private ReferenceTrainer(Parameters initial, TrainingOptions options) {
        if (options.async()) {
            throw new IllegalArgumentException("the reference trainer needs a fixed staleness");
        }
        this.options = options;
        this.versions.add(initial.copy());
        this.forward = new SequenceForward(initial.shape());
        this.window = new TbpttWindow(initial.shape(), options.loss());
        this.rule = options.newUpdateRule();
    }

    /** Trains on valid steps (CONTRACT.md §2, each with a time) given in input order. */
    public static Result train(Parameters initial, TrainingOptions options, List<SequenceStep> steps) {
        ReferenceTrainer trainer = new ReferenceTrainer(initial, options);
        TreeMap<Long, List<SequenceStep>> buckets = new TreeMap<>();
        for (SequenceStep step : steps) {
            buckets.computeIfAbsent(options.bucketOf(step.time()), b -> new ArrayList<>()).add(step);
        }
        buckets.forEach(trainer::runBucket);
        trainer.endOfInput();
        return new Result(trainer.current().copy(), List.copyOf(trainer.made));
    }

    private void runBucket(long bucket, List<SequenceStep> steps) {
        Map.Entry<Long, Long> entry = versionAfterBucket.floorEntry(bucket - options.staleness() - 1);
        long version = entry == null ? 0 : entry.getValue();
        Parameters w = versions.get((int) version);
        Parameters grad = w.zerosLike();
        double lossSum = 0;
        long terms = 0;
        for (SequenceStep step : steps) {
            ModelShape shape = w.shape();
            double[] state = states.computeIfAbsent(step.key(), k -> new double[shape.stateSize()]);
            StepRing ring = rings.computeIfAbsent(step.key(), k -> StepRing.forShape(shape, options.k2()));
            ring.push(step.input(), 0, state, 0, step.target(), 0, step.targetClass(), version);
            forward.step(w, step.input(), state, null);
            if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
                WindowLoss loss = window.backward(ring, v -> versions.get((int) v), grad);
                lossSum += loss.sum();
                terms += loss.terms();
            }
            if (step.last()) {
                states.remove(step.key());
                rings.remove(step.key());
            }
        }
        update(bucket, grad, lossSum, terms);
        versionAfterBucket.put(bucket, (long) versions.size() - 1);
    }

    private void endOfInput() {
        Parameters grad = current().zerosLike();
        double lossSum = 0;
        long terms = 0;
        for (StepRing ring : rings.values()) {
            if (ring.pendingLoss > 0) {
                WindowLoss loss = window.backward(ring, v -> versions.get((int) v), grad);
                lossSum += loss.sum();
                terms += loss.terms();
            }
        }
        update(Version.END_OF_INPUT, grad, lossSum, terms);
    }

    private void update(long bucket, Parameters grad, double lossSum, long terms) {
        Parameters next = current().copy();
        double norm = rule.apply(next, grad, terms);
        if (!Double.isNaN(norm)) {
            versions.add(next);
            made.add(new Version(versions.size() - 1, bucket, lossSum, terms, norm));
        }
    }

    private Parameters current() {
        return versions.get(versions.size() - 1);
    }
}

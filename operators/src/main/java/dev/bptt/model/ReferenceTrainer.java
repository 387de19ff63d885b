package dev.bptt.model;

import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The training semantics of CONTRACT.md §4 in a plain loop, without Flink: the oracle the
 * streaming job is tested against. Buckets are processed in event-time order; a step in bucket
 * b runs with the parameters after all updates of buckets {@code < b - s}; a window's gradient
 * belongs to the bucket of its closing step; after each bucket, one update if it has loss terms;
 * at the end of the input every open window closes and their gradients make one last update.
 * With an idle timeout, a sequence whose key sends nothing for longer ends there, its open window
 * closing into the bucket in which the timeout falls (see {@link #idleExpiries}).
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

    /** Trains on valid steps (CONTRACT.md §2, each with a time) given in input order, no disorder allowed. */
    public static Result train(Parameters initial, TrainingOptions options, List<SequenceStep> steps) {
        return train(initial, options, steps, 0);
    }

    /**
     * Trains on valid steps given in input order. {@code outOfOrdernessMs} (the job's L) decides
     * the last event-time watermark of the input, up to which idle keys expire.
     */
    public static Result train(Parameters initial, TrainingOptions options, List<SequenceStep> steps,
            long outOfOrdernessMs) {
        ReferenceTrainer trainer = new ReferenceTrainer(initial, options);
        TreeMap<Long, List<SequenceStep>> buckets = new TreeMap<>();
        for (SequenceStep step : steps) {
            buckets.computeIfAbsent(options.bucketOf(step.time()), b -> new ArrayList<>()).add(step);
        }
        TreeMap<Long, Map<String, Long>> expiries = idleExpiries(options, steps, outOfOrdernessMs);
        TreeSet<Long> order = new TreeSet<>(buckets.keySet());
        order.addAll(expiries.keySet());
        for (long bucket : order) {
            trainer.runBucket(bucket, buckets.getOrDefault(bucket, List.of()), expiries.getOrDefault(bucket, Map.of()));
        }
        trainer.endOfInput();
        return new Result(trainer.current().copy(), List.copyOf(trainer.made));
    }

    /**
     * When idle keys expire, by bucket, as key -> expiry time: a sequence (not ended by
     * {@code last}) whose key's next step comes more than the idle timeout after its last step,
     * or that has no next step and whose timeout falls at or before the input's last watermark.
     */
    static TreeMap<Long, Map<String, Long>> idleExpiries(TrainingOptions options, List<SequenceStep> steps,
            long outOfOrdernessMs) {
        TreeMap<Long, Map<String, Long>> expiries = new TreeMap<>();
        long timeout = options.idleTimeoutMs();
        if (timeout == 0 || steps.isEmpty()) {
            return expiries;
        }
        Map<String, Long> openSince = new LinkedHashMap<>();
        long maxTime = Long.MIN_VALUE;
        for (SequenceStep step : steps) {
            maxTime = Math.max(maxTime, step.time());
            Long last = openSince.remove(step.key());
            if (last != null && step.time() - last > timeout) {
                expiries.computeIfAbsent(options.bucketOf(last + timeout), b -> new LinkedHashMap<>())
                        .put(step.key(), last + timeout);
            }
            if (!step.last()) {
                openSince.put(step.key(), step.time());
            }
        }
        long lastWatermark = Math.floorDiv(maxTime - outOfOrdernessMs, options.bucketMs()) * options.bucketMs() - 1;
        openSince.forEach((key, last) -> {
            if (last + timeout <= lastWatermark) {
                expiries.computeIfAbsent(options.bucketOf(last + timeout), b -> new LinkedHashMap<>())
                        .put(key, last + timeout);
            }
        });
        return expiries;
    }

    private void runBucket(long bucket, List<SequenceStep> steps, Map<String, Long> expiring) {
        Map.Entry<Long, Long> entry = versionAfterBucket.floorEntry(bucket - options.staleness() - 1);
        long version = entry == null ? 0 : entry.getValue();
        Parameters w = versions.get((int) version);
        Parameters grad = w.zerosLike();
        WindowSum sum = new WindowSum();
        Map<String, Long> pending = new LinkedHashMap<>(expiring);
        for (SequenceStep step : steps) {
            Long expiry = pending.get(step.key());
            if (expiry != null && step.time() > expiry) {
                expire(step.key(), grad, sum);
                pending.remove(step.key());
            }
            ModelShape shape = w.shape();
            double[] state = states.computeIfAbsent(step.key(), k -> new double[shape.stateSize()]);
            StepRing ring = rings.computeIfAbsent(step.key(), k -> StepRing.forShape(shape, options.k2()));
            ring.push(step.input(), 0, state, 0, step.target(), 0, step.targetClass(), version);
            forward.step(w, step.input(), state, null);
            if (TbpttWindow.closesAt(step.step(), step.last(), options.k1())) {
                sum.add(window.backward(ring, v -> versions.get((int) v), grad));
            }
            if (step.last()) {
                states.remove(step.key());
                rings.remove(step.key());
            }
        }
        for (String key : pending.keySet()) {
            expire(key, grad, sum);
        }
        update(bucket, grad, sum.lossSum, sum.terms);
        versionAfterBucket.put(bucket, (long) versions.size() - 1);
    }

    /** An idle key's sequence ends: its open window closes into this bucket's gradient. */
    private void expire(String key, Parameters grad, WindowSum sum) {
        states.remove(key);
        StepRing ring = rings.remove(key);
        if (ring != null && ring.pendingLoss > 0) {
            sum.add(window.backward(ring, v -> versions.get((int) v), grad));
        }
    }

    /** Loss of the windows of one update. */
    private static final class WindowSum {
        double lossSum;
        long terms;

        void add(WindowLoss loss) {
            lossSum += loss.sum();
            terms += loss.terms();
        }
    }

    private void endOfInput() {
        Parameters grad = current().zerosLike();
        WindowSum sum = new WindowSum();
        for (StepRing ring : rings.values()) {
            if (ring.pendingLoss > 0) {
                sum.add(window.backward(ring, v -> versions.get((int) v), grad));
            }
        }
        update(Version.END_OF_INPUT, grad, sum.lossSum, sum.terms);
    }

    private void update(long bucket, Parameters grad, double lossSum, long terms) {
        if (!UpdateRule.makesStep(terms)) {
            return;
        }
        Parameters next = current().copy();
        double norm = rule.apply(next, grad, terms);
        versions.add(next);
        made.add(new Version(versions.size() - 1, bucket, lossSum, terms, norm));
    }

    private Parameters current() {
        return versions.get(versions.size() - 1);
    }
}

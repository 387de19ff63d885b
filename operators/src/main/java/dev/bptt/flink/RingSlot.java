package dev.bptt.flink;

import dev.bptt.model.StepRing;
import dev.bptt.records.TrainingStep;

/**
 * One step of a key's TBPTT ring as TbpttBackward keeps it in keyed state (one map entry per
 * slot, {@link KeyedRing}): x_t, s_{t-1} and the mse target (when the step has one) in one array,
 * the parameter version its forward pass used, and the step's activations when its forward pass
 * kept them. Never modified once made; stored with {@link RingSlotSerializer} (its raw doubles plus
 * 12 bytes), which leaves the activations out: they live only in a heap backend's objects, and a
 * slot read back from bytes (RocksDB, a restore) has none, so the backward pass recomputes its
 * step, to the same bits.
 *
 * <p>One array, not three: a closing window reads all k2 slots of its key, long after they were
 * written, and each array is a cache miss of its own. With the step's three arrays shared,
 * TbpttBackward took 1.1-1.3 us of a forward thread per step in the job benchmark; with one
 * array, copied, 0.8-0.9 us. The bytes written are the same either way.
 *
 * @param values x_t (I values), then s_{t-1} (S), then the target (O) only when
 *     {@code targetClass == }{@link StepRing#VECTOR_TARGET}
 * @param targetClass a class in [0, O) for xent, {@link StepRing#VECTOR_TARGET} when the target
 *     is in {@code values}, or {@link StepRing#NO_TARGET}
 * @param activations {@link TrainingStep#activations}, or null
 */
public record RingSlot(double[] values, int targetClass, long version, double[] activations) {

    /** A slot without activations. */
    public RingSlot(double[] values, int targetClass, long version) {
        this(values, targetClass, version, null);
    }

    /** The slot of {@code step}: its x_t, s_{t-1} and target copied into one array; its activations shared. */
    static RingSlot of(TrainingStep step) {
        double[] x = step.input();
        double[] s = step.statePrev();
        double[] t = step.target();
        double[] values = new double[x.length + s.length + (t == null ? 0 : t.length)];
        System.arraycopy(x, 0, values, 0, x.length);
        System.arraycopy(s, 0, values, x.length, s.length);
        if (t != null) {
            System.arraycopy(t, 0, values, x.length + s.length, t.length);
        }
        return new RingSlot(values, t == null ? step.targetClass() : StepRing.VECTOR_TARGET, step.version(),
                step.activations());
    }

    /**
     * The step in {@code ring}'s physical slot {@code slot}, copied, without its activations (a
     * held ring written back to keyed state, {@link HeldRings}).
     */
    static RingSlot of(StepRing ring, int slot) {
        int in = ring.inputSize;
        int st = ring.stateSize;
        int targetClass = ring.targetClasses[slot];
        boolean target = targetClass == StepRing.VECTOR_TARGET;
        double[] values = new double[in + st + (target ? ring.outputSize : 0)];
        System.arraycopy(ring.inputs, slot * in, values, 0, in);
        System.arraycopy(ring.states, slot * st, values, in, st);
        if (target) {
            System.arraycopy(ring.targets, slot * ring.outputSize, values, in + st, ring.outputSize);
        }
        return new RingSlot(values, targetClass, ring.versions[slot]);
    }

    /**
     * Writes this step into {@code ring}'s physical slot {@code slot}, with its activations when it
     * has them. Modified: {@code ring}'s arrays at that slot.
     */
    void writeTo(StepRing ring, int slot) {
        int in = ring.inputSize;
        boolean target = targetClass == StepRing.VECTOR_TARGET;
        ring.write(slot, values, 0, values, in, target ? values : null, in + ring.stateSize, targetClass, version);
        if (activations != null) {
            ring.keepActivations(slot, activations, 0, activations.length);
        }
    }
}

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
        return new RingSlot(packed(x, 0, x.length, s, 0, s.length, t, 0, t == null ? 0 : t.length),
                t == null ? step.targetClass() : StepRing.VECTOR_TARGET, step.version(), step.activations());
    }

    /**
     * The step in {@code ring}'s physical slot {@code slot}, copied, without its activations (a
     * held ring written back to keyed state, {@link HeldRings}).
     */
    static RingSlot of(StepRing ring, int slot) {
        int in = ring.inputSize;
        int st = ring.stateSize;
        int out = ring.outputSize;
        int targetClass = ring.targetClasses[slot];
        double[] t = targetClass == StepRing.VECTOR_TARGET ? ring.targets : null;
        return new RingSlot(packed(ring.inputs, slot * in, in, ring.states, slot * st, st, t, slot * out, out),
                targetClass, ring.versions[slot]);
    }

    /** x, s and (when {@code t} is not null) the target, copied into one new array: a slot's {@code values}. */
    private static double[] packed(double[] x, int xOff, int in, double[] s, int sOff, int st, double[] t, int tOff,
            int out) {
        double[] values = new double[in + st + (t == null ? 0 : out)];
        System.arraycopy(x, xOff, values, 0, in);
        System.arraycopy(s, sOff, values, in, st);
        if (t != null) {
            System.arraycopy(t, tOff, values, in + st, out);
        }
        return values;
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

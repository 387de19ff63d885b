package dev.bptt.flink;

import dev.bptt.model.StepRing;
import dev.bptt.records.TrainingStep;

/**
 * One step of a key's TBPTT ring as TbpttBackward keeps it in keyed state (one map entry per
 * slot, {@link KeyedRing}): x_t, s_{t-1}, the mse target (null when the step has none) and the
 * parameter version its forward pass used, and the step's activations when its forward pass kept
 * them. Never modified once made; stored with {@link RingSlotSerializer} (its raw doubles plus
 * 12 bytes), which leaves the activations out: they live only in a heap backend's objects, and a
 * slot read back from bytes (RocksDB, a restore) has none, so the backward pass recomputes its
 * step, to the same bits.
 *
 * @param targetClass a class in [0, O) for xent, {@link StepRing#VECTOR_TARGET} when
 *     {@code target} is set, or {@link StepRing#NO_TARGET}
 * @param activations {@link TrainingStep#activations}, or null
 */
public record RingSlot(double[] input, double[] statePrev, double[] target, int targetClass, long version,
        double[] activations) {

    /** A slot without activations. */
    public RingSlot(double[] input, double[] statePrev, double[] target, int targetClass, long version) {
        this(input, statePrev, target, targetClass, version, null);
    }

    /**
     * The slot of {@code step}, sharing its arrays (not copied: no operator of the job modifies a
     * record's arrays once it is emitted, and ForwardStep makes fresh ones for every step; the
     * copies were three arrays of garbage a step, on the forward threads).
     */
    static RingSlot of(TrainingStep step) {
        return new RingSlot(step.input(), step.statePrev(), step.target(),
                step.target() == null ? step.targetClass() : StepRing.VECTOR_TARGET, step.version(),
                step.activations());
    }

    /**
     * Writes this step into {@code ring}'s physical slot {@code slot}, with its activations when it
     * has them. Modified: {@code ring}'s arrays at that slot.
     */
    void writeTo(StepRing ring, int slot) {
        ring.write(slot, input, 0, statePrev, 0, target, 0, targetClass, version);
        if (activations != null) {
            ring.keepActivations(slot, activations, 0, activations.length);
        }
    }
}

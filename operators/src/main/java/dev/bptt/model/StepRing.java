package dev.bptt.model;

import java.util.Arrays;

/**
 * The last {@code capacity} (= k2) steps of one sequence, oldest first: each step's input x_t,
 * the state s_{t-1} before it, its target and the parameter version its forward pass used. Flat
 * primitive arrays only, so it is small and serializes as a plain POJO (public fields, no-arg
 * constructor) when kept as keyed state.
 *
 * <p>{@link #pendingLoss} counts the newest entries whose loss terms no window has counted yet.
 */
public class StepRing {

    /** No target at this step. */
    public static final int NO_TARGET = -1;
    /** An mse target vector is stored at this step. */
    public static final int VECTOR_TARGET = -2;

    public int capacity;
    public int inputSize;
    public int stateSize;
    public int outputSize;
    /** x of each slot, capacity x I. */
    public double[] inputs;
    /** s_{t-1} of each slot, capacity x S. */
    public double[] states;
    /** mse target of each slot, capacity x O (unused for other slots). */
    public double[] targets;
    /** Per slot: a class in [0, O) for xent, {@link #VECTOR_TARGET}, or {@link #NO_TARGET}. */
    public int[] targetClasses;
    /** Per slot: the parameter version the forward pass used. */
    public long[] versions;
    /** Number of entries held, at most capacity. */
    public int size;
    /** Slot that the next push writes. */
    public int next;
    /** Newest entries whose losses are not counted yet, at most size. */
    public int pendingLoss;
    /**
     * Per slot, the activations its forward pass computed ({@link BatchForward#activations}),
     * capacity x {@link #activationSize}, or null while none are kept. They spare the backward
     * pass its recompute of the step ({@link BatchBackward}) and are not part of the ring's
     * persistent form: transient, so serializers and snapshots leave them out, and a ring without
     * them recomputes its steps, to the same bits.
     */
    public transient double[] activations;
    /** Per slot: true when {@link #activations} holds the activations of the slot's step (reset by {@link #write}). */
    public transient boolean[] activationsKept;
    /** Values per slot in {@link #activations}. */
    public transient int activationSize;

    /** For serializers only. */
    public StepRing() {}

    public StepRing(int capacity, int inputSize, int stateSize, int outputSize) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ring capacity (k2) must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.inputSize = inputSize;
        this.stateSize = stateSize;
        this.outputSize = outputSize;
        this.inputs = new double[capacity * inputSize];
        this.states = new double[capacity * stateSize];
        this.targets = new double[capacity * outputSize];
        this.targetClasses = new int[capacity];
        this.versions = new long[capacity];
    }

    /** A ring sized for {@code shape} holding k2 steps. */
    public static StepRing forShape(ModelShape shape, int k2) {
        return new StepRing(k2, shape.inputSize(), shape.stateSize(), shape.outputSize());
    }

    /**
     * Appends a step, dropping the oldest when full, and counts its loss as pending. Not
     * modified: the argument arrays (copied). Returns the physical slot written.
     *
     * @param target mse target at {@code [tOff, tOff + O)}, or null
     * @param targetClass xent class, or {@link #NO_TARGET} / ignored when target is non-null
     */
    public int push(double[] x, int xOff, double[] sPrev, int sOff, double[] target, int tOff, int targetClass,
            long version) {
        int slot = next;
        write(slot, x, xOff, sPrev, sOff, target, tOff, targetClass, version);
        next = (slot + 1) % capacity;
        if (size < capacity) {
            size++;
        }
        if (pendingLoss < size) {
            pendingLoss++;
        }
        return slot;
    }

    /**
     * Writes one step into physical slot {@code slot} without moving {@link #next}, {@link #size}
     * or {@link #pendingLoss} (a ring rebuilt slot by slot from storage). Modified: this ring's
     * arrays at {@code slot}. Not modified: the argument arrays (copied).
     *
     * @param target mse target at {@code [tOff, tOff + O)}, or null
     * @param targetClass xent class, or {@link #NO_TARGET} / ignored when target is non-null
     */
    public void write(int slot, double[] x, int xOff, double[] sPrev, int sOff, double[] target, int tOff,
            int targetClass, long version) {
        System.arraycopy(x, xOff, inputs, slot * inputSize, inputSize);
        System.arraycopy(sPrev, sOff, states, slot * stateSize, stateSize);
        if (target != null) {
            System.arraycopy(target, tOff, targets, slot * outputSize, outputSize);
            targetClasses[slot] = VECTOR_TARGET;
        } else {
            targetClasses[slot] = targetClass;
        }
        versions[slot] = version;
        if (activationsKept != null) {
            activationsKept[slot] = false;
        }
    }

    /**
     * Keeps the activations of the step in physical slot {@code slot}: {@code size} values from
     * {@code src[off]} (copied). Modified: {@link #activations} at that slot (allocated at the
     * first call).
     */
    public void keepActivations(int slot, double[] src, int off, int size) {
        if (activations == null || activationSize != size) {
            activations = new double[capacity * size];
            activationsKept = new boolean[capacity];
            activationSize = size;
        }
        System.arraycopy(src, off, activations, slot * size, size);
        activationsKept[slot] = true;
    }

    /** True when the step in {@code slot} has its activations kept, {@code size} values a slot. */
    public boolean hasActivations(int slot, int size) {
        return activationsKept != null && activationSize == size && activationsKept[slot];
    }

    /** Physical slot of the i-th oldest entry, i in [0, size). */
    public int slot(int i) {
        return Math.floorMod(next - size + i, capacity);
    }

    /** True when the entry in {@code slot} has a loss term. */
    public boolean hasTarget(int slot) {
        return targetClasses[slot] != NO_TARGET;
    }

    /** A deep copy (a closed window kept while its ring moves on). */
    public StepRing copy() {
        StepRing c = new StepRing(capacity, inputSize, stateSize, outputSize);
        copyTo(c);
        return c;
    }

    /**
     * Makes {@code to}, a ring of the same capacity and sizes whose contents no one needs, a deep
     * copy of this one, kept activations included. Modified: {@code to} (its arrays reused).
     */
    public void copyTo(StepRing to) {
        if (to.capacity != capacity || to.inputSize != inputSize || to.stateSize != stateSize
                || to.outputSize != outputSize) {
            throw new IllegalArgumentException("a ring of another shape");
        }
        System.arraycopy(inputs, 0, to.inputs, 0, inputs.length);
        System.arraycopy(states, 0, to.states, 0, states.length);
        System.arraycopy(targets, 0, to.targets, 0, targets.length);
        System.arraycopy(targetClasses, 0, to.targetClasses, 0, targetClasses.length);
        System.arraycopy(versions, 0, to.versions, 0, versions.length);
        to.size = size;
        to.next = next;
        to.pendingLoss = pendingLoss;
        if (activations == null) {
            if (to.activationsKept != null) {
                Arrays.fill(to.activationsKept, false);
            }
            return;
        }
        if (to.activations == null || to.activationSize != activationSize) {
            to.activations = new double[activations.length];
            to.activationsKept = new boolean[capacity];
            to.activationSize = activationSize;
        }
        System.arraycopy(activations, 0, to.activations, 0, activations.length);
        System.arraycopy(activationsKept, 0, to.activationsKept, 0, capacity);
    }

    /** Forgets every entry (a sequence ended). */
    public void clear() {
        size = 0;
        next = 0;
        pendingLoss = 0;
    }

    /** Bytes of the raw step data this ring can hold: capacity x (I + S + O) x 8. */
    public long rawBytes() {
        return (long) capacity * (inputSize + stateSize + outputSize) * Double.BYTES;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StepRing r)) {
            return false;
        }
        return capacity == r.capacity && inputSize == r.inputSize && stateSize == r.stateSize
                && outputSize == r.outputSize && size == r.size && next == r.next && pendingLoss == r.pendingLoss
                && Arrays.equals(inputs, r.inputs) && Arrays.equals(states, r.states)
                && Arrays.equals(targets, r.targets) && Arrays.equals(targetClasses, r.targetClasses)
                && Arrays.equals(versions, r.versions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(states) * 31 + size;
    }
}

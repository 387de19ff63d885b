package dev.bptt.model;

import java.util.Arrays;

/**
 * One forward step of up to {@code capacity} keys staged for {@link BatchForward}: each key's
 * {@code x_t} and {@code s_{t-1}} are added, {@link #run} computes {@code s_t = f(s_{t-1}, x_t; w)}
 * and {@code y_t = W_out h_t + b_out} for all of them at once, and each key's {@code s_{t-1}},
 * {@code s_t} and {@code y_t} are then read back by its position. A key's numbers are those of
 * {@link BatchForward} (the same whatever else is staged). A workspace: not thread-safe, allocates
 * nothing per step except the copies it hands out.
 */
public final class StepBatch {

    private final int in;
    private final int st;
    private final int out;
    private final BatchForward forward;
    private final double[] inputs;
    /** s_{t-1} on add, s_t after run. */
    private final double[] states;
    private final double[] before;
    private final double[] predictions;
    /** The keys' activations, key-major, read from the forward pass when first asked for after a run. */
    private final double[] activations;
    /** True when {@link #activations} holds the last run's. */
    private boolean activationsRead;
    private int size;

    public StepBatch(ModelShape shape, int capacity) {
        this.in = shape.inputSize();
        this.st = shape.stateSize();
        this.out = shape.outputSize();
        this.forward = new BatchForward(shape, capacity);
        this.inputs = new double[capacity * in];
        this.states = new double[capacity * st];
        this.before = new double[capacity * st];
        this.predictions = new double[capacity * out];
        this.activations = new double[capacity * forward.activationSize()];
    }

    public int capacity() {
        return forward.capacity();
    }

    /** Keys staged. */
    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == forward.capacity();
    }

    /**
     * Stages a key's step; returns its position. Not modified: the arguments (copied).
     *
     * @param x x_t, length I
     * @param statePrev s_{t-1}, length S, or null for the zero state (a sequence's first step)
     */
    public int add(double[] x, double[] statePrev) {
        if (isFull()) {
            throw new IllegalStateException("batch of " + size + " keys is full");
        }
        System.arraycopy(x, 0, inputs, size * in, in);
        if (statePrev == null) {
            Arrays.fill(states, size * st, (size + 1) * st, 0.0);
        } else {
            System.arraycopy(statePrev, 0, states, size * st, st);
        }
        return size++;
    }

    /** The forward step of every staged key with parameters {@code w} (not modified). */
    public void run(Parameters w) {
        System.arraycopy(states, 0, before, 0, size * st);
        forward.step(w, inputs, states, predictions, size);
        activationsRead = false;
    }

    /** s_{t-1} of the key at {@code position} (a copy). */
    public double[] statePrev(int position) {
        return Arrays.copyOfRange(before, position * st, (position + 1) * st);
    }

    /** s_t of the key at {@code position} after {@link #run} (a copy). */
    public double[] state(int position) {
        return Arrays.copyOfRange(states, position * st, (position + 1) * st);
    }

    /**
     * s_t of the key at {@code position} after {@link #run}, written into {@code into} (modified)
     * when it has the state's length, else into a new array; returns the array written.
     */
    public double[] state(int position, double[] into) {
        if (into == null || into.length != st) {
            return state(position);
        }
        System.arraycopy(states, position * st, into, 0, st);
        return into;
    }

    /** y_t of the key at {@code position} after {@link #run} (a copy). */
    public double[] prediction(int position) {
        return Arrays.copyOfRange(predictions, position * out, (position + 1) * out);
    }

    /**
     * The activations of the key at {@code position} after {@link #run} (a copy; see
     * {@link BatchForward#activations}), or null for a cell that keeps none (Elman).
     */
    public double[] activations(int position) {
        if (activations.length == 0) {
            return null;
        }
        if (!activationsRead) {
            forward.activations(activations, 0, forward.activationSize(), size);
            activationsRead = true;
        }
        int a = forward.activationSize();
        return Arrays.copyOfRange(activations, position * a, (position + 1) * a);
    }

    /** Empties the batch for the next step. */
    public void clear() {
        size = 0;
    }
}

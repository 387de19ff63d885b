package dev.bptt.model;

/**
 * The forward step of n sequences at once: {@code S <- f(S, X; w)} and {@code Y = H W_out^T + b_out}
 * as matrix-matrix products, row b being key b. Every key's state and prediction are bit for bit
 * what {@link SequenceForward} computes for it alone, whatever else is in the batch (the
 * batched kernels give each row its per-row result), so batching never changes a training run.
 * All keys use the same parameters. A workspace for up to {@code capacity} keys: not
 * thread-safe, allocates nothing per step.
 */
public final class BatchForward {

    private final ModelShape shape;
    private final BatchCell cell;
    private final double[] next;

    public BatchForward(ModelShape shape, int capacity) {
        this.shape = shape;
        this.cell = BatchCell.create(shape, capacity);
        this.next = new double[capacity * shape.stateSize()];
    }

    /** Largest batch this workspace takes. */
    public int capacity() {
        return cell.capacity;
    }

    /**
     * One step of n keys.
     *
     * @param inputs x_t of key b at {@code [b * I, (b + 1) * I)} (not modified)
     * @param states s_{t-1} of key b at {@code [b * S, (b + 1) * S)} on entry, s_t on return (modified)
     * @param predictions receives y_t of key b at {@code [b * O, (b + 1) * O)} (modified); null skips the readout
     * @param n number of keys, 1..capacity
     */
    public void step(Parameters w, double[] inputs, double[] states, double[] predictions, int n) {
        final int in = shape.inputSize();
        final int st = shape.stateSize();
        final int out = shape.outputSize();
        cell.checkBatch(n);
        if (inputs.length < n * in || states.length < n * st || (predictions != null && predictions.length < n * out)) {
            throw new IllegalArgumentException("batch of " + n + " keys needs inputs >= " + n * in + ", states >= "
                    + n * st + ", predictions >= " + n * out + "; got " + inputs.length + ", " + states.length + ", "
                    + (predictions == null ? "null" : predictions.length));
        }
        cell.forward(w, inputs, 0, in, states, 0, st, next, n);
        System.arraycopy(next, 0, states, 0, n * st);
        if (predictions != null) {
            for (int b = 0; b < n; b++) {
                System.arraycopy(w.readoutBias.data, 0, predictions, b * out, out);
            }
            Kernels.multAddRows(w.readoutWeight, states, 0, st, predictions, 0, out, n);
        }
    }
}

package dev.bptt.model;

/**
 * The forward step of n sequences at once: {@code S <- f(S, X; w)} and {@code Y = H W_out^T + b_out}
 * as matrix-matrix products over the keys. Inside, the keys are the vector lanes
 * ({@link LaneCell}), so a key's state and prediction are the same whatever else is in the
 * batch and however large it is, and equal to {@link SequenceForward}'s to rounding (1e-12; the
 * sums run in another order, so not bit for bit). All keys use the same parameters. A workspace
 * for up to {@code capacity} keys: not thread-safe, allocates nothing per step.
 */
public final class BatchForward {

    private final ModelShape shape;
    private final LaneCell cell;
    private final double[] xt;
    private final double[] st;
    private final double[] out;
    private final double[] yt;

    public BatchForward(ModelShape shape, int capacity) {
        this.shape = shape;
        this.cell = LaneCell.create(shape, capacity);
        int slots = cell.slots; // room for a row's last masked vector (LaneCell.slots)
        this.xt = new double[shape.inputSize() * slots];
        this.st = new double[shape.stateSize() * slots];
        this.out = new double[shape.stateSize() * slots];
        this.yt = new double[shape.outputSize() * slots];
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
        final int outputs = shape.outputSize();
        cell.checkBatch(n);
        if (inputs.length < n * in || states.length < n * st
                || (predictions != null && predictions.length < n * outputs)) {
            throw new IllegalArgumentException("batch of " + n + " keys needs inputs >= " + n * in + ", states >= "
                    + n * st + ", predictions >= " + n * outputs + "; got " + inputs.length + ", " + states.length
                    + ", " + (predictions == null ? "null" : predictions.length));
        }
        toLanes(inputs, 0, in, in, n, xt);
        toLanes(states, 0, st, st, n, this.st);
        cell.forward(w, xt, this.st, out, n);
        fromLanes(out, st, n, states, 0, st);
        if (predictions != null) {
            Kernels.laneBiasMult2(w.readoutBias.data, null, w.readoutWeight, out, 0, n, null, null, 0, 0, yt, 0, n, n);
            fromLanes(yt, outputs, n, predictions, 0, outputs);
        }
    }

    /** Values per key that {@link #activations} writes: 0 for the Elman cell, 4H for the GRU and the LSTM. */
    public int activationSize() {
        return cell.activationSize();
    }

    /**
     * The activations of the last {@link #step}'s n keys, key b's at
     * {@code dst[off + b * stride, + activationSize())} (modified): kept with a key's step, they
     * let {@link BatchBackward} skip recomputing it ({@link StepRing#activations}). Requires
     * {@code activationSize() > 0}.
     */
    public void activations(double[] dst, int off, int stride, int n) {
        cell.saveActivations(dst, off, stride, n);
    }

    /**
     * {@code dst[f * n + b] = src[off + b * stride + f]} for f < features, b < n. Tiles of 8 keys:
     * each pass over f writes one cache line of dst from 8 rows of src read in order (a key at a
     * time wrote a new cache line per element: 7.0 to 4.5 us at 128 features x 64 keys).
     */
    static void toLanes(double[] src, int off, int stride, int features, int n, double[] dst) {
        toLanes(src, off, stride, features, n, dst, 0);
    }

    /** The same into {@code dst} from {@code dOff}: {@code dst[dOff + f * n + b]}. */
    static void toLanes(double[] src, int off, int stride, int features, int n, double[] dst, int dOff) {
        int b = 0;
        for (; b + 8 <= n; b += 8) {
            int s0 = off + b * stride;
            for (int f = 0; f < features; f++) {
                int d = dOff + f * n + b;
                int s = s0 + f;
                dst[d] = src[s];
                dst[d + 1] = src[s + stride];
                dst[d + 2] = src[s + 2 * stride];
                dst[d + 3] = src[s + 3 * stride];
                dst[d + 4] = src[s + 4 * stride];
                dst[d + 5] = src[s + 5 * stride];
                dst[d + 6] = src[s + 6 * stride];
                dst[d + 7] = src[s + 7 * stride];
            }
        }
        for (; b < n; b++) {
            int s = off + b * stride;
            for (int f = 0; f < features; f++) {
                dst[dOff + f * n + b] = src[s + f];
            }
        }
    }

    /**
     * {@code dst[off + b * stride + f] = src[f * n + b]} for f < features, b < n. Tiles of 8
     * features: each key's 8 values of a tile land in one cache line of dst.
     */
    static void fromLanes(double[] src, int features, int n, double[] dst, int off, int stride) {
        fromLanes(src, 0, features, n, dst, off, stride);
    }

    /** The same from {@code src} at {@code sOff}: {@code src[sOff + f * n + b]}. */
    static void fromLanes(double[] src, int sOff, int features, int n, double[] dst, int off, int stride) {
        int f = 0;
        for (; f + 8 <= features; f += 8) {
            int s0 = sOff + f * n;
            for (int b = 0; b < n; b++) {
                int d = off + b * stride + f;
                int s = s0 + b;
                dst[d] = src[s];
                dst[d + 1] = src[s + n];
                dst[d + 2] = src[s + 2 * n];
                dst[d + 3] = src[s + 3 * n];
                dst[d + 4] = src[s + 4 * n];
                dst[d + 5] = src[s + 5 * n];
                dst[d + 6] = src[s + 6 * n];
                dst[d + 7] = src[s + 7 * n];
            }
        }
        for (; f < features; f++) {
            for (int b = 0; b < n; b++) {
                dst[off + b * stride + f] = src[sOff + f * n + b];
            }
        }
    }
}

package dev.bptt.model;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The engine of {@link TbpttWindow}: the backward pass of TBPTT windows with every (step, key) a
 * row of a matrix product (see {@link TbpttWindow} for the math). All steps of a window are
 * recomputed from their stored (x, s_{t-1}) before the recursion starts, one product over the
 * rows per parameter version (the rows as vector lanes, {@link RowCell#preact}); the recursion
 * then pushes each key's {@code dL/ds} back step by step; the
 * parameter gradient is one product over all rows at the end. The working set grows with
 * k2 x keys, so this is fast for one key (TbpttWindow) and a few; many keys take
 * {@link BatchBackward}. The keys' rings must be aligned: the same number of steps, of pending
 * losses, and the same parameter version at every position (targets may differ). Each key's
 * loss and {@code dL/ds} chain equal those of the step-by-step recursion through
 * {@link Cell#backward} to rounding; the parameter gradient is their sum to rounding. A workspace for up to {@code capacity} keys and k2 steps: not
 * thread-safe, allocates nothing per window.
 */
final class RowBackward {

    private final ModelShape shape;
    private final Loss loss;
    private final int k2;
    private final int keys;
    private final RowCell cell;
    private final Readout readout;
    /** x of every (step, key) row, step-major: row i * n + b. */
    private final double[] xs;
    /** s_{t-1} of every (step, key) row. */
    private final double[] sPrevs;
    /** Gate gradients towards W_ih of every (step, key) row. */
    private final double[] aIh;
    /** Towards W_hh: aIh itself unless the cell's differ (gru). */
    private final double[] aHh;
    /** Recomputed s_t of every (step, key) row. */
    private final double[] states;
    private double[] ds;
    private double[] dsPrev;
    private final double[] sKey;
    private final double[] dsKey;

    RowBackward(ModelShape shape, Loss loss, int k2, int capacity) {
        if (k2 < 1) {
            throw new IllegalArgumentException("k2 must be >= 1, got " + k2);
        }
        this.shape = shape;
        this.loss = loss;
        this.k2 = k2;
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
        }
        this.keys = capacity;
        this.cell = RowCell.create(shape, k2 * capacity);
        this.readout = new Readout(shape);
        int rows = k2 * capacity;
        this.xs = new double[rows * shape.inputSize()];
        this.sPrevs = new double[rows * shape.stateSize()];
        this.aIh = new double[rows * shape.gateRows()];
        this.aHh = cell.separateRecurrentGradient() ? new double[rows * shape.gateRows()] : aIh;
        this.states = new double[rows * shape.stateSize()];
        this.ds = new double[capacity * shape.stateSize()];
        this.dsPrev = new double[capacity * shape.stateSize()];
        this.sKey = new double[shape.stateSize()];
        this.dsKey = new double[shape.stateSize()];
    }

    /** Longest window this workspace takes. */
    public int k2() {
        return k2;
    }

    /** Largest batch this workspace takes. */
    public int capacity() {
        return keys;
    }

    /**
     * Back-propagates through the windows of {@code rings[0..n)}, counting the loss terms of their
     * {@code pendingLoss} newest steps, and marks them counted.
     *
     * @param rings aligned rings (modified: pendingLoss set to 0)
     * @param versions parameters of a version number (not modified)
     * @param grad gradient buffer (modified: the sum of the windows' gradients is added)
     * @param lossSums receives each key's window loss sum (modified, first n entries)
     * @param lossTerms receives each key's number of loss terms (modified, first n entries)
     */
    public void backward(StepRing[] rings, int n, LongFunction<Parameters> versions, Parameters grad,
            double[] lossSums, int[] lossTerms) {
        if (n < 1 || n > keys) {
            throw new IllegalArgumentException("batch of " + n + " keys, capacity is " + keys);
        }
        final int size = rings[0].size;
        checkAligned(rings, n);
        final int in = shape.inputSize();
        final int st = shape.stateSize();
        final int out = shape.outputSize();
        final int g = shape.gateRows();
        final StepRing first = rings[0];
        final int firstCounted = size - first.pendingLoss;
        for (int i = 0; i < size; i++) {
            for (int b = 0; b < n; b++) {
                int slot = rings[b].slot(i);
                System.arraycopy(rings[b].inputs, slot * in, xs, (i * n + b) * in, in);
                System.arraycopy(rings[b].states, slot * st, sPrevs, (i * n + b) * st, st);
            }
        }
        // Recompute every step, one product per run of steps with the same parameter version.
        for (int i = 0; i < size; ) {
            long version = first.versions[first.slot(i)];
            int end = i + 1;
            while (end < size && first.versions[first.slot(end)] == version) {
                end++;
            }
            cell.forward(versions.apply(version), xs, i * n * in, in, sPrevs, i * n * st, st, states, i * n,
                    (end - i) * n);
            i = end;
        }
        Arrays.fill(lossSums, 0, n, 0.0);
        Arrays.fill(lossTerms, 0, n, 0);
        Arrays.fill(ds, 0, n * st, 0.0);
        for (int i = size - 1; i >= 0; i--) {
            Parameters w = versions.apply(first.versions[first.slot(i)]);
            if (i >= firstCounted) {
                for (int b = 0; b < n; b++) {
                    StepRing ring = rings[b];
                    int slot = ring.slot(i);
                    if (ring.hasTarget(slot)) {
                        System.arraycopy(states, (i * n + b) * st, sKey, 0, st);
                        System.arraycopy(ds, b * st, dsKey, 0, st);
                        lossSums[b] += readout.lossAndBackward(w, sKey, loss, ring.targets, slot * out,
                                ring.targetClasses[slot], grad, dsKey);
                        System.arraycopy(dsKey, 0, ds, b * st, st);
                        lossTerms[b]++;
                    }
                }
            }
            cell.backward(w, sPrevs, i * n * st, st, ds, dsPrev, aIh, aHh, i * n * g, i * n, n);
            double[] swap = ds;
            ds = dsPrev;
            dsPrev = swap;
        }
        int rows = size * n;
        Kernels.outerAddRows(grad.weightIh, aIh, 0, g, xs, 0, in, rows);
        Kernels.outerAddRows(grad.weightHh, aHh, 0, g, sPrevs, 0, st, rows);
        for (int m = 0; m < rows; m++) {
            Kernels.addTo(aIh, m * g, grad.biasIh.data, 0, g);
            Kernels.addTo(aHh, m * g, grad.biasHh.data, 0, g);
        }
        for (int b = 0; b < n; b++) {
            rings[b].pendingLoss = 0;
        }
    }

    private void checkAligned(StepRing[] rings, int n) {
        if (rings[0].size > k2) {
            throw new IllegalArgumentException("ring holds " + rings[0].size + " steps, this workspace takes k2 = "
                    + k2);
        }
        BatchBackward.checkAligned(rings, n);
    }
}

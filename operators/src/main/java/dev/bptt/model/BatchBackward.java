package dev.bptt.model;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The backward pass of the TBPTT windows of n keys that close together, as one recursion over
 * matrix-matrix products (see {@link TbpttWindow} for the math). The keys' rings must be
 * aligned: the same number of steps, of pending losses, and the same parameter version at every
 * position (targets may differ). Each key's recomputed states, loss and {@code dL/ds} chain are
 * bit for bit those of {@link TbpttWindow}; the parameter gradient is the sum over the keys and
 * steps, formed at the end of the window as {@code dW += A^T X} over all (step, key) rows, so it
 * equals the sum of the per-key window gradients to rounding (not bit for bit: the order of the
 * sum differs). A workspace for up to {@code capacity} keys and k2 steps: not thread-safe,
 * allocates nothing per window.
 */
public final class BatchBackward {

    private final ModelShape shape;
    private final Loss loss;
    private final int k2;
    private final BatchCell cell;
    private final Readout readout;
    /** x of every (step, key) row, step-major: row i * n + b. */
    private final double[] xs;
    /** s_{t-1} of every (step, key) row. */
    private final double[] sPrevs;
    /** Gate gradients towards W_ih of every (step, key) row. */
    private final double[] aIh;
    /** Towards W_hh: aIh itself unless the cell's differ (gru). */
    private final double[] aHh;
    private final double[] s;
    private double[] ds;
    private double[] dsPrev;
    private final double[] sKey;
    private final double[] dsKey;

    public BatchBackward(ModelShape shape, Loss loss, int k2, int capacity) {
        if (k2 < 1) {
            throw new IllegalArgumentException("k2 must be >= 1, got " + k2);
        }
        this.shape = shape;
        this.loss = loss;
        this.k2 = k2;
        this.cell = BatchCell.create(shape, capacity);
        this.readout = new Readout(shape);
        int rows = k2 * capacity;
        this.xs = new double[rows * shape.inputSize()];
        this.sPrevs = new double[rows * shape.stateSize()];
        this.aIh = new double[rows * shape.gateRows()];
        this.aHh = cell.separateRecurrentGradient() ? new double[rows * shape.gateRows()] : aIh;
        this.s = new double[capacity * shape.stateSize()];
        this.ds = new double[capacity * shape.stateSize()];
        this.dsPrev = new double[capacity * shape.stateSize()];
        this.sKey = new double[shape.stateSize()];
        this.dsKey = new double[shape.stateSize()];
    }

    /** Largest batch this workspace takes. */
    public int capacity() {
        return cell.capacity;
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
        cell.checkBatch(n);
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
        Arrays.fill(lossSums, 0, n, 0.0);
        Arrays.fill(lossTerms, 0, n, 0);
        Arrays.fill(ds, 0, n * st, 0.0);
        for (int i = size - 1; i >= 0; i--) {
            Parameters w = versions.apply(first.versions[first.slot(i)]);
            cell.forward(w, xs, i * n * in, in, sPrevs, i * n * st, st, s, n);
            if (i >= firstCounted) {
                for (int b = 0; b < n; b++) {
                    StepRing ring = rings[b];
                    int slot = ring.slot(i);
                    if (ring.hasTarget(slot)) {
                        System.arraycopy(s, b * st, sKey, 0, st);
                        System.arraycopy(ds, b * st, dsKey, 0, st);
                        lossSums[b] += readout.lossAndBackward(w, sKey, loss, ring.targets, slot * out,
                                ring.targetClasses[slot], grad, dsKey);
                        System.arraycopy(dsKey, 0, ds, b * st, st);
                        lossTerms[b]++;
                    }
                }
            }
            cell.backward(w, sPrevs, i * n * st, st, ds, dsPrev, aIh, aHh, i * n * g, n);
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
        StepRing first = rings[0];
        if (first.size > k2) {
            throw new IllegalArgumentException("ring holds " + first.size + " steps, this workspace takes k2 = " + k2);
        }
        for (int b = 1; b < n; b++) {
            StepRing r = rings[b];
            if (r.size != first.size || r.pendingLoss != first.pendingLoss) {
                throw new IllegalArgumentException("rings 0 and " + b + " are not aligned: sizes " + first.size
                        + " and " + r.size + ", pending losses " + first.pendingLoss + " and " + r.pendingLoss);
            }
            for (int i = 0; i < first.size; i++) {
                if (r.versions[r.slot(i)] != first.versions[first.slot(i)]) {
                    throw new IllegalArgumentException("rings 0 and " + b + " used different parameter versions at "
                            + "position " + i + ": " + first.versions[first.slot(i)] + " and " + r.versions[r.slot(i)]);
                }
            }
        }
    }
}

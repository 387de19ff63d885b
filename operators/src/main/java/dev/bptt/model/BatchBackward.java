package dev.bptt.model;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The backward pass of the TBPTT windows of n keys that close together, as one recursion over
 * matrix-matrix products (see {@link TbpttWindow} for the math): at each step, from the newest
 * down, the keys' steps are recomputed together from their stored (x, s_{t-1}) (for the Elman
 * cell only the newest: its backward needs only s_t, which the next step stored as its s_{t-1},
 * exactly as the forward pass computed it; for the GRU and LSTM not when every key's ring kept
 * the step's activations from its batched forward pass, {@link StepRing#activations}, which give
 * the recompute's numbers bit for bit), the readout's
 * and the cell's vector-Jacobian products run with the keys as vector lanes ({@link LaneCell}),
 * and the parameter gradient takes {@code dW += A^T X} over the keys. A key's loss and
 * {@code dL/ds} chain are the same whatever else is in the batch, and equal to
 * {@link TbpttWindow}'s to rounding; the parameter gradient is the sum of the keys' window
 * gradients to rounding.
 *
 * <p>The keys' rings must be aligned: the same number of steps, of pending losses, and the same
 * parameter version at every position (targets may differ) - as the windows of keys that move
 * in step through the same event-time buckets are. A workspace for up to {@code capacity} keys:
 * not thread-safe, allocates nothing per window.
 */
public final class BatchBackward {

    private final ModelShape shape;
    private final Loss loss;
    private final LaneCell cell;
    private final int capacity;
    /** The step's inputs and previous states, key-major (n x I, n x S); sPrevNext: the step after's. */
    private final double[] x;
    private double[] sPrev;
    private double[] sPrevNext;
    /** The same, feature-major (I x n, S x n); stNext: s_{t-1} of the step after (= its s_t). */
    private final double[] xt;
    private double[] st;
    private double[] stNext;
    /** Recomputed s_t (S x n), its h key-major (n x H). */
    private final double[] out;
    private final double[] hKey;
    /** Readout y_t (O x n), one key's y and dL/dy, and dL/dy of all keys (O x n). */
    private final double[] yt;
    private final double[] y;
    private final double[] dy;
    private final double[] dyt;
    private final double[] aIh;
    private final double[] aHh;
    private double[] ds;
    private double[] dsPrev;
    /** Values of a step's kept activations ({@link StepRing#activations}), and the n keys' at a step. */
    private final int actSize;
    private final double[] acts;

    public BatchBackward(ModelShape shape, Loss loss, int capacity) {
        this.shape = shape;
        this.loss = loss;
        this.cell = LaneCell.create(shape, capacity);
        this.capacity = capacity;
        int in = shape.inputSize();
        int st = shape.stateSize();
        int o = shape.outputSize();
        int slots = cell.slots; // room for a row's last masked vector (LaneCell.slots)
        this.x = new double[slots * in];
        this.sPrev = new double[slots * st];
        this.sPrevNext = new double[slots * st];
        this.xt = new double[slots * in];
        this.st = new double[slots * st];
        this.stNext = new double[slots * st];
        this.out = new double[slots * st];
        this.hKey = new double[slots * shape.hiddenSize()];
        this.yt = new double[slots * o];
        this.y = new double[o];
        this.dy = new double[o];
        this.dyt = new double[slots * o];
        this.aIh = new double[slots * shape.gateRows()];
        this.aHh = cell.separateRecurrentGradient() ? new double[slots * shape.gateRows()] : aIh;
        this.ds = new double[slots * st];
        this.dsPrev = new double[slots * st];
        this.actSize = cell.activationSize();
        this.acts = new double[slots * actSize];
    }

    /** Values per step of the activations that spare a recompute ({@link StepRing#activations}): 0, or 4H. */
    public int activationSize() {
        return actSize;
    }

    /** Largest batch this workspace takes. */
    public int capacity() {
        return capacity;
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
        checkAligned(rings, n);
        final int in = shape.inputSize();
        final int stSize = shape.stateSize();
        final int g = shape.gateRows();
        final StepRing first = rings[0];
        final int size = first.size;
        final int firstCounted = size - first.pendingLoss;
        Arrays.fill(lossSums, 0, n, 0.0);
        Arrays.fill(lossTerms, 0, n, 0);
        Arrays.fill(ds, 0, n * stSize, 0.0);
        for (int i = size - 1; i >= 0; i--) {
            Parameters w = versions.apply(first.versions[first.slot(i)]);
            for (int b = 0; b < n; b++) {
                int slot = rings[b].slot(i);
                System.arraycopy(rings[b].inputs, slot * in, x, b * in, in);
                System.arraycopy(rings[b].states, slot * stSize, sPrev, b * stSize, stSize);
            }
            BatchForward.toLanes(sPrev, 0, stSize, stSize, n, st);
            // s_t is the next step's stored s_{t-1}: what the forward pass computed, no recompute
            boolean known = i < size - 1 && cell.backwardNeedsOnlyTheState();
            if (known) {
                System.arraycopy(stNext, 0, out, 0, stSize * n);
                cell.forwardKnown(out, n);
            } else if (gatherActivations(rings, i, n)) {
                cell.forwardFrom(acts, 0, actSize, st, out, n);
            } else {
                BatchForward.toLanes(x, 0, in, in, n, xt);
                cell.forward(w, xt, st, out, n);
            }
            if (i >= firstCounted) {
                readoutBackward(rings, i, n, w, grad, lossSums, lossTerms, known ? sPrevNext : null, stSize);
            }
            cell.backward(w, st, ds, dsPrev, aIh, aHh, n);
            Kernels.outerAddLanes(grad.weightIh, aIh, 0, n, x, 0, in, n);
            Kernels.outerAddLanes(grad.weightHh, aHh, 0, n, sPrev, 0, stSize, n);
            Kernels.rowSumsAdd(aIh, 0, n, g, n, grad.biasIh.data);
            Kernels.rowSumsAdd(aHh, 0, n, g, n, grad.biasHh.data);
            double[] swap = ds;
            ds = dsPrev;
            dsPrev = swap;
            swap = stNext;
            stNext = st;
            st = swap;
            swap = sPrevNext;
            sPrevNext = sPrev;
            sPrev = swap;
        }
        for (int b = 0; b < n; b++) {
            rings[b].pendingLoss = 0;
        }
    }

    /**
     * Copies the kept activations of every key's step i into {@link #acts}, key-major, when all
     * n keys kept them (else the step is recomputed, to the same bits).
     */
    private boolean gatherActivations(StepRing[] rings, int i, int n) {
        if (actSize == 0) {
            return false;
        }
        for (int b = 0; b < n; b++) {
            if (!rings[b].hasActivations(rings[b].slot(i), actSize)) {
                return false;
            }
        }
        for (int b = 0; b < n; b++) {
            StepRing r = rings[b];
            System.arraycopy(r.activations, r.slot(i) * actSize, acts, b * actSize, actSize);
        }
        return true;
    }

    /**
     * The loss terms of step i and their direct terms: ds += W_out^T dy, grad += readout gradient.
     *
     * @param hKnown h_t of the keys, key-major with stride {@code ldh} (the cell's state when that
     *     is h), or null to take it from {@code out}
     */
    private void readoutBackward(StepRing[] rings, int i, int n, Parameters w, Parameters grad, double[] lossSums,
            int[] lossTerms, double[] hKnown, int ldh) {
        final int o = shape.outputSize();
        final int h = shape.hiddenSize();
        Kernels.laneBiasMult2(w.readoutBias.data, null, w.readoutWeight, out, 0, n, null, null, 0, 0, yt, 0, n, n);
        boolean any = false;
        for (int b = 0; b < n; b++) {
            StepRing ring = rings[b];
            int slot = ring.slot(i);
            if (ring.hasTarget(slot)) {
                for (int k = 0; k < o; k++) {
                    y[k] = yt[k * n + b];
                }
                lossSums[b] += loss.valueAndGradient(y, ring.targets, slot * o, ring.targetClasses[slot], dy);
                lossTerms[b]++;
                for (int k = 0; k < o; k++) {
                    dyt[k * n + b] = dy[k];
                }
                any = true;
            } else {
                for (int k = 0; k < o; k++) {
                    dyt[k * n + b] = 0.0;
                }
            }
        }
        if (!any) {
            return;
        }
        Kernels.laneMultTransAdd(w.readoutWeight, dyt, 0, n, ds, 0, n, n);
        if (hKnown == null) {
            BatchForward.fromLanes(out, h, n, hKey, 0, h);
            Kernels.outerAddLanes(grad.readoutWeight, dyt, 0, n, hKey, 0, h, n);
        } else {
            Kernels.outerAddLanes(grad.readoutWeight, dyt, 0, n, hKnown, 0, ldh, n);
        }
        Kernels.rowSumsAdd(dyt, 0, n, o, n, grad.readoutBias.data);
    }

    static void checkAligned(StepRing[] rings, int n) {
        StepRing first = rings[0];
        for (int b = 1; b < n; b++) {
            StepRing r = rings[b];
            if (r.size != first.size || r.pendingLoss != first.pendingLoss) {
                throw new IllegalArgumentException("rings 0 and " + b + " are not aligned: sizes " + first.size
                        + " and " + r.size + ", pending losses " + first.pendingLoss + " and " + r.pendingLoss);
            }
            int i = firstVersionDifference(first, r);
            if (i >= 0) {
                throw new IllegalArgumentException("rings 0 and " + b + " used different parameter versions at "
                        + "position " + i + ": " + first.versions[first.slot(i)] + " and " + r.versions[r.slot(i)]);
            }
        }
    }

    /**
     * True when the windows of {@code a} and {@code b} can run in one batch: the same number of
     * steps and of pending losses, and the same parameter version at every position.
     */
    public static boolean aligned(StepRing a, StepRing b) {
        return a.size == b.size && a.pendingLoss == b.pendingLoss && firstVersionDifference(a, b) < 0;
    }

    /** The first position where two rings of equal size used different versions, or -1. */
    private static int firstVersionDifference(StepRing a, StepRing b) {
        for (int i = 0; i < a.size; i++) {
            if (a.versions[a.slot(i)] != b.versions[b.slot(i)]) {
                return i;
            }
        }
        return -1;
    }
}

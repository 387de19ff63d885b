package dev.bptt.model;

import java.util.function.LongFunction;

/**
 * The backward pass of one TBPTT(k1, k2) window, as the classical factorization
 * <pre>
 *   dL/dw = sum_tau dL/ds_tau * ds_tau/dw (partial),
 *   dL/ds_tau = dL/ds_tau (direct) + dL/ds_{tau+1} * ds_{tau+1}/ds_tau
 * </pre>
 * run as one loop from the closing step down to the oldest step in the ring, the state before
 * that step held constant. Each step is recomputed from its stored (x, s_{t-1}) with the
 * parameter version its forward pass used, then the running {@code dL/ds} is pushed through
 * the readout and the cell's vector-Jacobian products. No Jacobian is ever formed. It is
 * {@link RowBackward} with one key: the window's steps are recomputed together (one
 * matrix-matrix product per parameter version) and its parameter gradient is formed once at the
 * end ({@code dW += A^T X} over the steps). A workspace: not thread-safe; allocates nothing per
 * window after the first.
 */
public final class TbpttWindow {

    private final ModelShape shape;
    private final Loss loss;
    private final double[] lossSum = new double[1];
    private final int[] lossTerms = new int[1];
    private final StepRing[] rings = new StepRing[1];
    /** The batched backward pass with one key: the window's steps are its rows. */
    private RowBackward batch;

    public TbpttWindow(ModelShape shape, Loss loss) {
        this.shape = shape;
        this.loss = loss;
    }

    /** The TBPTT close rule: a window closes at step t when (t+1) is a multiple of k1, or t is last. */
    public static boolean closesAt(long step, boolean last, int k1) {
        return last || (step + 1) % k1 == 0;
    }

    /**
     * Back-propagates through every step in {@code ring} (the last min(t+1, k2) steps), counting
     * the loss terms of its {@code pendingLoss} newest steps, and marks them counted.
     *
     * @param ring the window's steps (modified: pendingLoss set to 0)
     * @param versions parameters of a version number (not modified)
     * @param grad gradient buffer (modified: the window's gradient is added)
     * @return the window's loss sum and number of loss terms
     */
    public WindowLoss backward(StepRing ring, LongFunction<Parameters> versions, Parameters grad) {
        if (batch == null || batch.k2() < ring.size) {
            batch = new RowBackward(shape, loss, Math.max(ring.capacity, ring.size), 1);
        }
        rings[0] = ring;
        batch.backward(rings, 1, versions, grad, lossSum, lossTerms);
        rings[0] = null;
        return new WindowLoss(lossSum[0], lossTerms[0]);
    }
}

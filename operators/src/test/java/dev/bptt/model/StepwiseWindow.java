package dev.bptt.model;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The reference for {@link TbpttWindow} and {@link BatchBackward}: the window's backward pass a
 * step at a time through {@link Cell#backward}, as TbpttWindow ran before the batched kernels.
 * The classical factorization
 * <pre>
 *   dL/dw = sum_tau dL/ds_tau * ds_tau/dw (partial),
 *   dL/ds_tau = dL/ds_tau (direct) + dL/ds_{tau+1} * ds_{tau+1}/ds_tau
 * </pre>
 * run as one loop from the closing step down to the oldest step in the ring, the state before
 * that step held constant. Each step is recomputed from its stored (x, s_{t-1}) with the
 * parameter version its forward pass used, then the running {@code dL/ds} is pushed through
 * the readout and the cell's vector-Jacobian products. No Jacobian is ever formed. A workspace:
 * not thread-safe; allocates nothing per step.
 */
final class StepwiseWindow {

    private final ModelShape shape;
    private final Loss loss;
    private final Cell cell;
    private final Readout readout;
    private double[] ds;
    private double[] dsPrev;
    private final double[] s;

    StepwiseWindow(ModelShape shape, Loss loss) {
        this.shape = shape;
        this.loss = loss;
        this.cell = Cell.create(shape);
        this.readout = new Readout(shape);
        this.ds = new double[shape.stateSize()];
        this.dsPrev = new double[shape.stateSize()];
        this.s = new double[shape.stateSize()];
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
        final int stateSize = shape.stateSize();
        final int firstCounted = ring.size - ring.pendingLoss;
        Arrays.fill(ds, 0.0);
        double lossSum = 0;
        int terms = 0;
        for (int i = ring.size - 1; i >= 0; i--) {
            int slot = ring.slot(i);
            Parameters w = versions.apply(ring.versions[slot]);
            int xOff = slot * ring.inputSize;
            int sOff = slot * stateSize;
            cell.forward(w, ring.inputs, xOff, ring.states, sOff, s);
            if (i >= firstCounted && ring.hasTarget(slot)) {
                lossSum += readout.lossAndBackward(w, s, loss, ring.targets, slot * ring.outputSize,
                        ring.targetClasses[slot], grad, ds);
                terms++;
            }
            cell.backward(w, ring.inputs, xOff, ring.states, sOff, ds, grad, dsPrev);
            double[] swap = ds;
            ds = dsPrev;
            dsPrev = swap;
        }
        ring.pendingLoss = 0;
        return new WindowLoss(lossSum, terms);
    }
}

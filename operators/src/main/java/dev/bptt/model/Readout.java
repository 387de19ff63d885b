package dev.bptt.model;

/**
 * The linear readout {@code y_t = W_out h_t + b_out} and its backward pass. A workspace: not
 * thread-safe, allocates nothing after construction.
 */
public final class Readout {

    private final int outputs;
    private final double[] y;
    private final double[] dy;

    public Readout(ModelShape shape) {
        this.outputs = shape.outputSize();
        this.y = new double[outputs];
        this.dy = new double[outputs];
    }

    /**
     * {@code out = W_out h + b_out} with h at {@code s[0, H)}.
     *
     * @param out receives y, length O (modified)
     */
    public void predict(Parameters w, double[] s, double[] out) {
        System.arraycopy(w.readoutBias.data, 0, out, 0, outputs);
        Kernels.multAdd(w.readoutWeight, s, 0, out, 0);
    }

    /**
     * The loss term at a step whose state is {@code s}, and its backward pass:
     * {@code dW_out += dy h^T}, {@code db_out += dy}, {@code ds[0, H) += W_out^T dy} with
     * {@code dy = dL/dy}.
     *
     * @param s the step's state s_t, h in {@code [0, H)} (not modified)
     * @param grad gradient buffer (modified: accumulated into)
     * @param ds dL/ds_t (modified: the direct term is added)
     * @return the loss term
     */
    public double lossAndBackward(
            Parameters w, double[] s, Loss loss, double[] targets, int tOff, int targetClass, Parameters grad, double[] ds) {
        predict(w, s, y);
        double value = loss.valueAndGradient(y, targets, tOff, targetClass, dy);
        Kernels.outerAdd(grad.readoutWeight, dy, 0, s, 0);
        Kernels.addTo(dy, 0, grad.readoutBias.data, 0, outputs);
        Kernels.multTransAdd(w.readoutWeight, dy, 0, ds, 0);
        return value;
    }
}

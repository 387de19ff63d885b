package dev.bptt.model;

import java.util.Arrays;

/**
 * Elman cell, PyTorch's {@code RNNCell(nonlinearity='tanh')}:
 * {@code h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)}.
 *
 * <p>Backward: {@code a_bar = dL/dh_t * (1 - h_t^2)}; {@code dW_ih += a_bar x^T},
 * {@code dW_hh += a_bar h_{t-1}^T}, {@code db_ih += a_bar}, {@code db_hh += a_bar};
 * {@code dL/dh_{t-1} = W_hh^T a_bar}.
 */
final class RnnCell extends Cell {

    /** h_t of the last forward step. */
    private final double[] h;
    /** Pre-activation gradient a_bar. */
    private final double[] aBar;

    RnnCell(ModelShape shape) {
        super(shape);
        h = new double[hidden];
        aBar = new double[hidden];
    }

    @Override
    public void forward(Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] sOut) {
        double[] bi = w.biasIh.data;
        double[] bh = w.biasHh.data;
        for (int j = 0; j < hidden; j++) {
            sOut[j] = bi[j] + bh[j];
        }
        Kernels.multAdd2(w.weightIh, x, xOff, w.weightHh, sPrev, sOff, sOut, 0);
        Kernels.tanhInPlace(sOut, 0, hidden);
        System.arraycopy(sOut, 0, h, 0, hidden);
    }

    @Override
    public void backward(
            Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] ds, Parameters grad, double[] dsPrev) {
        for (int j = 0; j < hidden; j++) {
            aBar[j] = ds[j] * (1.0 - h[j] * h[j]);
        }
        Kernels.outerAdd(grad.weightIh, aBar, 0, x, xOff);
        Kernels.outerAdd(grad.weightHh, aBar, 0, sPrev, sOff);
        Kernels.addTo(aBar, 0, grad.biasIh.data, 0, hidden);
        Kernels.addTo(aBar, 0, grad.biasHh.data, 0, hidden);
        Arrays.fill(dsPrev, 0, hidden, 0.0);
        Kernels.multTransAdd(w.weightHh, aBar, 0, dsPrev, 0);
    }
}

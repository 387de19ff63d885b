package dev.bptt.model;

import java.util.Arrays;

/**
 * Long short-term memory, PyTorch's {@code LSTMCell}, gate blocks (i, f, g, o); the state is
 * {@code s = (h, c)}, h in {@code [0, H)} and c in {@code [H, 2H)}:
 * <pre>
 *   a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
 *   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * </pre>
 * Backward with {@code (dL/dh_t, dL/dc_t)}: {@code c_bar = dL/dc_t + dL/dh_t o (1 - tanh(c_t)^2)};
 * {@code a_bar = (c_bar g i(1-i), c_bar c_{t-1} f(1-f), c_bar i (1-g^2), dL/dh_t tanh(c_t) o(1-o))};
 * {@code dW_ih += a_bar x^T}, {@code dW_hh += a_bar h_{t-1}^T}, biases {@code += a_bar};
 * {@code dL/dh_{t-1} = W_hh^T a_bar}, {@code dL/dc_{t-1} = c_bar f}.
 */
final class LstmCell extends Cell {

    private final double[] a;
    private final double[] tanhC;
    private final double[] aBar;

    LstmCell(ModelShape shape) {
        super(shape);
        a = new double[4 * hidden];
        tanhC = new double[hidden];
        aBar = new double[4 * hidden];
    }

    @Override
    public void forward(Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] sOut) {
        final int g4 = 4 * hidden;
        double[] bi = w.biasIh.data;
        double[] bh = w.biasHh.data;
        for (int j = 0; j < g4; j++) {
            a[j] = bi[j] + bh[j];
        }
        Kernels.multAdd2(w.weightIh, x, xOff, w.weightHh, sPrev, sOff, a, 0);
        Kernels.sigmoidInPlace(a, 0, 2 * hidden);
        Kernels.tanhInPlace(a, 2 * hidden, hidden);
        Kernels.sigmoidInPlace(a, 3 * hidden, hidden);
        for (int j = 0; j < hidden; j++) {
            double c = a[hidden + j] * sPrev[sOff + hidden + j] + a[j] * a[2 * hidden + j];
            sOut[hidden + j] = c;
            tanhC[j] = c;
        }
        Kernels.tanhInPlace(tanhC, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            sOut[j] = a[3 * hidden + j] * tanhC[j];
        }
    }

    @Override
    public void backward(
            Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] ds, Parameters grad, double[] dsPrev) {
        for (int j = 0; j < hidden; j++) {
            double i = a[j];
            double f = a[hidden + j];
            double g = a[2 * hidden + j];
            double o = a[3 * hidden + j];
            double dh = ds[j];
            double cBar = ds[hidden + j] + dh * o * (1.0 - tanhC[j] * tanhC[j]);
            aBar[j] = cBar * g * i * (1.0 - i);
            aBar[hidden + j] = cBar * sPrev[sOff + hidden + j] * f * (1.0 - f);
            aBar[2 * hidden + j] = cBar * i * (1.0 - g * g);
            aBar[3 * hidden + j] = dh * tanhC[j] * o * (1.0 - o);
            dsPrev[hidden + j] = cBar * f;
        }
        Kernels.outerAdd(grad.weightIh, aBar, 0, x, xOff);
        Kernels.outerAdd(grad.weightHh, aBar, 0, sPrev, sOff);
        Kernels.addTo(aBar, 0, grad.biasIh.data, 0, 4 * hidden);
        Kernels.addTo(aBar, 0, grad.biasHh.data, 0, 4 * hidden);
        Arrays.fill(dsPrev, 0, hidden, 0.0);
        Kernels.multTransAdd(w.weightHh, aBar, 0, dsPrev, 0);
    }
}

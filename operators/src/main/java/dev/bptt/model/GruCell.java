package dev.bptt.model;

/**
 * Gated recurrent unit, PyTorch's {@code GRUCell}, gate blocks (r, z, n):
 * <pre>
 *   gi = W_ih x_t + b_ih,  gh = W_hh h_{t-1} + b_hh
 *   r = sigmoid(gi_r + gh_r),  z = sigmoid(gi_z + gh_z),  n = tanh(gi_n + r * gh_n)
 *   h_t = (h_{t-1} - n) * z + n          (= (1 - z) * n + z * h_{t-1})
 * </pre>
 * Backward with {@code e = dL/dh_t}: {@code n_bar = e (1 - z)(1 - n^2)},
 * {@code z_bar = e (h_{t-1} - n) z (1 - z)}, {@code r_bar = n_bar gh_n r (1 - r)};
 * {@code gi_bar = (r_bar, z_bar, n_bar)}, {@code gh_bar = (r_bar, z_bar, n_bar r)};
 * {@code dW_ih += gi_bar x^T}, {@code dW_hh += gh_bar h_{t-1}^T}, biases likewise;
 * {@code dL/dh_{t-1} = e z + W_hh^T gh_bar}.
 */
final class GruCell extends Cell {

    private final double[] gi;
    private final double[] gh;
    /** r in [0, H) and z in [H, 2H). */
    private final double[] rz;
    private final double[] n;
    private final double[] giBar;
    private final double[] ghBar;

    GruCell(ModelShape shape) {
        super(shape);
        gi = new double[3 * hidden];
        gh = new double[3 * hidden];
        rz = new double[2 * hidden];
        n = new double[hidden];
        giBar = new double[3 * hidden];
        ghBar = new double[3 * hidden];
    }

    @Override
    public void forward(Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] sOut) {
        final int g = 3 * hidden;
        System.arraycopy(w.biasIh.data, 0, gi, 0, g);
        System.arraycopy(w.biasHh.data, 0, gh, 0, g);
        Kernels.multAdd(w.weightIh, x, xOff, gi, 0);
        Kernels.multAdd(w.weightHh, sPrev, sOff, gh, 0);
        for (int j = 0; j < 2 * hidden; j++) {
            rz[j] = gi[j] + gh[j];
        }
        Kernels.sigmoidInPlace(rz, 0, 2 * hidden);
        for (int j = 0; j < hidden; j++) {
            n[j] = gi[2 * hidden + j] + rz[j] * gh[2 * hidden + j];
        }
        Kernels.tanhInPlace(n, 0, hidden);
        for (int j = 0; j < hidden; j++) {
            sOut[j] = (sPrev[sOff + j] - n[j]) * rz[hidden + j] + n[j];
        }
    }

    @Override
    public void backward(
            Parameters w, double[] x, int xOff, double[] sPrev, int sOff, double[] ds, Parameters grad, double[] dsPrev) {
        final int h2 = 2 * hidden;
        for (int j = 0; j < hidden; j++) {
            double e = ds[j];
            double r = rz[j];
            double z = rz[hidden + j];
            double nBar = e * (1.0 - z) * (1.0 - n[j] * n[j]);
            double zBar = e * (sPrev[sOff + j] - n[j]) * z * (1.0 - z);
            double rBar = nBar * gh[h2 + j] * r * (1.0 - r);
            giBar[j] = rBar;
            giBar[hidden + j] = zBar;
            giBar[h2 + j] = nBar;
            ghBar[j] = rBar;
            ghBar[hidden + j] = zBar;
            ghBar[h2 + j] = nBar * r;
            dsPrev[j] = e * z;
        }
        Kernels.outerAdd(grad.weightIh, giBar, 0, x, xOff);
        Kernels.outerAdd(grad.weightHh, ghBar, 0, sPrev, sOff);
        Kernels.addTo(giBar, 0, grad.biasIh.data, 0, 3 * hidden);
        Kernels.addTo(ghBar, 0, grad.biasHh.data, 0, 3 * hidden);
        Kernels.multTransAdd(w.weightHh, ghBar, 0, dsPrev, 0);
    }
}

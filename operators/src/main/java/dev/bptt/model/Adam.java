package dev.bptt.model;

/**
 * Adam (Kingma and Ba, 2015) as {@code torch.optim.Adam(lr, betas=(0.9, 0.999), eps=1e-8)} with
 * no weight decay or amsgrad, step k:
 * <pre>
 *   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
 *   w <- w - lr / (1 - beta1^k) * m / (sqrt(v) / sqrt(1 - beta2^k) + eps)
 * </pre>
 */
public final class Adam implements Optimizer {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    private final double lr;
    private long steps;
    private double[] m;
    private double[] v;

    public Adam(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("adam needs lr >= 0, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public void step(Parameters params, Parameters grad) {
        if (m == null) {
            m = new double[params.size()];
            v = new double[params.size()];
        }
        steps++;
        double biasCorrection1 = 1 - Math.pow(BETA1, steps);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(BETA2, steps));
        double stepSize = lr / biasCorrection1;
        int offset = 0;
        for (int t = 0; t < params.tensorCount(); t++) {
            double[] w = params.tensor(t).data;
            double[] g = grad.tensor(t).data;
            int n = params.tensor(t).getNumElements();
            for (int j = 0; j < n; j++) {
                int k = offset + j;
                m[k] = m[k] * BETA1 + (1 - BETA1) * g[j];
                v[k] = v[k] * BETA2 + (1 - BETA2) * g[j] * g[j];
                double denom = Math.sqrt(v[k]) / biasCorrection2Sqrt + EPS;
                w[j] += -stepSize * (m[k] / denom);
            }
            offset += n;
        }
    }

    @Override
    public OptimizerState snapshot() {
        return new OptimizerState(steps, m == null ? null : m.clone(), v == null ? null : v.clone());
    }

    @Override
    public void restore(OptimizerState state) {
        steps = state.steps();
        m = state.first() == null ? null : state.first().clone();
        v = state.second() == null ? null : state.second().clone();
    }
}

package dev.bptt.model;

/**
 * Stochastic gradient descent as {@code torch.optim.SGD(lr, momentum)} with no dampening,
 * Nesterov or weight decay: {@code b_1 = g}, {@code b_k = momentum b_{k-1} + g},
 * {@code w <- w - lr b_k}; without momentum {@code w <- w - lr g}.
 */
public final class Sgd implements Optimizer {

    private final double lr;
    private final double momentum;
    private long steps;
    private double[] buffer;

    public Sgd(double lr, double momentum) {
        if (!(lr >= 0) || !(momentum >= 0)) {
            throw new IllegalArgumentException("sgd needs lr >= 0 and momentum >= 0, got " + lr + ", " + momentum);
        }
        this.lr = lr;
        this.momentum = momentum;
    }

    @Override
    public void step(Parameters params, Parameters grad) {
        int offset = 0;
        if (momentum != 0 && buffer == null) {
            buffer = new double[params.size()];
        }
        for (int t = 0; t < params.tensorCount(); t++) {
            double[] w = params.tensor(t).data;
            double[] g = grad.tensor(t).data;
            int n = params.tensor(t).getNumElements();
            if (momentum == 0) {
                for (int j = 0; j < n; j++) {
                    w[j] += -lr * g[j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    double b = steps == 0 ? g[j] : buffer[offset + j] * momentum + g[j];
                    buffer[offset + j] = b;
                    w[j] += -lr * b;
                }
            }
            offset += n;
        }
        steps++;
    }

    @Override
    public OptimizerState snapshot() {
        return new OptimizerState(steps, buffer == null ? null : buffer.clone(), null);
    }

    @Override
    public void restore(OptimizerState state) {
        steps = state.steps();
        buffer = state.first() == null ? null : state.first().clone();
    }
}

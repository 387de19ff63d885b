package dev.bptt.model;

import java.util.Locale;

/** Per-step losses on the readout {@code y_t}. */
public enum Loss {
    /** {@code 1/2 sum_j (y_j - target_j)^2}; gradient {@code y - target}. */
    MSE {
        @Override
        public double valueAndGradient(double[] y, double[] targets, int tOff, int targetClass, double[] dy) {
            double loss = 0;
            for (int j = 0; j < y.length; j++) {
                double d = y[j] - targets[tOff + j];
                dy[j] = d;
                loss += d * d;
            }
            return 0.5 * loss;
        }
    },
    /** {@code -log softmax(y)[c] = logsumexp(y) - y_c}; gradient {@code softmax(y) - onehot(c)}. */
    XENT {
        @Override
        public double valueAndGradient(double[] y, double[] targets, int tOff, int targetClass, double[] dy) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : y) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int j = 0; j < y.length; j++) {
                dy[j] = Math.exp(y[j] - max);
                sum += dy[j];
            }
            for (int j = 0; j < y.length; j++) {
                dy[j] /= sum;
            }
            dy[targetClass] -= 1.0;
            return max + Math.log(sum) - y[targetClass];
        }
    };

    /**
     * The loss of output {@code y} and its gradient.
     *
     * @param y readout, length O (not modified)
     * @param targets mse target at {@code [tOff, tOff + O)} (unused for xent; not modified)
     * @param targetClass xent class in [0, O) (unused for mse)
     * @param dy receives dL/dy, length O (modified)
     * @return the loss term
     */
    public abstract double valueAndGradient(double[] y, double[] targets, int tOff, int targetClass, double[] dy);

    /** Lower-case name as on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code mse} or {@code xent}. */
    public static Loss parse(String name) {
        for (Loss loss : values()) {
            if (loss.id().equalsIgnoreCase(name)) {
                return loss;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "' (expected mse or xent)");
    }
}

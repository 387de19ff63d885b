package dev.bptt.model;

import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation for {@code nn.RNN/GRU/LSTM} and for the {@code nn.Linear}
 * readout over H inputs: every value uniform in {@code [-1/sqrt(H), 1/sqrt(H))}. Drawn from a
 * {@link SplittableRandom} seeded with {@code seed}, tensor after tensor in
 * {@link Parameters#NAMES} order, so the same seed always gives the same values.
 */
public final class ParameterInit {

    private ParameterInit() {}

    public static Parameters uniform(ModelShape shape, long seed) {
        Parameters p = Parameters.zeros(shape);
        SplittableRandom random = new SplittableRandom(seed);
        double bound = 1.0 / Math.sqrt(shape.hiddenSize());
        for (int t = 0; t < p.tensorCount(); t++) {
            double[] data = p.tensor(t).data;
            for (int j = 0; j < p.tensor(t).getNumElements(); j++) {
                data[j] = random.nextDouble(-bound, bound);
            }
        }
        return p;
    }
}

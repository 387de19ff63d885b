package dev.bptt.job;

import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/** Timed test inputs: keys that start late, end early, restart after {@code last}, in time order. */
final class TrainingInputs {

    private TrainingInputs() {}

    static List<SequenceStep> mixed(ModelShape shape, Loss loss, int keys, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<SequenceStep> all = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = "key-" + k;
            long time = 1_000_000 + random.nextInt(0, 3000);
            int sequences = 1 + random.nextInt(2);
            for (int s = 0; s < sequences; s++) {
                int length = 1 + random.nextInt(14);
                boolean ends = s < sequences - 1 || random.nextBoolean();
                for (int t = 0; t < length; t++) {
                    double[] x = new double[shape.inputSize()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = random.nextDouble(-1, 1);
                    }
                    double[] target = null;
                    int cls = SequenceStep.NO_CLASS;
                    if (random.nextInt(5) != 0) {
                        if (loss == Loss.MSE) {
                            target = new double[shape.outputSize()];
                            for (int j = 0; j < target.length; j++) {
                                target[j] = random.nextDouble(-1, 1);
                            }
                        } else {
                            cls = random.nextInt(shape.outputSize());
                        }
                    }
                    all.add(new SequenceStep(key, t, time, x, target, cls, ends && t == length - 1));
                    time += random.nextInt(0, 400);
                }
                time += random.nextInt(0, 500);
            }
        }
        all.sort(Comparator.comparingLong(SequenceStep::time));
        return all;
    }
}

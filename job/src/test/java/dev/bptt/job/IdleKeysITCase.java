package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Idle keys: a key that sends nothing for longer than the idle timeout ends there (its open window
 * closes into the bucket where the timeout falls) and may start again at step 0 without
 * {@code last}. The job still equals the reference trainer, which applies the same rule.
 */
class IdleKeysITCase extends TrainingJobTestBase {

    private static final long TIMEOUT = 2500;

    @ParameterizedTest(name = "staleness {0}")
    @CsvSource({"0", "2"})
    void idleKeysExpireAsTheReferenceSays(int staleness) throws Exception {
        ModelShape shape = new ModelShape(CellKind.GRU, 2, 4, 2);
        Parameters initial = ParameterInit.uniform(shape, 3);
        TrainingOptions options = new TrainingOptions(Loss.MSE, 3, 6, OptimizerKind.ADAM, 0.01, 0, 0, Reduction.MEAN,
                700, staleness, TIMEOUT);
        List<SequenceStep> steps = idleInput(shape, 21);

        ReferenceTrainer.Result expected =
                assertTrainsLikeTheReference(run(steps, initial, options, 2), steps, initial, options);
        ReferenceTrainer.Result withoutTimeout = ReferenceTrainer.train(initial, new TrainingOptions(Loss.MSE, 3, 6,
                OptimizerKind.ADAM, 0.01, 0, 0, Reduction.MEAN, 700, staleness), restartsMarkedLast(steps));
        // the timeout changed what was trained: expired windows closed in other buckets
        assertThat(expected.finalParams()).isNotEqualTo(withoutTimeout.finalParams());
    }

    /**
     * Keys with quiet gaps longer than the timeout, after which they start again at step 0; key
     * "gone" stops early and never returns; key "late-idle" stops near the end of the input.
     */
    static List<SequenceStep> idleInput(ModelShape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<SequenceStep> all = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            long time = 10_000 + random.nextInt(500);
            for (int sequence = 0; sequence < 3; sequence++) {
                int length = 2 + random.nextInt(8);
                for (int t = 0; t < length; t++) {
                    all.add(step(shape, "key-" + k, t, time, random));
                    time += 100 + random.nextInt(300);
                }
                time += TIMEOUT + 1 + random.nextInt(2000);
            }
        }
        for (int t = 0; t < 4; t++) {
            all.add(step(shape, "gone", t, 10_100 + 200L * t, random));
        }
        long end = all.stream().mapToLong(SequenceStep::time).max().orElseThrow();
        all.add(step(shape, "late-idle", 0, end - 1000, random));
        all.add(step(shape, "late-idle", 1, end - 900, random));
        all.sort(Comparator.comparingLong(SequenceStep::time));
        return all;
    }

    private static SequenceStep step(ModelShape shape, String key, int t, long time, SplittableRandom random) {
        double[] x = {random.nextDouble(-1, 1), random.nextDouble(-1, 1)};
        double[] target = random.nextInt(4) == 0 ? null : new double[] {random.nextDouble(-1, 1), random.nextDouble(-1, 1)};
        return new SequenceStep(key, t, time, x, target, SequenceStep.NO_CLASS, false);
    }

    /** The same input with {@code last} on every step before a restart (so it is valid without a timeout). */
    private static List<SequenceStep> restartsMarkedLast(List<SequenceStep> steps) {
        List<SequenceStep> out = new ArrayList<>(steps);
        for (int i = 0; i < out.size(); i++) {
            SequenceStep s = out.get(i);
            for (int j = i + 1; j < out.size(); j++) {
                SequenceStep next = out.get(j);
                if (next.key().equals(s.key())) {
                    if (next.step() == 0) {
                        out.set(i, new SequenceStep(s.key(), s.step(), s.time(), s.input(), s.target(), s.targetClass(),
                                true));
                    }
                    break;
                }
            }
        }
        return out;
    }
}

package dev.bptt.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.ReferenceTrainer;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchedTrainerTest {

    // windows of 4 with k2 = 6, an open window at the end, and batches that split a bucket's keys
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 4, 6, OptimizerKind.SGD, 1e-2, 0, 0,
            Reduction.SUM, Workload.STEP_MS, 0);

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void trainsAsTheReferenceTrainerToRounding(CellKind cell) {
        Parameters initial = ParameterInit.uniform(new ModelShape(cell, 3, 5, 2), 42);
        List<SequenceStep> steps = new Workload(7, 10, 3, 2, 5).steps();

        double[] reference = ReferenceTrainer.train(initial, OPTIONS, steps).finalParams().toFlat();
        double[] batched = BatchedTrainer.train(initial, OPTIONS, steps, 3).toFlat();

        assertCloseAndTrained(batched, reference, initial);
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void trainsOneModelOnThreadsAsTheReferenceTrainerToRounding(CellKind cell) {
        Parameters initial = ParameterInit.uniform(new ModelShape(cell, 3, 5, 2), 42);
        Workload w = new Workload(7, 10, 3, 2, 5);
        // the third part's keys end after 6 steps: it has no steps in the last buckets, which still
        // wait for it at the barrier
        List<SequenceStep> ending = endAfter(w.steps(5, 7), 6);
        List<SequenceStep> all = new ArrayList<>(w.steps(0, 5));
        all.addAll(ending);
        all.sort((a, b) -> Long.compare(a.time(), b.time())); // input order: step time, then key

        double[] reference = ReferenceTrainer.train(initial, OPTIONS, all).finalParams().toFlat();
        double[] threaded = BatchedTrainer.trainOneModel(initial, OPTIONS, List.of(w.steps(0, 2), w.steps(2, 5), ending), 3)
                .toFlat();

        assertCloseAndTrained(threaded, reference, initial);
    }

    @Test
    void aPartThatFailsFailsTheRunInsteadOfLeavingTheOthersWaiting() {
        Parameters initial = ParameterInit.uniform(new ModelShape(CellKind.RNN, 3, 5, 2), 42);
        Workload w = new Workload(4, 8, 3, 2, 5);
        List<SequenceStep> bad = new ArrayList<>(w.steps(2, 4));
        SequenceStep s = bad.get(5); // a step of the third bucket with an input of the wrong size
        bad.set(5, new SequenceStep(s.key(), s.step(), s.time(), new double[1], s.target(), s.targetClass(), s.last()));

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(
                () -> BatchedTrainer.trainOneModel(initial, OPTIONS, List.of(w.steps(0, 2), bad), 3))
                .isNotInstanceOf(IllegalStateException.class));
    }

    /** {@code steps} without those after step {@code n - 1}, which becomes its key's last. */
    private static List<SequenceStep> endAfter(List<SequenceStep> steps, int n) {
        List<SequenceStep> kept = new ArrayList<>();
        for (SequenceStep s : steps) {
            if (s.step() < n) {
                kept.add(new SequenceStep(s.key(), s.step(), s.time(), s.input(), s.target(), s.targetClass(),
                        s.step() == n - 1));
            }
        }
        return kept;
    }

    private static void assertCloseAndTrained(double[] actual, double[] reference, Parameters initial) {
        assertThat(actual).hasSameSizeAs(reference);
        for (int i = 0; i < reference.length; i++) {
            assertThat(actual[i]).as("parameter %d", i).isCloseTo(reference[i], within(1e-9));
        }
        assertThat(actual).isNotEqualTo(initial.toFlat());
    }
}

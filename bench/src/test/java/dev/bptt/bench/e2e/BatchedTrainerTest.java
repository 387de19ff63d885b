package dev.bptt.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchedTrainerTest {

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void trainsAsTheReferenceTrainerToRounding(CellKind cell) {
        ModelShape shape = new ModelShape(cell, 3, 5, 2);
        Parameters initial = ParameterInit.uniform(shape, 42);
        // windows of 4 with k2 = 6, an open window at the end, and batches that split a bucket's keys
        TrainingOptions options = new TrainingOptions(Loss.MSE, 4, 6, OptimizerKind.SGD, 1e-2, 0, 0, Reduction.SUM,
                Workload.STEP_MS, 0);
        List<SequenceStep> steps = new Workload(7, 10, 3, 2, 5).steps();

        double[] reference = ReferenceTrainer.train(initial, options, steps).finalParams().toFlat();
        double[] batched = BatchedTrainer.train(initial, options, steps, 3).toFlat();

        assertThat(batched).hasSameSizeAs(reference);
        for (int i = 0; i < reference.length; i++) {
            assertThat(batched[i]).as("parameter %d", i).isCloseTo(reference[i],
                    within(1e-9));
        }
        assertThat(batched).isNotEqualTo(initial.toFlat());
    }
}

package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.flink.FaultInjection;
import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failure thrown once in each operator (forward, backward with its local gradient sums, the
 * global sum and update, the loop's tail), before any checkpoint completed or after one did: the
 * job restarts (from scratch or from the checkpoint) and ends with exactly the parameters of the
 * run without a failure, bit for bit.
 */
class FailureInjectionITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.LSTM, 2, 4, 2);
    private static final Parameters INITIAL = ParameterInit.uniform(SHAPE, 12);
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 2, 5, OptimizerKind.ADAM, 0.01, 0, 1.0,
            Reduction.MEAN, 600, 1);
    private static List<SequenceStep> steps;
    private static List<String> lines;
    private static double[] uninterrupted;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        steps = TrainingInputs.mixed(SHAPE, Loss.MSE, 40, 77);
        lines = new ArrayList<>(steps.stream().map(StepJson::write).toList());
        uninterrupted = run(env -> RecoveryITCase.paced(env, lines, Integer.MAX_VALUE), 1, INITIAL, OPTIONS, 2)
                .finalParams(INITIAL);
    }

    @AfterEach
    void disarm() {
        FaultInjection.reset();
    }

    static Stream<Arguments> failures() {
        List<Arguments> out = new ArrayList<>();
        for (boolean afterCheckpoint : new boolean[] {false, true}) {
            out.add(Arguments.of(FaultInjection.FORWARD, 30, afterCheckpoint));
            out.add(Arguments.of(FaultInjection.BACKWARD, 30, afterCheckpoint));
            out.add(Arguments.of(FaultInjection.UPDATE, 3, afterCheckpoint));
            out.add(Arguments.of(FaultInjection.LOOP, 3, afterCheckpoint));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} fails after {1} records, after a checkpoint: {2}")
    @MethodSource("failures")
    void failureOnceEndsWithTheFailureFreeParameters(String operator, int afterRecords, boolean afterCheckpoint)
            throws Exception {
        FaultInjection.arm(operator, afterRecords, afterCheckpoint);
        // before a checkpoint: checkpoints every 10 s, i.e. none completes during the run, so the
        // job restarts from scratch; after one: every 50 ms, so it restores from a checkpoint
        long checkpointMs = afterCheckpoint ? 50 : 10_000;
        JobOutput out = run(env -> RecoveryITCase.paced(env, lines, Integer.MAX_VALUE, 500, checkpointMs), 1, INITIAL,
                OPTIONS, 2);

        assertThat(FaultInjection.fired(operator)).as("the failure was injected").isTrue();
        assertThat(out.finalParams(INITIAL)).as("bit for bit").containsExactly(uninterrupted);
        assertTrainsLikeTheReference(out, steps, INITIAL, OPTIONS);
    }
}

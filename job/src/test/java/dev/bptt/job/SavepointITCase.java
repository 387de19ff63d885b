package dev.bptt.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.ParameterVersion;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stop with a savepoint in the middle of a run and resume from it, at the same parallelism or
 * another: the final parameters are those of the uninterrupted run.
 */
class SavepointITCase extends TrainingJobTestBase {

    @TempDir
    Path savepoints;

    @ParameterizedTest(name = "parallelism {0} -> {1}")
    @CsvSource({"2, 2", "2, 3"})
    void resumingFromASavepointEndsWithTheUninterruptedParameters(int before, int after) throws Exception {
        ModelShape shape = new ModelShape(CellKind.GRU, 3, 5, 2);
        Parameters initial = ParameterInit.uniform(shape, 4);
        TrainingOptions options = new TrainingOptions(Loss.XENT, 3, 6, OptimizerKind.SGD, 0.05, 0.9, 0, Reduction.SUM,
                700, 2);
        List<SequenceStep> steps = TrainingInputs.mixed(shape, Loss.XENT, 60, 31);
        List<String> lines = new ArrayList<>(steps.stream().map(StepJson::write).toList());
        double[] uninterrupted = run(env -> RecoveryITCase.paced(env, lines, Integer.MAX_VALUE), 1, initial, options,
                before).finalParams(initial);

        // slow enough (300 records a second) to stop it in the middle
        RunningJob first = start(env -> RecoveryITCase.paced(env, lines, Integer.MAX_VALUE, 300), 1, initial, options,
                before, new Configuration());
        while (first.versionsSoFar().size() < 3) {
            Thread.onSpinWait(); // results arrive with checkpoints: the run is under way
        }
        String savepoint = first.client().stopWithSavepoint(false, savepoints.toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        List<ParameterVersion> beforeStop = first.await().updates();

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        // the test client's collect sinks (no uid of ours; checked: with every other operator
        // uid'd, theirs is the only state left unmapped) only buffered results for the first client
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        JobOutput resumed = start(env -> RecoveryITCase.paced(env, lines, Integer.MAX_VALUE), 1, initial, options, after,
                restore).await();

        assertThat(beforeStop).as("stopped mid-run").isNotEmpty();
        assertThat(resumed.updates()).as("resumed mid-run").isNotEmpty();
        assertThat(resumed.updates().get(0).version()).as("versions continue where the savepoint left them")
                .isEqualTo(beforeStop.get(beforeStop.size() - 1).version() + 1);
        assertSameParameters(resumed.finalParams(initial), uninterrupted, "final parameters after resume");
    }
}

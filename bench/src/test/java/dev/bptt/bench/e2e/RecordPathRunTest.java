package dev.bptt.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.model.CellKind;
import dev.bptt.model.Loss;
import dev.bptt.model.ModelShape;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class RecordPathRunTest {

    @Test
    void everyStepReachesTheKeyedFunctionsAndTheSteadyHalfIsTimed() throws Exception {
        Parameters initial = ParameterInit.uniform(new ModelShape(CellKind.RNN, 3, 5, 2), 42);
        TrainingOptions options = new TrainingOptions(Loss.MSE, 4, 4, OptimizerKind.SGD, 1e-2, 0, 0, Reduction.MEAN,
                4 * Workload.STEP_MS, 0);
        Workload w = new Workload(30, 200, 3, 2, 5);
        try (BenchCluster cluster = new BenchCluster(2, new Configuration())) {
            RecordPathRun.Figures f = RecordPathRun.run(cluster, w, initial, options, 2);
            assertThat(f.counted()).isEqualTo(w.records());
            assertThat(f.stepsPerSecond()).isPositive().isFinite();
            assertThat(f.cpuMicrosPerStep()).isPositive().isFinite();
            assertThat(f.busyCores()).isPositive().isFinite();
        }
    }

    @Test
    void theCpuTimelineInterpolatesBetweenItsSamples() throws Exception {
        RecordPathRun.CpuTimeline timeline = new RecordPathRun.CpuTimeline(1);
        timeline.start();
        long t = System.nanoTime();
        long spin = 0;
        while (System.nanoTime() - t < 30_000_000L) {
            spin += System.nanoTime() % 3; // busy: the process's CPU time grows
        }
        long end = System.nanoTime();
        timeline.stop();
        assertThat(spin).isNotNegative();
        double atStart = timeline.at(t);
        double atEnd = timeline.at(end);
        // about 30 ms of this thread's CPU between the two reads (and whatever else the JVM ran)
        assertThat(atEnd - atStart).isGreaterThan(15e6);
        assertThat(timeline.at(t - 1_000_000_000L)).isLessThanOrEqualTo(atStart);
        assertThat(timeline.at(end + 1_000_000_000L)).isGreaterThanOrEqualTo(atEnd);
    }
}

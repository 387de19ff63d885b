package dev.bptt.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bptt.model.Loss;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The job figures from a synthetic clock: which updates bound the steady interval, and the latency of each step. */
class JobFiguresTest {

    private static final String RUN = "job-figures-test";
    private static final long MS = 1_000_000;

    @AfterEach
    void close() {
        RunClock.close(RUN);
    }

    private static TrainingOptions options(int k1, int bucketSteps) {
        return new TrainingOptions(Loss.MSE, k1, k1, OptimizerKind.SGD, 0.01, 0, 0, Reduction.MEAN,
                bucketSteps * Workload.STEP_MS, 0);
    }

    /**
     * 10 keys x 16 steps, k1 = 4, buckets of 2 steps: windows close in buckets 1, 3, 5, 7. Record i
     * arrives at i ms; bucket c's update leaves at 1000 + 100 c ms, when the process has used 10 c ms
     * of CPU.
     */
    @Test
    void bucketsOfSeveralStepsUseTheUpdatesOfTheBucketsWhereWindowsClose() {
        Workload w = new Workload(10, 16, 1, 1, 3);
        RunClock clock = RunClock.open(RUN, w);
        for (long i = 0; i < w.records(); i++) {
            clock.arrived(i, i * MS);
        }
        for (long c = 1; c < 8; c += 2) {
            clock.updated(c, (1000 + 100 * c) * MS, 10 * c * MS);
        }
        JobFigures f = JobFigures.of(clock, w, options(4, 2), 0.5, 0, 2000 * MS);
        // windows a = 2 (bucket 3) to b = 3 (bucket 5): steps 8..11 of every key
        assertThat(f.steadySteps()).isEqualTo(40);
        assertThat(f.steadySeconds()).isCloseTo(0.2, within(1e-12));
        assertThat(f.stepsPerSecond()).isCloseTo(200, within(1e-9));
        // records 80..119 wait for bucket 5's update (1500 ms): latencies 1420 down to 1381 ms
        assertThat(f.latencyMaxMs()).isCloseTo(1420, within(1e-9));
        assertThat(f.latencyP50Ms()).isCloseTo(1400, within(1e-9));
        // 20 ms of CPU between the updates of buckets 3 and 5, over 40 steps and 200 ms
        assertThat(f.cpuMicrosPerStep()).isCloseTo(500, within(1e-9));
        assertThat(f.busyCores()).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void aBucketMustHoldADivisorOfK1Steps() {
        Workload w = new Workload(2, 12, 1, 1, 3);
        RunClock clock = RunClock.open(RUN, w);
        assertThatThrownBy(() -> JobFigures.of(clock, w, options(4, 3), 0.5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("divisor of k1");
    }
}

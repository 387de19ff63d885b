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
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress: keys or source splits that go quiet never stall the event-time buckets, and a
 * bounded run ends (within the timeout) with every step run forward and trained exactly as the
 * reference trainer trains it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgressITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 2, 4, 2);
    private static final long BUCKET_MS = 500;
    private static final long T0 = 2_000_000;

    private static TrainingOptions options(int staleness) {
        return new TrainingOptions(Loss.MSE, 3, 4, OptimizerKind.ADAM, 0.02, 0, 1.0, Reduction.MEAN, BUCKET_MS,
                staleness);
    }

    @Test
    void keysThatGoIdleEarlyDoNotHoldBackTheOthers() throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        List<SequenceStep> steps = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            // a few steps in the first bucket, then silence (no last: their windows stay open)
            steps.addAll(sequence("idle-" + k, T0 + 40 * k, 2 + 2 * k, 60, false, random));
        }
        for (int k = 0; k < 3; k++) {
            // 30 buckets of steps
            steps.addAll(sequence("busy-" + k, T0 + 25 * k, 60, 250, false, random));
        }
        trainsLikeTheReference(byTime(steps), options(0), 2);
    }

    @Test
    void forwardSubtasksWithoutKeysDoNotHoldBackTheOthers() throws Exception {
        List<SequenceStep> steps = sequence("only-key", T0, 40, 170, false, new SplittableRandom(2));
        trainsLikeTheReference(steps, options(1), SLOTS);
    }

    @Test
    void aPauseOfManyEmptyBucketsInEventTimeIsCrossed() throws Exception {
        SplittableRandom random = new SplittableRandom(6);
        List<SequenceStep> steps = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            List<SequenceStep> key = sequence("key-" + k, T0 + 20 * k, 30, 150, k == 1, random);
            // from step 15 on, everything is 12 buckets later
            for (SequenceStep s : key) {
                steps.add(s.step() < 15 ? s : new SequenceStep(s.key(), s.step(), s.time() + 12 * BUCKET_MS,
                        s.input(), s.target(), s.targetClass(), s.last()));
            }
        }
        trainsLikeTheReference(byTime(steps), options(2), 2);
    }

    @Test
    void keysThatEndEarlyWithLastCloseTheirWindowsAndMayStartAgain() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        List<SequenceStep> steps = new ArrayList<>();
        // sequences of length 1, 2 and 5 (not multiples of k1 = 3) ending with last, early
        steps.addAll(sequence("short-1", T0, 1, 100, true, random));
        steps.addAll(sequence("short-2", T0 + 10, 2, 100, true, random));
        steps.addAll(sequence("short-5", T0 + 20, 5, 120, true, random));
        // ends, then starts again at step 0 buckets later, and ends again
        steps.addAll(sequence("again", T0 + 30, 4, 90, true, random));
        steps.addAll(sequence("again", T0 + 4000, 7, 90, true, random));
        // ends in the last bucket
        steps.addAll(sequence("late-end", T0 + 5, 41, 240, true, random));
        for (int k = 0; k < 2; k++) {
            steps.addAll(sequence("busy-" + k, T0 + 15 * k, 40, 250, false, random));
        }
        trainsLikeTheReference(byTime(steps), options(1), 2);
    }

    /**
     * A file source over a folder with two files, one empty, at parallelism 2 (source, parser
     * and watermarks): the subtask that reads nothing must not hold the watermark back (nor wait
     * for the 5 s idleness), and the run is the reference run of the other file.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSourceSplitWithoutDataDoesNotStallTheRun(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(4);
        List<SequenceStep> steps = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            steps.addAll(sequence("key-" + k, T0 + 30 * k, 30, 200, k == 0, random));
        }
        steps = byTime(steps);
        StepJson.writeLines(dir.resolve("a-steps.jsonl"), steps);
        Files.writeString(dir.resolve("b-empty.jsonl"), "");
        Parameters initial = ParameterInit.uniform(SHAPE, 11);
        TrainingOptions options = options(2);

        long started = System.nanoTime();
        JobOutput out = run(env -> env.fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(dir.toUri())).build(), WatermarkStrategy.noWatermarks(), "steps"),
                2, initial, options, 2);
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(out.deadLetters()).isEmpty();
        assertTrainsLikeTheReference(out, steps, initial, options);
        assertThat(seconds).as("seconds to run").isLessThan(20);
    }

    /**
     * Two non-empty files read by two source subtasks: which records are late depends on how
     * the readers interleave, so only progress and accounting are checked: the run ends, and
     * every record either ran forward or left as a dead letter (late, or out of order after a
     * late step of its key).
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void twoSplitsWithDataEndAndAccountForEveryRecord(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<SequenceStep> first = new ArrayList<>();
        List<SequenceStep> second = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            (k % 2 == 0 ? first : second).addAll(sequence("key-" + k, T0 + 30 * k, 30, 200, false, random));
        }
        StepJson.writeLines(dir.resolve("a.jsonl"), byTime(first));
        StepJson.writeLines(dir.resolve("b.jsonl"), byTime(second));
        Parameters initial = ParameterInit.uniform(SHAPE, 12);

        JobOutput out = run(env -> env.fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(dir.toUri())).build(), WatermarkStrategy.noWatermarks(), "steps"),
                2, initial, options(0), 2);

        assertThat(out.predictions().size() + out.deadLetters().size()).isEqualTo(first.size() + second.size());
        assertThat(out.deadLetters()).allSatisfy(d -> assertThat(d.reason()).matches("(late|step_out_of_order): .*"));
        assertThat(out.updates()).isNotEmpty();
    }

    private static void trainsLikeTheReference(List<SequenceStep> steps, TrainingOptions options, int parallelism)
            throws Exception {
        Parameters initial = ParameterInit.uniform(SHAPE, 10);
        JobOutput out = run(steps, initial, options, parallelism);
        assertThat(out.deadLetters()).isEmpty();
        assertTrainsLikeTheReference(out, steps, initial, options);
        assertThat(out.updates()).as("updates").hasSizeGreaterThan(5);
    }

    /** {@code count} steps of {@code key} from step 0, {@code 0..2 dt} apart, mostly with targets. */
    private static List<SequenceStep> sequence(String key, long time, int count, long dt, boolean last,
            SplittableRandom random) {
        List<SequenceStep> out = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            double[] x = {random.nextDouble(-1, 1), random.nextDouble(-1, 1)};
            double[] target = random.nextInt(4) == 0 ? null : new double[] {random.nextDouble(-1, 1), x[0] * x[1]};
            out.add(new SequenceStep(key, t, time, x, target, SequenceStep.NO_CLASS, last && t == count - 1));
            time += random.nextLong(0, 2 * dt + 1);
        }
        return out;
    }
}

package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.BUCKET_MS;
import static dev.bptt.flink.HarnessFixtures.exactly;
import static dev.bptt.flink.HarnessFixtures.initial;
import static dev.bptt.flink.HarnessFixtures.jobId;
import static dev.bptt.flink.HarnessFixtures.options;
import static dev.bptt.flink.HarnessFixtures.progress;
import static dev.bptt.flink.HarnessFixtures.runMails;
import static dev.bptt.flink.HarnessFixtures.step;
import static dev.bptt.flink.HarnessFixtures.update;
import static dev.bptt.flink.HarnessFixtures.values;
import static dev.bptt.flink.HarnessFixtures.watermarks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.records.Prediction;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ForwardStep's batched path against its per-key path ({@link ForwardStepHarnessTest}) on the same
 * input: 12 keys with 1 to 3 steps per bucket over 6 buckets (key k0 ends with {@code last} and
 * starts again). Every key gets the same steps, versions, s_{t-1} and predictions (to 1e-12) in the
 * same order, and the same output watermarks; a key's numbers are bit for bit the same at any
 * batch size and after a restore.
 */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class ForwardStepBatchingTest {

    private static final int KEYS = 12;
    private static final int BUCKETS = 6;

    /** What a run emitted. */
    private record Run(List<TrainingStep> steps, List<Prediction> predictions, List<Long> watermarks) {

        static Run of(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h) {
            return new Run(h.extractOutputValues(), values(h.getSideOutput(ForwardStep.PREDICTIONS)),
                    HarnessFixtures.watermarks(h));
        }

        Map<String, List<TrainingStep>> stepsByKey() {
            return steps.stream().collect(Collectors.groupingBy(TrainingStep::key, LinkedHashMap::new,
                    Collectors.toList()));
        }

        Map<String, List<Prediction>> predictionsByKey() {
            return predictions.stream().collect(Collectors.groupingBy(Prediction::key, LinkedHashMap::new,
                    Collectors.toList()));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> harness(int staleness,
            int batchKeys) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(staleness), batchKeys),
                SequenceStep::key, Types.STRING);
    }

    /** Bucket b's steps in time order: key kK has 1 + K % 3 steps at b*100 + 10 + 20j + K. */
    private static List<SequenceStep> bucket(int b) {
        List<SequenceStep> out = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            int perBucket = 1 + k % 3;
            for (int j = 0; j < perBucket; j++) {
                long step = (long) (b - 1) * perBucket + j;
                long time = b * BUCKET_MS + 10 + 20L * j + k;
                if (k == 0) { // k0: steps 0..2 end with last in bucket 3, then 0, 1, 2 ... again
                    out.add(step("k0", b <= 3 ? step : step - 3, time, b == 3));
                } else {
                    out.add(step("k" + k, step, time));
                }
            }
        }
        out.sort(Comparator.comparingLong(SequenceStep::time));
        return out;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h, int b)
            throws Exception {
        for (SequenceStep s : bucket(b)) {
            h.processElement(s, s.time());
        }
    }

    /** After bucket b's steps: the update of bucket b - 1 arrives, then the watermark passes bucket b. */
    private static void complete(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h, int b)
            throws Exception {
        ParameterChannel.publish(jobId(h), 0, 0, b == 1 ? progress(0, 0) : update(b - 1, b - 1));
        runMails(h);
        h.processWatermark((b + 1) * BUCKET_MS - 1);
    }

    private static void finish(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h)
            throws Exception {
        h.processWatermark(Long.MAX_VALUE);
        h.endInput();
    }

    private static Run run(int staleness, int batchKeys) throws Exception {
        try (var h = harness(staleness, batchKeys)) {
            h.open();
            for (int b = 1; b <= BUCKETS; b++) {
                send(h, b);
                complete(h, b);
            }
            finish(h);
            return Run.of(h);
        }
    }

    @Test
    void withActivationsRecomputedTheStepsCarryNoneAndAreOtherwiseTheSame() throws Exception {
        Run keep = run(0, 5);
        Run recompute;
        System.setProperty(ForwardStep.ACTIVATIONS_PROPERTY, "recompute");
        try {
            recompute = run(0, 5);
        } finally {
            System.clearProperty(ForwardStep.ACTIVATIONS_PROPERTY);
        }
        assertThat(keep.steps()).allSatisfy(t -> assertThat(t.activations()).isNotNull());
        assertThat(recompute.steps()).allSatisfy(t -> assertThat(t.activations()).isNull());
        assertThat(recompute.steps()).usingRecursiveComparison().ignoringFields("activations").isEqualTo(keep.steps());
        assertThat(recompute.predictions()).usingRecursiveComparison().isEqualTo(keep.predictions());
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ForwardStep.keepActivations("yes")))
                .hasMessageContaining("expected keep or recompute");
    }

    @ParameterizedTest(name = "staleness {0}")
    @ValueSource(ints = {0, 1, 2})
    void batchedStepsEqualThePerKeyPathKeyByKeyToRounding(int staleness) throws Exception {
        Run perKey = run(staleness, ForwardStep.PER_KEY);
        Run batched = run(staleness, 5);

        assertThat(batched.steps()).hasSameSizeAs(perKey.steps()).hasSize(BUCKETS * (KEYS / 3) * 6);
        assertThat(batched.watermarks()).isEqualTo(perKey.watermarks());
        Map<String, List<TrainingStep>> expected = perKey.stepsByKey();
        Map<String, List<Prediction>> expectedPredictions = perKey.predictionsByKey();
        batched.stepsByKey().forEach((key, steps) -> {
            assertThat(steps).as(key).usingRecursiveComparison().ignoringFields("statePrev", "activations")
                    .isEqualTo(expected.get(key));
            for (int i = 0; i < steps.size(); i++) {
                assertClose(steps.get(i).statePrev(), expected.get(key).get(i).statePrev(), key + " s_{t-1} " + i);
                // a batched step carries its activations to the backward pass, a per-key one does not
                assertThat(steps.get(i).activations()).as(key).hasSize(4 * initial().shape().hiddenSize());
                assertThat(expected.get(key).get(i).activations()).isNull();
            }
        });
        batched.predictionsByKey().forEach((key, predictions) -> {
            assertThat(predictions).as(key).usingRecursiveComparison().ignoringFields("prediction")
                    .isEqualTo(expectedPredictions.get(key));
            for (int i = 0; i < predictions.size(); i++) {
                assertClose(predictions.get(i).prediction(), expectedPredictions.get(key).get(i).prediction(),
                        key + " prediction " + i);
            }
        });
    }

    @Test
    void aKeysNumbersAreTheSameBitForBitAtAnyBatchSize() throws Exception {
        Map<String, List<TrainingStep>> alone = run(0, 1).stepsByKey();
        for (int batchKeys : new int[] {2, 5, ForwardStep.DEFAULT_BATCH_KEYS}) {
            Run batched = run(0, batchKeys);
            assertThat(batched.stepsByKey()).as("batches of %d", batchKeys).usingRecursiveComparison(exactly())
                    .isEqualTo(alone);
        }
    }

    @Test
    void stepsRunnableOnArrivalWaitForTheNextWatermarkAndRunBeforeIt() throws Exception {
        try (var h = harness(1, ForwardStep.DEFAULT_BATCH_KEYS)) {
            h.open();
            ParameterChannel.publish(jobId(h), 0, 0, progress(0, 0));
            runMails(h);
            send(h, 1);
            assertThat(h.extractOutputValues()).as("runnable (staleness 1), buffered for a batch").isEmpty();

            h.processWatermark(2 * BUCKET_MS - 1);

            List<Object> output = new ArrayList<>(h.getOutput());
            assertThat(output).hasSize(bucket(1).size() + 1);
            assertThat(output.subList(0, bucket(1).size())).allMatch(o -> o instanceof StreamRecord<?>);
            assertThat(watermarks(h)).containsExactly(2 * BUCKET_MS - 1);
        }
    }

    /** A stalled input: the buffered runnable steps run once they waited the batch wait, no watermark needed. */
    @Test
    void runnableStepsWaitAtMostTheBatchWaitForOthers() throws Exception {
        try (var h = harness(1, ForwardStep.DEFAULT_BATCH_KEYS)) {
            h.setProcessingTime(1_000);
            h.open();
            ParameterChannel.publish(jobId(h), 0, 0, progress(0, 0));
            runMails(h);
            send(h, 1);
            h.setProcessingTime(1_000 + ForwardStep.BATCH_WAIT_MS - 1);
            assertThat(h.extractOutputValues()).as("still collecting a batch").isEmpty();

            h.setProcessingTime(1_000 + ForwardStep.BATCH_WAIT_MS);

            assertThat(h.extractOutputValues()).as("the batch wait is over").hasSize(bucket(1).size());
            assertThat(watermarks(h)).as("no watermark came").isEmpty();
        }
    }

    /** One timer serves successive batches: a batch started after a release still waits at most the batch wait. */
    @Test
    void aLaterBatchWaitsAtMostTheBatchWaitFromItsOwnFirstStep() throws Exception {
        try (var h = harness(1, 4)) {
            h.setProcessingTime(1_000);
            h.open();
            ParameterChannel.publish(jobId(h), 0, 0, progress(0, 0));
            runMails(h);
            List<SequenceStep> steps = bucket(1);
            for (int i = 0; i < 4; i++) {
                h.processElement(steps.get(i), steps.get(i).time());
            }
            assertThat(h.extractOutputValues()).as("a full batch ran at once").hasSize(4);
            h.setProcessingTime(1_003);
            h.processElement(steps.get(4), steps.get(4).time());

            h.setProcessingTime(1_000 + ForwardStep.BATCH_WAIT_MS);
            assertThat(h.extractOutputValues()).as("the first batch's timer: step 4 waited only 2 ms").hasSize(4);
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).as("the timer waits on").isEqualTo(1);

            h.setProcessingTime(1_003 + ForwardStep.BATCH_WAIT_MS - 1);
            assertThat(h.extractOutputValues()).hasSize(4);
            h.setProcessingTime(1_003 + ForwardStep.BATCH_WAIT_MS);
            assertThat(h.extractOutputValues()).as("step 4 after its own wait").hasSize(5);
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }

    @Test
    void aFullBatchOfRunnableStepsRunsWithoutWaitingForAWatermark() throws Exception {
        try (var h = harness(1, 4)) {
            h.open();
            ParameterChannel.publish(jobId(h), 0, 0, progress(0, 0));
            runMails(h);
            List<SequenceStep> steps = bucket(1);
            for (int i = 0; i < 7; i++) {
                h.processElement(steps.get(i), steps.get(i).time());
            }
            assertThat(h.extractOutputValues()).as("the first 4 ran, 3 wait").hasSize(4);
            h.endInput();
            assertThat(h.extractOutputValues()).as("the end of input runs the rest").hasSize(7);
        }
    }

    @Test
    void aRestoreWithBufferedRunnableStepsGivesTheUninterruptedRunsNumbersBitForBit() throws Exception {
        Map<String, List<TrainingStep>> uninterrupted = run(1, 5).stepsByKey();
        OperatorSubtaskState snapshot;
        List<TrainingStep> beforeSnapshot;
        try (var h = harness(1, 5)) {
            h.open();
            for (int b = 1; b <= 3; b++) {
                send(h, b);
                complete(h, b);
            }
            send(h, 4);
            beforeSnapshot = h.extractOutputValues();
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(1, 5)) {
            h.initializeState(snapshot);
            h.open();
            complete(h, 4);
            for (int b = 5; b <= BUCKETS; b++) {
                send(h, b);
                complete(h, b);
            }
            finish(h);
            List<TrainingStep> all = new ArrayList<>(beforeSnapshot);
            all.addAll(h.extractOutputValues());
            assertThat(new Run(all, List.of(), List.of()).stepsByKey()).usingRecursiveComparison(exactly())
                    .isEqualTo(uninterrupted);
        }
    }

    private static void assertClose(double[] actual, double[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-12 * Math.max(1.0, Math.abs(expected[i])));
        }
    }
}

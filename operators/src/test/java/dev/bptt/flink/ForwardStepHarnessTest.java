package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.BUCKET_MS;
import static dev.bptt.flink.HarnessFixtures.SHAPE;
import static dev.bptt.flink.HarnessFixtures.exactly;
import static dev.bptt.flink.HarnessFixtures.initial;
import static dev.bptt.flink.HarnessFixtures.jobId;
import static dev.bptt.flink.HarnessFixtures.options;
import static dev.bptt.flink.HarnessFixtures.paramsOf;
import static dev.bptt.flink.HarnessFixtures.progress;
import static dev.bptt.flink.HarnessFixtures.runMails;
import static dev.bptt.flink.HarnessFixtures.step;
import static dev.bptt.flink.HarnessFixtures.update;
import static dev.bptt.flink.HarnessFixtures.values;
import static dev.bptt.flink.HarnessFixtures.watermarks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.SequenceForward;
import dev.bptt.model.StepRing;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.ParameterVersion;
import dev.bptt.records.Prediction;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ForwardStep on the per-key path in a keyed harness: parameter versions arrive through the
 * in-JVM channel under the harness's job id and are applied on the harness's mailbox; outputs are
 * checked against a plain {@link SequenceForward} pass run with the version each step must use,
 * bit for bit. {@link ForwardStepBatchingTest} checks the batched path against this one.
 */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class ForwardStepHarnessTest {

    /** The plain forward pass, one key at a time, each step with the parameters of a given version. */
    private static final class PlainForward {
        private final SequenceForward forward = new SequenceForward(SHAPE);
        private final Map<String, double[]> states = new HashMap<>();
        final List<TrainingStep> steps = new ArrayList<>();
        final List<Prediction> predictions = new ArrayList<>();

        PlainForward run(SequenceStep step, long version) {
            double[] s = states.computeIfAbsent(step.key(), k -> new double[SHAPE.stateSize()]);
            double[] before = s.clone();
            double[] y = new double[SHAPE.outputSize()];
            forward.step(paramsOf(version), step.input(), s, y);
            steps.add(new TrainingStep(step.key(), step.step(), step.time(), Math.floorDiv(step.time(), BUCKET_MS),
                    step.input(), before, step.target(), StepRing.NO_TARGET, step.last(), version));
            predictions.add(new Prediction(step.key(), step.step(), step.time(), y, version));
            if (step.last()) {
                states.remove(step.key());
            }
            return this;
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> harness(
            TrainingOptions options) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options, ForwardStep.PER_KEY), SequenceStep::key,
                Types.STRING);
    }

    private static void publish(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h, ParameterVersion message) {
        ParameterChannel.publish(jobId(h), 0, 0, message);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h,
            SequenceStep... steps) throws Exception {
        for (SequenceStep s : steps) {
            h.processElement(s, s.time());
        }
    }

    /** Keyed state entries after a snapshot, which writes the held keys back ({@link HeldKeys}). */
    private static int keyedStateEntries(KeyedOneInputStreamOperatorTestHarness<?, ?, TrainingStep> h)
            throws Exception {
        h.snapshot(0L, 0L);
        return h.numKeyedStateEntries();
    }

    private static List<TrainingStep> trained(KeyedOneInputStreamOperatorTestHarness<?, ?, TrainingStep> h) {
        return h.extractOutputValues();
    }

    private static List<Prediction> predictions(KeyedOneInputStreamOperatorTestHarness<?, ?, TrainingStep> h) {
        return values(h.getSideOutput(ForwardStep.PREDICTIONS));
    }

    private static List<DeadLetter> deadLetters(KeyedOneInputStreamOperatorTestHarness<?, ?, TrainingStep> h) {
        return values(h.getSideOutput(ForwardStep.DEAD_LETTERS));
    }

    @Test
    void stepWaitsForItsBucketsVersionAndTheOutputWatermarkIsHeldAtTheEarliestWaitingBucket() throws Exception {
        SequenceStep a0 = step("a", 0, 120);
        SequenceStep b0 = step("b", 0, 160);
        SequenceStep a1 = step("a", 1, 230);
        try (var h = harness(options(0))) {
            h.open();
            send(h, a0, b0, a1);
            h.processWatermark(220);

            assertThat(trained(h)).isEmpty();
            assertThat(predictions(h)).isEmpty();
            assertThat(watermarks(h)).containsExactly(99L);

            // Buckets <= 0 are complete at version 0: bucket 1 may run, bucket 2 still waits.
            publish(h, progress(0, 0));
            assertThat(trained(h)).as("applied on the mailbox, not on the publishing thread").isEmpty();
            assertThat(runMails(h)).isEqualTo(1);
            PlainForward plain = new PlainForward().run(a0, 0).run(b0, 0);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(watermarks(h)).containsExactly(99L, 199L);

            // Version 1 holds bucket 1's update: bucket 2 runs with it, nothing waits any more.
            publish(h, update(1, 1));
            runMails(h);
            plain.run(a1, 1);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(predictions(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.predictions);
            assertThat(trained(h).get(2).statePrev()).as("s_{t-1} of a's step 1 comes from step 0 under version 0")
                    .containsExactly(plain.steps.get(2).statePrev());
            assertThat(watermarks(h)).containsExactly(99L, 199L, 220L);
        }
    }

    @Test
    void releasedStepCarriesItsPreviousStateAndItsPredictionIsThePlainForwardPass() throws Exception {
        SequenceStep a0 = step("a", 0, 10);
        SequenceStep a1 = step("a", 1, 20);
        SequenceStep a2 = step("a", 2, 130);
        try (var h = harness(options(0))) {
            h.open();
            publish(h, update(1, -1));
            runMails(h);
            send(h, a0, a1, a2);
            publish(h, update(2, 0));
            runMails(h);

            PlainForward plain = new PlainForward().run(a0, 1).run(a1, 1).run(a2, 2);
            List<TrainingStep> out = trained(h);
            assertThat(out).extracting(TrainingStep::version).containsExactly(1L, 1L, 2L);
            assertThat(out.get(0).statePrev()).containsOnly(0.0);
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i).statePrev()).containsExactly(plain.steps.get(i).statePrev());
                assertThat(predictions(h).get(i).prediction()).containsExactly(plain.predictions.get(i).prediction());
            }
            assertThat(out).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(predictions(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.predictions);
            assertThat(h.extractOutputStreamRecords()).extracting(r -> r.getTimestamp()).containsExactly(10L, 20L, 130L);
        }
    }

    @Test
    void stalenessTwoRunsBucketsUpToThreeAheadOfTheCompletedOnesAtOnce() throws Exception {
        SequenceStep a0 = step("a", 0, 150);
        SequenceStep a1 = step("a", 1, 250);
        SequenceStep a2 = step("a", 2, 350);
        SequenceStep a3 = step("a", 3, 450);
        SequenceStep b0 = step("b", 0, 460);
        SequenceStep b1 = step("b", 1, 570);
        try (var h = harness(options(2))) {
            h.open();
            publish(h, progress(0, 0));
            runMails(h);
            send(h, a0, a1, a2, a3, b0);
            h.processWatermark(420);

            PlainForward plain = new PlainForward().run(a0, 0).run(a1, 0).run(a2, 0);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(watermarks(h)).containsExactly(399L);

            // Bucket 4 uses the version after all updates of buckets < 4 - 2, i.e. <= 1.
            publish(h, update(1, 1));
            runMails(h);
            plain.run(a3, 1).run(b0, 1);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(watermarks(h)).containsExactly(399L, 420L);

            // Bucket 5 is within reach of completedThrough 2 and runs on arrival with version 2.
            publish(h, update(2, 2));
            runMails(h);
            send(h, b1);
            plain.run(b1, 2);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(predictions(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.predictions);
        }
    }

    @Test
    void asyncRunsWithTheNewestVersionAndLeadsTheCompletedBucketsByOneAtMost() throws Exception {
        SequenceStep a0 = step("a", 0, 120);
        SequenceStep a1 = step("a", 1, 250);
        SequenceStep far = step("a", 2, 5000);
        SequenceStep b0 = step("b", 0, 130);
        try (var h = harness(options(TrainingOptions.ASYNC))) {
            h.open();
            publish(h, progress(0, 0));
            runMails(h);
            send(h, a0, b0); // bucket 1 leads completed bucket 0 by one: runs at once with version 0
            publish(h, update(1, 1));
            runMails(h);
            send(h, a1); // bucket 2: runs at once with the newest version, 1
            send(h, far); // bucket 50 is too far ahead: waits
            h.processWatermark(4000);

            PlainForward plain = new PlainForward().run(a0, 0).run(b0, 0).run(a1, 1);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(watermarks(h)).as("held before the waiting bucket 50").containsExactly(4000L);

            publish(h, update(2, 48));
            runMails(h);
            plain.run(far, 2);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.steps);
            assertThat(predictions(h)).usingRecursiveComparison(exactly()).isEqualTo(plain.predictions);
        }
    }

    @Test
    void versionsNoStepCanUseAnyMoreAreDropped() throws Exception {
        try (var h = harness(options(0))) {
            h.open();
            publish(h, progress(0, 0));
            runMails(h);
            for (long bucket = 1; bucket <= 50; bucket++) {
                send(h, step("a", bucket - 1, bucket * BUCKET_MS + 10));
                h.processWatermark((bucket + 1) * BUCKET_MS - 1);
                publish(h, update(bucket, bucket));
                runMails(h);
            }
            VersionStore store = ParameterChannel.store(jobId(h), 0, 0, () -> {
                throw new AssertionError("the operator makes the store");
            });
            assertThat(store.latest()).isEqualTo(50);
            assertThat(store.heldVersions()).as("50 versions received, only the current one usable").isEqualTo(1);
        }
    }

    @Test
    void lateDuplicateAndOutOfOrderStepsGoToTheDeadLettersWithTheirReason() throws Exception {
        SequenceStep a0 = step("a", 0, 100);
        SequenceStep a1 = step("a", 1, 110);
        SequenceStep duplicate = step("a", 1, 115);
        SequenceStep skip = step("a", 3, 120);
        SequenceStep restart = step("a", 0, 130);
        SequenceStep late = step("a", 2, 150);
        SequenceStep a2 = step("a", 2, 250);
        SequenceStep b0 = step("b", 0, 300);
        SequenceStep backwards = step("b", 1, 260);
        SequenceStep firstNotZero = step("c", 1, 300);
        try (var h = harness(options(0))) {
            h.open();
            publish(h, progress(0, 5));
            runMails(h);
            send(h, a0, a1, duplicate, skip, restart);
            h.processWatermark(199);
            send(h, late, a2, b0, backwards, firstNotZero);

            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).extracting(d -> d.reason().substring(0, d.reason().indexOf(':')))
                    .containsExactly("duplicate_step", "step_out_of_order", "step_out_of_order", "late",
                            "time_decreasing", "step_out_of_order");
            assertThat(dead).extracting(DeadLetter::record).containsExactly(StepJson.write(duplicate),
                    StepJson.write(skip), StepJson.write(restart), StepJson.write(late), StepJson.write(backwards),
                    StepJson.write(firstNotZero));
            assertThat(dead).extracting(DeadLetter::origin).containsOnly("");
            assertThat(dead.get(3).reason()).contains("watermark 199");
            // Rejected steps change nothing: the next valid step of each key is accepted as usual.
            assertThat(trained(h)).usingRecursiveComparison(exactly())
                    .isEqualTo(new PlainForward().run(a0, 0).run(a1, 0).run(a2, 0).run(b0, 0).steps);
            assertThat(predictions(h)).hasSize(4);
        }
    }

    @Test
    void keyEndingWithLastLeavesNoKeyedStateOnceTheWatermarkPassesIt() throws Exception {
        SequenceStep a0 = step("a", 0, 110);
        SequenceStep a1 = step("a", 1, 120, true);
        SequenceStep repeat = step("a", 1, 150, true);
        SequenceStep b0 = step("b", 0, 130);
        try (var h = harness(options(0))) {
            h.open();
            publish(h, progress(0, 5));
            runMails(h);
            send(h, a0, b0);
            assertThat(keyedStateEntries(h)).as("progress and s_{t-1} of a and b").isEqualTo(4);

            send(h, a1);
            assertThat(keyedStateEntries(h)).as("a's s_{t-1} is gone at once").isEqualTo(3);
            // Until the watermark passes a's last step, a repeat of it is still recognised.
            send(h, repeat);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).singleElement().asString()
                    .startsWith("duplicate_step:");

            h.processWatermark(199);
            assertThat(keyedStateEntries(h)).as("only b's progress and s_{t-1} remain").isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isZero();

            // The key may start again at step 0, from s_{-1} = 0.
            SequenceStep again = step("a", 0, 210);
            send(h, again);
            assertThat(trained(h)).last().satisfies(t -> {
                assertThat(t.key()).isEqualTo("a");
                assertThat(t.statePrev()).containsOnly(0.0);
            });
            assertThat(trained(h)).usingRecursiveComparison(exactly())
                    .isEqualTo(new PlainForward().run(a0, 0).run(b0, 0).run(a1, 0).run(again, 0).steps);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWatermarkTooFarAheadOfTheEarliestWaitingBucketIsHeldUntilThatBucketRan() throws Exception {
        SequenceStep a0 = step("a", 0, 120);
        long lastWithinTheBound = (1 + ForwardStep.LOOKAHEAD_BUCKETS + 1) * BUCKET_MS - 1;
        try (var h = harness(options(0))) {
            h.open();
            send(h, a0);
            h.processWatermark(lastWithinTheBound);
            assertThat(trained(h)).as("within the bound the input goes on while bucket 1 waits").isEmpty();

            publish(h, progress(0, 0)); // a mail: runs when the mailbox is served
            h.processWatermark(lastWithinTheBound + 1);

            assertThat(trained(h)).as("the watermark one bucket further waited on the mailbox until bucket 1 ran")
                    .usingRecursiveComparison(exactly()).isEqualTo(new PlainForward().run(a0, 0).steps);
            assertThat(watermarks(h)).containsExactly(99L, lastWithinTheBound + 1);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void endOfInputServesTheMailboxUntilEveryWaitingStepRan() throws Exception {
        SequenceStep a0 = step("a", 0, 120);
        SequenceStep a1 = step("a", 1, 230);
        try (var h = harness(options(0))) {
            h.open();
            send(h, a0, a1);
            h.processWatermark(Long.MAX_VALUE);
            publish(h, progress(0, 0));
            publish(h, update(1, 1));
            assertThat(trained(h)).isEmpty();

            h.endInput();

            assertThat(trained(h)).usingRecursiveComparison(exactly())
                    .isEqualTo(new PlainForward().run(a0, 0).run(a1, 1).steps);
            assertThat(watermarks(h)).containsExactly(99L, 199L, Long.MAX_VALUE);
        }
    }

    /** Steps and versions before the checkpoint: a and b ran in bucket 1; a, b, c wait in buckets 2, 3. */
    private static void beforeCheckpoint(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h)
            throws Exception {
        publish(h, progress(0, 0));
        runMails(h);
        send(h, step("a", 0, 110), step("b", 0, 120), step("a", 1, 210), step("b", 1, 250), step("c", 0, 310));
        h.processWatermark(205);
    }

    /** After the checkpoint: versions release the waiting steps; more steps follow. */
    private static void afterCheckpoint(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h)
            throws Exception {
        publish(h, update(1, 1));
        runMails(h);
        send(h, step("a", 2, 320), step("b", 2, 330, true), step("c", 1, 420));
        h.processWatermark(350);
        publish(h, progress(1, 2));
        runMails(h);
        publish(h, update(2, 3));
        runMails(h);
    }

    @Test
    void restoredOperatorReleasesTheWaitingStepsAsAnUninterruptedOneWould() throws Exception {
        List<TrainingStep> expectedSteps;
        List<Prediction> expectedPredictions;
        int before;
        try (var h = harness(options(0))) {
            h.open();
            beforeCheckpoint(h);
            before = trained(h).size();
            afterCheckpoint(h);
            expectedSteps = trained(h).subList(before, trained(h).size());
            expectedPredictions = predictions(h).subList(before, predictions(h).size());
        }
        assertThat(before).isEqualTo(2);
        assertThat(expectedSteps).extracting(t -> t.key() + t.step() + "@v" + t.version())
                .containsExactly("a1@v1", "b1@v1", "c0@v1", "a2@v1", "b2@v1", "c1@v2");

        OperatorSubtaskState snapshot;
        try (var h = harness(options(0))) {
            h.open();
            beforeCheckpoint(h);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(options(0))) {
            h.initializeState(snapshot);
            h.open();
            assertThat(trained(h)).isEmpty();
            afterCheckpoint(h);
            assertThat(trained(h)).usingRecursiveComparison(exactly()).isEqualTo(expectedSteps);
            assertThat(predictions(h)).usingRecursiveComparison(exactly()).isEqualTo(expectedPredictions);
        }
    }

    /** A key that a job with {@code maxParallelism} key groups sends to {@code subtask} of {@code parallelism}. */
    private static String keyOfSubtask(int subtask, int maxParallelism, int parallelism) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism) == subtask) {
                return key;
            }
        }
    }

    @Test
    void aRestoredSubtaskRunsTheStepsThatTheVersionsAnotherSubtaskHadReceivedMakeRunnable() throws Exception {
        int maxParallelism = 8;
        String first = keyOfSubtask(0, maxParallelism, 2);
        SequenceStep waiting = step(first, 0, 210);
        OperatorSubtaskState behind;
        OperatorSubtaskState ahead;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0), ForwardStep.PER_KEY),
                SequenceStep::key, Types.STRING, maxParallelism, 2, 0)) {
            h.open();
            publish(h, progress(0, 0));
            runMails(h);
            send(h, waiting);
            assertThat(trained(h)).as("bucket 2 waits for bucket 1's update").isEmpty();
            behind = h.snapshot(1L, 1L);
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0), ForwardStep.PER_KEY),
                SequenceStep::key, Types.STRING, maxParallelism, 2, 1)) {
            h.open();
            ParameterChannel.publish(jobId(h), 1, 0, progress(0, 0));
            ParameterChannel.publish(jobId(h), 1, 0, update(1, 1));
            runMails(h);
            ahead = h.snapshot(1L, 1L);
        }

        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0), ForwardStep.PER_KEY),
                SequenceStep::key, Types.STRING, maxParallelism, 2, 0)) {
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    AbstractStreamOperatorTestHarness.repackageState(behind, ahead), maxParallelism, 2, 2, 0));
            h.open();
            runMails(h);
            assertThat(trained(h)).as("no new version comes, the restored ones already make bucket 2 runnable")
                    .usingRecursiveComparison(exactly()).isEqualTo(new PlainForward().run(waiting, 1).steps);
        }
    }

    /**
     * Subtask {@code subtask} of 2 receives versions 1 to 3, the watermark passes bucket 3 so that
     * it prunes, and then snapshots; with {@code retainFirst} its chained backward operator's
     * rings still hold a step that used version 1.
     */
    private static OperatorSubtaskState prunedSnapshot(int subtask, boolean retainFirst) throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0),
                ForwardStep.PER_KEY), SequenceStep::key, Types.STRING, 8, 2, subtask)) {
            h.open();
            ParameterChannel.publish(jobId(h), subtask, 0, progress(0, 0));
            ParameterChannel.publish(jobId(h), subtask, 0, update(1, 1));
            runMails(h);
            if (retainFirst) {
                ParameterChannel.store(jobId(h), subtask, 0, () -> {
                    throw new AssertionError("the operator makes the store");
                }).retain(1);
            }
            ParameterChannel.publish(jobId(h), subtask, 0, update(2, 2));
            ParameterChannel.publish(jobId(h), subtask, 0, update(3, 3));
            runMails(h);
            h.processWatermark(4 * BUCKET_MS - 1);
            return h.snapshot(1L, 1L);
        }
    }

    @Test
    void aVersionOnlyOneSubtaskStillHeldSurvivesARestoreWhateverTheOrderOfTheUnionList() throws Exception {
        OperatorSubtaskState referencing = prunedSnapshot(0, true);
        OperatorSubtaskState pruned = prunedSnapshot(1, false);
        for (boolean prunedFirst : new boolean[] {true, false}) {
            OperatorSubtaskState union = prunedFirst
                    ? AbstractStreamOperatorTestHarness.repackageState(pruned, referencing)
                    : AbstractStreamOperatorTestHarness.repackageState(referencing, pruned);
            try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0),
                    ForwardStep.PER_KEY), SequenceStep::key, Types.STRING, 8, 2, 0)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(union, 8, 2, 2, 0));
                h.open();
                VersionStore store = ParameterChannel.store(jobId(h), 0, 0, () -> {
                    throw new AssertionError("the operator makes the store");
                });
                assertThat(store.params(1).toFlat()).as("version 1, pruned subtask first: %s", prunedFirst)
                        .containsExactly(update(1, 1).params());
                assertThat(store.latest()).isEqualTo(3);
                assertThat(store.completedThrough()).isEqualTo(3);
            }
        }
    }

    @Test
    void restoreAtTwiceTheParallelismKeepsEachWaitingStepWithItsKeyAndEveryVersionEverywhere() throws Exception {
        int maxParallelism = 8;
        String first = keyOfSubtask(0, maxParallelism, 2);
        String second = keyOfSubtask(1, maxParallelism, 2);
        List<SequenceStep> steps = List.of(step(second, 0, 110), step(first, 0, 120), step(second, 1, 210),
                step(first, 1, 220));
        List<ParameterVersion> versions = List.of(progress(0, -1), update(1, 0));

        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0), ForwardStep.PER_KEY),
                SequenceStep::key, Types.STRING, maxParallelism, 1, 0)) {
            h.open();
            versions.forEach(v -> publish(h, v));
            runMails(h);
            send(h, steps.toArray(SequenceStep[]::new));
            assertThat(trained(h)).hasSize(2);
            snapshot = h.snapshot(1L, 1L);
        }

        PlainForward plain = new PlainForward().run(steps.get(0), 1).run(steps.get(1), 1).run(steps.get(2), 2)
                .run(steps.get(3), 2);
        for (int subtask = 0; subtask < 2; subtask++) {
            try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ForwardStep(initial(), options(0), ForwardStep.PER_KEY),
                    SequenceStep::key, Types.STRING, maxParallelism, 2, subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, maxParallelism,
                        1, 2, subtask));
                h.open();
                VersionStore store = ParameterChannel.store(jobId(h), subtask, 0, () -> {
                    throw new AssertionError("the operator makes the store");
                });
                for (ParameterVersion v : versions) {
                    if (v.isUpdate()) {
                        assertThat(store.params(v.version()).toFlat()).as("subtask %d holds version %d", subtask,
                                v.version()).containsExactly(v.params());
                    }
                }
                ParameterVersion newest = versions.get(versions.size() - 1);
                assertThat(store.completedThrough()).isEqualTo(newest.completedThrough());
                assertThat(store.latest()).isEqualTo(newest.version());

                ParameterChannel.publish(jobId(h), subtask, 0, update(2, 1));
                runMails(h);
                String key = subtask == 0 ? first : second;
                assertThat(trained(h)).as("subtask %d releases its own key's step", subtask)
                        .usingRecursiveComparison(exactly())
                        .isEqualTo(plain.steps.stream().filter(t -> t.key().equals(key) && t.step() == 1).toList());
            }
        }
    }
}

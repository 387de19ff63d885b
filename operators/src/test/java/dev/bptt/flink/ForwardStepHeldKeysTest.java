package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.BUCKET_MS;
import static dev.bptt.flink.HarnessFixtures.exactly;
import static dev.bptt.flink.HarnessFixtures.initial;
import static dev.bptt.flink.HarnessFixtures.jobId;
import static dev.bptt.flink.HarnessFixtures.progress;
import static dev.bptt.flink.HarnessFixtures.runMails;
import static dev.bptt.flink.HarnessFixtures.step;
import static dev.bptt.flink.HarnessFixtures.update;
import static dev.bptt.flink.HarnessFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bptt.loop.ChannelInlet;
import dev.bptt.loop.ParameterChannel;
import dev.bptt.model.Loss;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.records.DeadLetter;
import dev.bptt.records.Prediction;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ForwardStep with its keys' order progress and s_{t-1} held in memory ({@link HeldKeys}) emits
 * exactly what it emits with them in keyed state alone: with room for every key, for one, or for
 * none; on the batched and the per-key path; on heap and RocksDB; across a snapshot and restore
 * (which writes the held keys back). The input has keys that end with {@code last} and start
 * again, a key that expires by the idle timeout on the watermark and one that expires on its next
 * step, a duplicate and a step out of order. (Against the reference trainer the job tests check
 * the same paths end to end, with the default room.)
 */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class ForwardStepHeldKeysTest {

    private static final int BUCKETS = 6;
    private static final long IDLE_TIMEOUT_MS = 150;
    /** Room for every key of the input; for one; for none. */
    private static final long ALL = 1L << 20;
    private static final long ONE = ForwardStep.keyBytes(HarnessFixtures.SHAPE.stateSize());
    private static final long NONE = 0;

    /** What a run emitted (after a restore: what the restored harness emitted). */
    private record Run(List<TrainingStep> steps, List<Prediction> predictions, List<DeadLetter> deadLetters,
            List<Long> watermarks) {

        static Run of(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h) {
            return new Run(h.extractOutputValues(), values(h.getSideOutput(ForwardStep.PREDICTIONS)),
                    values(h.getSideOutput(ForwardStep.DEAD_LETTERS)), HarnessFixtures.watermarks(h));
        }
    }

    private static TrainingOptions options() {
        return new TrainingOptions(Loss.MSE, 2, 3, OptimizerKind.SGD, 0.1, 0.0, 0.0, Reduction.MEAN, BUCKET_MS, 0,
                IDLE_TIMEOUT_MS);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> harness(int batchKeys,
            boolean rocksDb, long heldKeyBytes) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new ForwardStep(initial(), options(), new ChannelInlet(), batchKeys, heldKeyBytes), SequenceStep::key,
                Types.STRING);
        h.setStateBackend(rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        return h;
    }

    /**
     * Bucket b's steps in time order. k1..k4 step every bucket (k1 twice); "end" ends with last
     * in bucket 2 and starts again in bucket 4; "idle" pauses after bucket 1 and expires when the
     * watermark passes its timeout, then starts again; "gap" expires when its next step (a new
     * step 0) comes too late; k2 repeats a step in bucket 3 and k3 skips one in bucket 5.
     */
    private static List<SequenceStep> bucket(int b) {
        long t0 = b * BUCKET_MS;
        List<SequenceStep> out = new ArrayList<>();
        for (int k = 1; k <= 4; k++) {
            int perBucket = k == 1 ? 2 : 1;
            for (int j = 0; j < perBucket; j++) {
                out.add(step("k" + k, (long) (b - 1) * perBucket + j, t0 + 10 + k + 40L * j));
            }
        }
        switch (b) {
            case 1 -> {
                out.add(step("end", 0, t0 + 20));
                out.add(step("idle", 0, t0 + 15));
            }
            case 2 -> {
                out.add(step("end", 1, t0 + 20, true));
                out.add(step("gap", 0, t0 + 5));
            }
            case 3 -> {
                out.add(step("k2", 2, t0 + 60)); // k2's step 2 came at t0 + 12: a duplicate
                out.add(step("gap", 0, t0 + 90)); // 185 ms after its step 0: expires, then starts again
            }
            case 4 -> {
                out.add(step("end", 0, t0 + 20));
                out.add(step("idle", 0, t0 + 30)); // expired at 265 on the watermark
            }
            case 5 -> out.add(step("k3", 9, t0 + 70)); // k3 is at step 4: out of order
            default -> { }
        }
        out.sort(Comparator.comparingLong(SequenceStep::time));
        return out;
    }

    /** Buckets {@code from..to}: the steps, the update of the bucket before, the watermark past the bucket. */
    private static void run(KeyedOneInputStreamOperatorTestHarness<String, SequenceStep, TrainingStep> h, int from,
            int to) throws Exception {
        for (int b = from; b <= to; b++) {
            for (SequenceStep s : bucket(b)) {
                h.processElement(s, s.time());
            }
            ParameterChannel.publish(jobId(h), 0, 0, b == 1 ? progress(0, 0) : update(b - 1, b - 1));
            runMails(h);
            h.processWatermark((b + 1) * BUCKET_MS - 1);
        }
    }

    private static Run uninterrupted(int batchKeys, boolean rocksDb, long heldKeyBytes) throws Exception {
        try (var h = harness(batchKeys, rocksDb, heldKeyBytes)) {
            h.open();
            run(h, 1, BUCKETS);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            return Run.of(h);
        }
    }

    @ParameterizedTest(name = "batch keys {0}, RocksDB {1}")
    @CsvSource({"5, false", "5, true", "0, false", "0, true"})
    void heldKeysEmitExactlyWhatKeysInKeyedStateEmit(int batchKeys, boolean rocksDb) throws Exception {
        Run inState = uninterrupted(batchKeys, rocksDb, NONE);

        assertThat(inState.deadLetters()).extracting(d -> d.reason().substring(0, d.reason().indexOf(':')))
                .containsExactly("duplicate_step", "step_out_of_order");
        assertThat(inState.steps()).filteredOn(TrainingStep::isExpiry).extracting(TrainingStep::key)
                .as("idle and gap expire mid-input; they and end expire again once their last steps go idle")
                .containsExactlyInAnyOrder("idle", "gap", "gap", "end", "idle");
        for (long room : new long[] {ONE, ALL}) {
            assertThat(uninterrupted(batchKeys, rocksDb, room)).as("room %d", room)
                    .usingRecursiveComparison(exactly()).isEqualTo(inState);
        }
    }

    /**
     * A snapshot after bucket 3 writes the held keys back: a restored operator, holding keys or
     * not, emits what the uninterrupted one did after it, and keyed state holds as many entries as
     * without held keys.
     */
    @ParameterizedTest(name = "RocksDB {0}, held after the restore {1}")
    @CsvSource({"false, true", "false, false", "true, true", "true, false"})
    void aSnapshotWritesTheHeldKeysBackAndARestoreGoesOnFromThem(boolean rocksDb, boolean heldAfterRestore)
            throws Exception {
        int batchKeys = 5;
        Run whole = uninterrupted(batchKeys, rocksDb, NONE);

        OperatorSubtaskState snapshot;
        int emitted;
        int predicted;
        int entriesInState;
        try (var h = harness(batchKeys, rocksDb, NONE)) {
            h.open();
            run(h, 1, 3);
            h.snapshot(1L, 1L);
            entriesInState = rocksDb ? -1 : h.numKeyedStateEntries(); // the harness counts heap state only
        }
        try (var h = harness(batchKeys, rocksDb, ALL)) {
            h.open();
            run(h, 1, 3);
            snapshot = h.snapshot(1L, 1L);
            if (!rocksDb) {
                assertThat(h.numKeyedStateEntries()).as("after the write-back").isEqualTo(entriesInState);
            }
            emitted = h.extractOutputValues().size();
            predicted = values(h.getSideOutput(ForwardStep.PREDICTIONS)).size();
        }
        try (var h = harness(batchKeys, rocksDb, heldAfterRestore ? ALL : NONE)) {
            h.initializeState(snapshot);
            h.open();
            run(h, 4, BUCKETS);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            assertThat(h.extractOutputValues()).usingRecursiveComparison(exactly())
                    .isEqualTo(whole.steps().subList(emitted, whole.steps().size()));
            assertThat(values(h.getSideOutput(ForwardStep.PREDICTIONS))).usingRecursiveComparison(exactly())
                    .isEqualTo(whole.predictions().subList(predicted, whole.predictions().size()));
        }
    }
}

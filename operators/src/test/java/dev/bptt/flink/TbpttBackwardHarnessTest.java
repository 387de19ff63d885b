package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.BUCKET_MS;
import static dev.bptt.flink.HarnessFixtures.SHAPE;
import static dev.bptt.flink.HarnessFixtures.exactly;
import static dev.bptt.flink.HarnessFixtures.initial;
import static dev.bptt.flink.HarnessFixtures.jobId;
import static dev.bptt.flink.HarnessFixtures.options;
import static dev.bptt.flink.HarnessFixtures.paramsOf;
import static dev.bptt.flink.HarnessFixtures.step;
import static dev.bptt.flink.HarnessFixtures.update;
import static dev.bptt.flink.HarnessFixtures.watermarks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bptt.loop.ParameterChannel;
import dev.bptt.loop.VersionStore;
import dev.bptt.model.BatchForward;
import dev.bptt.model.Loss;
import dev.bptt.model.OfflineTbptt;
import dev.bptt.model.Parameters;
import dev.bptt.model.SequenceForward;
import dev.bptt.model.StepRing;
import dev.bptt.model.TbpttWindow;
import dev.bptt.model.WindowLoss;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.TrainingStep;
import dev.bptt.steps.SequenceStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TbpttBackward in a keyed harness, fed TrainingSteps made by a plain forward pass (so s_{t-1} and
 * the versions are right); its partials are checked against {@link TbpttWindow} run directly on
 * the same windows, and against {@link OfflineTbptt} when every step used one version.
 */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class TbpttBackwardHarnessTest {

    /** Versions 1..3 are known to the store; version v holds the updates of buckets <= v - 1. */
    private static final int VERSIONS = 3;

    private final List<String> jobIds = new ArrayList<>();
    /** The version store of the newest harness. */
    private VersionStore store;
    /** Snapshots taken by {@link #ringEntries}. */
    private long checkpoints;

    /** Where the harness keeps keyed state: each key's ring head and slots. */
    enum Backend {
        HEAP, ROCKSDB;

        StateBackend create() {
            return this == HEAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    @AfterEach
    void forgetStores() {
        // The operator does not own the shared store; drop what the tests registered.
        jobIds.forEach(id -> ParameterChannel.unsubscribe(id, 0, 0, null));
    }

    /** A harness whose subtask finds a version store holding versions 0..3 (as ForwardStep would leave it). */
    private KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> harness() throws Exception {
        return harness(TbpttBackward.DEFAULT_BATCH_KEYS);
    }

    /** The same with {@code batchKeys} windows per batch ({@link TbpttBackward#PER_KEY}: each alone at its close). */
    private KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> harness(int batchKeys)
            throws Exception {
        return harness(batchKeys, Backend.HEAP);
    }

    /** The same on {@code backend}, holding rings in memory as the job does (the default room). */
    private KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> harness(int batchKeys,
            Backend backend) throws Exception {
        return harness(batchKeys, backend, -1);
    }

    /** The same with room for held rings of {@code heldRingBytes} (0: every ring in keyed state alone; -1: the default). */
    private KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> harness(int batchKeys,
            Backend backend, long heldRingBytes) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new TbpttBackward(initial(), options(0), batchKeys, heldRingBytes), TrainingStep::key, Types.STRING);
        h.setStateBackend(backend.create());
        store = new VersionStore(initial());
        for (long v = 1; v <= VERSIONS; v++) {
            store.apply(update(v, v - 1));
        }
        jobIds.add(jobId(h));
        assertThat(ParameterChannel.store(jobId(h), 0, 0, () -> store)).isSameAs(store);
        return h;
    }

    /** The forward pass of {@code steps} (input order), each step with the version of its bucket. */
    private static List<TrainingStep> forward(List<SequenceStep> steps, LongUnaryOperator versionOfBucket) {
        SequenceForward forward = new SequenceForward(SHAPE);
        Map<String, double[]> states = new HashMap<>();
        List<TrainingStep> out = new ArrayList<>();
        for (SequenceStep s : steps) {
            long bucket = Math.floorDiv(s.time(), BUCKET_MS);
            long version = versionOfBucket.applyAsLong(bucket);
            double[] state = states.computeIfAbsent(s.key(), k -> new double[SHAPE.stateSize()]);
            double[] before = state.clone();
            forward.step(paramsOf(version), s.input(), state, null);
            out.add(new TrainingStep(s.key(), s.step(), s.time(), bucket, s.input(), before, s.target(),
                    StepRing.NO_TARGET, s.last(), version));
            if (s.last()) {
                states.remove(s.key());
            }
        }
        return out;
    }

    /** Staleness 0 with one update per bucket: bucket b ran with version b (at most 3). */
    private static List<TrainingStep> forward(List<SequenceStep> steps) {
        return forward(steps, b -> Math.min(b, VERSIONS));
    }

    /** The partials computed directly: a ring per key, TbpttWindow on each close, sums per closing bucket. */
    private static final class DirectSums {
        private static final class Sum {
            final Parameters gradient = Parameters.zeros(SHAPE);
            double lossSum;
            long lossTerms;
            long windows;
            long steps;
            long minVersion = -1;
        }

        private final TbpttWindow window = new TbpttWindow(SHAPE, Loss.MSE);
        private final Map<String, StepRing> rings = new LinkedHashMap<>();
        private final TreeMap<Long, Sum> sums = new TreeMap<>();

        DirectSums accept(List<TrainingStep> steps) {
            for (TrainingStep t : steps) {
                StepRing ring = rings.computeIfAbsent(t.key(), k -> StepRing.forShape(SHAPE, options(0).k2()));
                ring.push(t.input(), 0, t.statePrev(), 0, t.target(), 0, t.targetClass(), t.version());
                Sum sum = sums.computeIfAbsent(t.bucket(), b -> new Sum());
                sum.steps++;
                sum.minVersion = sum.minVersion < 0 ? t.version() : Math.min(sum.minVersion, t.version());
                if (TbpttWindow.closesAt(t.step(), t.last(), options(0).k1())) {
                    close(ring, t.bucket());
                }
                if (t.last()) {
                    rings.remove(t.key());
                }
            }
            return this;
        }

        /** An expiry marker for {@code key}: its open window closes into {@code bucket}, its ring goes. */
        DirectSums expire(String key, long bucket) {
            StepRing ring = rings.remove(key);
            if (ring != null && ring.pendingLoss > 0) {
                close(ring, bucket);
            }
            return this;
        }

        DirectSums endOfInput() {
            rings.values().stream().filter(r -> r.pendingLoss > 0).forEach(r -> close(r, GradientPartial.END_OF_INPUT));
            rings.clear();
            return this;
        }

        private void close(StepRing ring, long bucket) {
            Sum sum = sums.computeIfAbsent(bucket, b -> new Sum());
            WindowLoss loss = window.backward(ring, HarnessFixtures::paramsOf, sum.gradient);
            sum.lossSum += loss.sum();
            sum.lossTerms += loss.terms();
            sum.windows++;
        }

        List<GradientPartial> partials() {
            List<GradientPartial> out = new ArrayList<>();
            sums.forEach((b, s) -> out.add(new GradientPartial(b, 0, s.gradient.toFlat(), s.lossSum, s.lossTerms,
                    s.windows, s.steps, s.minVersion)));
            return out;
        }
    }

    /** The newest store's references to versions 0..3. */
    private Map<Long, Integer> references() {
        Map<Long, Integer> out = new TreeMap<>();
        for (long v = 0; v <= VERSIONS; v++) {
            out.put(v, store.references(v));
        }
        return out;
    }

    /**
     * Keyed ring entries on any backend after a snapshot (which writes the held rings back): the
     * keys with a ring head plus every slot held.
     */
    private long ringEntries(KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> h)
            throws Exception {
        h.snapshot(++checkpoints, checkpoints);
        KeyedStateBackend<String> backend = ((TbpttBackward) h.getOperator()).getKeyedStateBackend();
        long[] n = new long[1];
        try (Stream<String> keys = backend.getKeys("ring-head", VoidNamespace.INSTANCE)) {
            n[0] += keys.count();
        }
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                KeyedRing.slotsDescriptor(SHAPE), (key, slots) -> slots.keys().forEach(slot -> n[0]++));
        return n[0];
    }

    /** The gradient partials emitted. */
    private static List<GradientPartial> partials(
            KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> h) {
        return h.extractOutputValues();
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, TrainingStep, GradientPartial> h,
            List<TrainingStep> steps) throws Exception {
        for (TrainingStep t : steps) {
            h.processElement(t, t.time());
        }
    }

    private static void assertSamePartials(List<GradientPartial> actual, List<GradientPartial> expected) {
        assertThat(actual).extracting(GradientPartial::bucket)
                .containsExactlyElementsOf(expected.stream().map(GradientPartial::bucket).toList());
        for (int i = 0; i < expected.size(); i++) {
            GradientPartial a = actual.get(i);
            GradientPartial e = expected.get(i);
            assertThat(a).usingRecursiveComparison().ignoringFields("gradient", "lossSum").as("bucket %d", e.bucket())
                    .isEqualTo(e);
            assertThat(a.lossSum()).as("loss of bucket %d", e.bucket()).isCloseTo(e.lossSum(), within(1e-12));
            assertThat(a.gradient()).as("gradient of bucket %d", e.bucket()).containsExactly(e.gradient(), within(1e-12));
        }
    }

    /** Keys a, b, c over buckets 0..3; a ends with last at step 4 and starts again; c stays open. */
    private static List<SequenceStep> mixedSteps() {
        return List.of(
                step("a", 0, 10), step("b", 0, 20), step("a", 1, 40), step("c", 0, 60), step("a", 2, 90),
                step("b", 1, 110), step("a", 3, 130), step("c", 1, 150), step("b", 2, 170), step("a", 4, 190, true),
                step("b", 3, 205), step("a", 0, 230), step("c", 2, 260), step("a", 1, 280), step("b", 4, 310),
                step("c", 3, 340), step("a", 2, 360), step("c", 4, 390));
    }

    @Test
    void bucketsPartialLeavesOnlyWhenTheWatermarkPassesItsEnd() throws Exception {
        List<TrainingStep> steps = forward(mixedSteps());
        List<GradientPartial> expected = new DirectSums().accept(steps).partials();
        try (var h = harness()) {
            h.open();
            send(h, steps);
            h.processWatermark(98);
            assertThat(partials(h)).isEmpty();

            h.processWatermark(99);
            assertSamePartials(partials(h), expected.subList(0, 1));
            h.processWatermark(150);
            assertThat(partials(h)).hasSize(1);
            h.processWatermark(399);
            assertSamePartials(partials(h), expected);
            assertThat(expected).extracting(GradientPartial::bucket).containsExactly(0L, 1L, 2L, 3L);
            assertThat(watermarks(h)).as("watermarks pass through").containsExactly(98L, 99L, 150L, 399L);
        }
    }

    @Test
    void windowBelongsToTheBucketOfItsClosingStepEvenWhenItStartedEarlier() throws Exception {
        List<SequenceStep> input = List.of(step("a", 0, 50), step("a", 1, 120));
        List<TrainingStep> steps = forward(input, b -> 0);
        try (var h = harness()) {
            h.open();
            send(h, steps);
            h.processWatermark(199);

            List<GradientPartial> out = partials(h);
            assertThat(out).hasSize(2);
            GradientPartial first = out.get(0);
            assertThat(first.bucket()).isZero();
            assertThat(first.steps()).isEqualTo(1);
            assertThat(first.windows()).isZero();
            assertThat(first.lossTerms()).isZero();
            assertThat(first.gradient()).containsOnly(0.0);
            GradientPartial second = out.get(1);
            assertThat(second.windows()).isEqualTo(1);
            assertThat(second.lossTerms()).isEqualTo(2);

            // The window over steps 0..1 is exactly what OfflineTbptt computes for them.
            OfflineTbptt offline = new OfflineTbptt(paramsOf(0), Loss.MSE, 2, 3);
            input.forEach(offline::accept);
            assertThat(second.gradient()).containsExactly(offline.gradient().toFlat(), within(1e-12));
            assertThat(second.lossSum()).isCloseTo(offline.lossSum(), within(1e-12));
            assertSamePartials(out, new DirectSums().accept(steps).partials());
        }
    }

    @Test
    void allPartialsOfOneVersionAddUpToTheOfflineGradient() throws Exception {
        List<SequenceStep> input = mixedSteps();
        List<TrainingStep> steps = forward(input, b -> 0);
        OfflineTbptt offline = new OfflineTbptt(paramsOf(0), Loss.MSE, 2, 3);
        input.forEach(offline::accept);
        offline.finish();
        try (var h = harness()) {
            h.open();
            send(h, steps);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();

            List<GradientPartial> out = partials(h);
            Parameters total = Parameters.zeros(SHAPE);
            out.forEach(p -> total.addInPlace(Parameters.fromFlat(SHAPE, p.gradient())));
            assertThat(total.toFlat()).containsExactly(offline.gradient().toFlat(), within(1e-12));
            assertThat(out.stream().mapToDouble(GradientPartial::lossSum).sum()).isCloseTo(offline.lossSum(),
                    within(1e-12));
            assertThat(out.stream().mapToLong(GradientPartial::lossTerms).sum()).isEqualTo(offline.lossTerms());
            assertThat(out.stream().mapToLong(GradientPartial::windows).sum()).isEqualTo(offline.windows());
            assertThat(out.stream().mapToLong(GradientPartial::steps).sum()).isEqualTo(input.size());
        }
    }

    @Test
    void endOfInputClosesTheOpenWindowsIntoTheEndOfInputPartial() throws Exception {
        List<TrainingStep> steps = forward(mixedSteps());
        List<GradientPartial> expected = new DirectSums().accept(steps).endOfInput().partials();
        try (var h = harness()) {
            h.open();
            send(h, steps);
            h.processWatermark(Long.MAX_VALUE);
            assertSamePartials(partials(h), expected.subList(0, 4));

            h.endInput();

            List<GradientPartial> out = partials(h);
            assertSamePartials(out, expected);
            GradientPartial last = out.get(out.size() - 1);
            assertThat(last.bucket()).isEqualTo(GradientPartial.END_OF_INPUT);
            assertThat(last.windows()).as("a (restarted, step 2 open), b (step 4 open), c (step 4 open)").isEqualTo(3);
            assertThat(last.steps()).as("steps are counted in their own buckets").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void lastClearsTheKeysRingAndARestartBackPropagatesOnlyThroughTheNewSequence(Backend backend) throws Exception {
        List<TrainingStep> steps = forward(List.of(
                step("a", 0, 10), step("b", 0, 15), step("a", 1, 20), step("a", 2, 30, true), step("a", 0, 40),
                step("a", 1, 50)), b -> 0);
        try (var h = harness(TbpttBackward.DEFAULT_BATCH_KEYS, backend)) {
            h.open();
            send(h, steps.subList(0, 3));
            assertThat(ringEntries(h)).as("heads and slots of a (2 steps) and b (1)").isEqualTo(2 + 3);
            send(h, steps.subList(3, 4));
            assertThat(ringEntries(h)).as("a's head and slots are gone").isEqualTo(1 + 1);
            send(h, steps.subList(4, 6));
            h.processWatermark(99);
            assertThat(store.references(0)).as("the steps held: a's new 0..1 and b's 0").isEqualTo(3);

            List<GradientPartial> out = partials(h);
            assertSamePartials(out, new DirectSums().accept(steps).partials());
            // Windows: a at step 1 (steps 0..1), a at last (0..2), a again at 1 (the new 0..1 only).
            assertThat(out.get(0).windows()).isEqualTo(3);
            OfflineTbptt offline = new OfflineTbptt(paramsOf(0), Loss.MSE, 2, 3);
            steps.stream().filter(t -> t.key().equals("a"))
                    .forEach(t -> offline.accept(step(t.key(), t.step(), t.time(), t.last())));
            assertThat(out.get(0).gradient()).containsExactly(offline.gradient().toFlat(), within(1e-12));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void expiryClosesTheOpenWindowsAndLeavesNoStateAndNoReferences(Backend backend) throws Exception {
        List<TrainingStep> steps = forward(List.of(
                step("a", 0, 10), step("b", 0, 20), step("a", 1, 130), step("a", 2, 140), step("a", 3, 150),
                step("a", 4, 160)));
        List<TrainingStep> markers = List.of(TrainingStep.expiry("a", 250, 2), TrainingStep.expiry("b", 260, 2),
                TrainingStep.expiry("c", 270, 2));
        try (var h = harness(TbpttBackward.DEFAULT_BATCH_KEYS, backend)) {
            h.open();
            send(h, steps);
            assertThat(ringEntries(h)).as("heads of a and b, slots of a (3 steps) and b (1)").isEqualTo(2 + 4);
            send(h, markers);
            assertThat(ringEntries(h)).as("expired keys leave no state").isZero();
            h.processWatermark(299);

            List<GradientPartial> out = partials(h);
            assertSamePartials(out, new DirectSums().accept(steps).expire("a", 2).expire("b", 2).partials());
            assertThat(out.get(out.size() - 1).windows()).as("a (step 4 open) and b (step 0 open)").isEqualTo(2);
            for (long v = 0; v <= VERSIONS; v++) {
                assertThat(store.references(v)).as("references to version %d", v).isZero();
            }
        }
    }

    /**
     * Restored from a snapshot mid-window, the operator emits exactly the partials of an
     * uninterrupted run. Both runs hold their rings in memory, so the snapshot must write them back
     * to keyed state; the restored operator holds them again (reading each key's ring from keyed
     * state once) or, with no room for held rings, reads and writes keyed state per step.
     */
    @ParameterizedTest(name = "{0}, held after the restore {1}")
    @CsvSource({"HEAP, true", "HEAP, false", "ROCKSDB, true", "ROCKSDB, false"})
    void restoredOperatorEmitsExactlyThePartialsOfAnUninterruptedRun(Backend backend, boolean heldAfterRestore)
            throws Exception {
        List<TrainingStep> steps = forward(mixedSteps());
        // Checkpoint in bucket 2: bucket 0 emitted, sums of buckets 1 and 2 open, a and c mid-window.
        int cut = 13;
        assertThat(steps.get(cut - 1).time()).isEqualTo(260);

        List<GradientPartial> uninterrupted;
        try (var h = harness(TbpttBackward.DEFAULT_BATCH_KEYS, backend)) {
            h.open();
            send(h, steps.subList(0, 10));
            h.processWatermark(99);
            send(h, steps.subList(10, cut));
            send(h, steps.subList(cut, steps.size()));
            h.processWatermark(299);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            uninterrupted = partials(h);
        }

        List<GradientPartial> restarted = new ArrayList<>();
        OperatorSubtaskState snapshot;
        Map<Long, Integer> held;
        try (var h = harness(TbpttBackward.DEFAULT_BATCH_KEYS, backend)) {
            h.open();
            send(h, steps.subList(0, 10));
            h.processWatermark(99);
            send(h, steps.subList(10, cut));
            snapshot = h.snapshot(1L, 1L);
            restarted.addAll(partials(h));
            held = references();
        }
        assertThat(restarted).extracting(GradientPartial::bucket).containsExactly(0L);
        try (var h = harness(TbpttBackward.DEFAULT_BATCH_KEYS, backend, heldAfterRestore ? -1 : 0)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(references()).as("the restored rings and closed windows hold their versions again")
                    .isEqualTo(held);
            send(h, steps.subList(cut, steps.size()));
            h.processWatermark(299);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            restarted.addAll(partials(h));
        }

        assertThat(uninterrupted).extracting(GradientPartial::bucket)
                .containsExactly(0L, 1L, 2L, 3L, GradientPartial.END_OF_INPUT);
        assertThat(restarted).usingRecursiveComparison(exactly()).isEqualTo(uninterrupted);
        assertSamePartials(uninterrupted, new DirectSums().accept(steps).endOfInput().partials());
    }

    /**
     * Keys k0..k11 with steps 0..11, four per bucket, at the same offsets (their windows align and
     * share batches), and key "late" two steps behind (its windows form their own group); keys in
     * order k0..k11 within each instant, or the reverse.
     */
    private static List<SequenceStep> manyKeys(boolean reversed) {
        List<SequenceStep> out = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            for (int i = 0; i < 12; i++) {
                int k = reversed ? 11 - i : i;
                out.add(step("k" + k, t, 10 + 25L * t + k));
            }
            if (t >= 2) {
                out.add(step("late", t - 2, 22 + 25L * t));
            }
        }
        return out;
    }

    private List<GradientPartial> partialsOf(List<TrainingStep> steps, int batchKeys) throws Exception {
        try (var h = harness(batchKeys)) {
            h.open();
            send(h, steps);
            h.processWatermark(199);
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            return partials(h);
        }
    }

    @Test
    void windowsOfManyKeysRunInBatchesAndEqualThePerKeyPathToRounding() throws Exception {
        List<TrainingStep> steps = forward(manyKeys(false));
        List<GradientPartial> direct = new DirectSums().accept(steps).endOfInput().partials();

        assertThat(partialsOf(steps, TbpttBackward.PER_KEY)).as("per key: TbpttWindow at each close")
                .usingRecursiveComparison(exactly()).isEqualTo(direct);
        for (int batchKeys : new int[] {1, 5, TbpttBackward.DEFAULT_BATCH_KEYS}) {
            assertSamePartials(partialsOf(steps, batchKeys), direct);
        }
        assertThat(direct).extracting(GradientPartial::windows).as("k0..k11 close 2 windows a bucket, late 1, 2, 2")
                .containsExactly(25L, 26L, 26L);
    }

    /**
     * With a watermark after every bucket, windows closing later load their rings into the rings of
     * windows that already ran (which hold other keys' steps, also longer rings than "late"'s
     * first): the partials still equal TbpttWindow's on each window.
     */
    @Test
    void ringsReusedForLaterClosesCarryNothingOver() throws Exception {
        List<TrainingStep> steps = forward(manyKeys(false));
        List<GradientPartial> direct = new DirectSums().accept(steps).endOfInput().partials();
        for (int batchKeys : new int[] {1, 5, TbpttBackward.DEFAULT_BATCH_KEYS}) {
            assertSamePartials(partialsWithWatermarks(steps, batchKeys, Backend.HEAP), direct);
        }
    }

    @Test
    void aBucketsSumDoesNotDependOnTheOrderInWhichItsKeysStepsArrived() throws Exception {
        List<GradientPartial> forwards = partialsOf(forward(manyKeys(false)), 5);
        List<GradientPartial> backwards = partialsOf(forward(manyKeys(true)), 5);
        assertThat(backwards).usingRecursiveComparison(exactly()).isEqualTo(forwards);
    }

    /**
     * Steps that carry their activations (as ForwardStep's batched path sends them) give the
     * partials of steps without them, bit for bit. Where the rings live in objects (held in memory,
     * or in a heap backend) the backward pass takes the activations: spoiled ones change the
     * gradient, so they are used. Rings kept in RocksDB alone are stored without them and their
     * steps recomputed: spoiled ones change nothing.
     */
    @ParameterizedTest(name = "{0}, held {1}")
    @CsvSource({"HEAP, true", "HEAP, false", "ROCKSDB, true", "ROCKSDB, false"})
    void stepsWithTheirActivationsGiveThePartialsOfARecomputeBitForBit(Backend backend, boolean held)
            throws Exception {
        List<TrainingStep> bare = forward(manyKeys(false));
        int batchKeys = TbpttBackward.DEFAULT_BATCH_KEYS;
        long room = held ? -1 : 0;
        List<GradientPartial> recomputed = partialsWithWatermarks(bare, batchKeys, backend, room);
        List<GradientPartial> kept = partialsWithWatermarks(withActivations(bare, 0.0), batchKeys, backend, room);
        List<GradientPartial> spoiled = partialsWithWatermarks(withActivations(bare, 1e-3), batchKeys, backend, room);

        assertThat(kept).usingRecursiveComparison(exactly()).isEqualTo(recomputed);
        if (held || backend == Backend.HEAP) {
            assertThat(spoiled.get(1).gradient()).isNotEqualTo(recomputed.get(1).gradient());
        } else {
            assertThat(spoiled).usingRecursiveComparison(exactly()).isEqualTo(recomputed);
        }
    }

    /**
     * Rings held in memory give the partials of rings kept in keyed state alone, bit for bit, with
     * room for every key, for some (the others' rings stay in keyed state) or for none; keys end
     * (last) and start again, and later closes reuse the rings of windows that already ran.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void heldRingsGiveThePartialsOfRingsInKeyedStateBitForBit(Backend backend) throws Exception {
        long ring = TbpttBackward.ringBytes(SHAPE, options(0).k2(), 0);
        for (List<SequenceStep> input : List.of(manyKeys(false), mixedSteps())) {
            List<TrainingStep> steps = forward(input);
            List<GradientPartial> inState = partialsWithWatermarks(steps, 5, backend, 0);
            for (long room : new long[] {ring, 3 * ring, 1000 * ring}) {
                assertThat(partialsWithWatermarks(steps, 5, backend, room)).as("room for %d keys", room / ring)
                        .usingRecursiveComparison(exactly()).isEqualTo(inState);
            }
            assertSamePartials(inState, new DirectSums().accept(steps).endOfInput().partials());
        }
    }

    /** {@code steps} with the activations of their forward step ({@link BatchForward}, alone), each value plus {@code spoil}. */
    private static List<TrainingStep> withActivations(List<TrainingStep> steps, double spoil) {
        BatchForward forward = new BatchForward(SHAPE, 1);
        List<TrainingStep> out = new ArrayList<>();
        for (TrainingStep t : steps) {
            double[] state = t.statePrev().clone();
            forward.step(paramsOf(t.version()), t.input(), state, null, 1);
            double[] acts = new double[forward.activationSize()];
            forward.activations(acts, 0, acts.length, 1);
            for (int i = 0; i < acts.length; i++) {
                acts[i] += spoil;
            }
            out.add(new TrainingStep(t.key(), t.step(), t.time(), t.bucket(), t.input(), t.statePrev(), t.target(),
                    t.targetClass(), t.last(), t.version(), acts));
        }
        return out;
    }

    /**
     * The partials of {@code steps} on {@code backend} in batches of {@code batchKeys}, with a
     * watermark after every bucket (so later closes load into rings that already ran).
     */
    private List<GradientPartial> partialsWithWatermarks(List<TrainingStep> steps, int batchKeys, Backend backend)
            throws Exception {
        return partialsWithWatermarks(steps, batchKeys, backend, -1);
    }

    /** The same with room for held rings of {@code heldRingBytes} (as {@link #harness(int, Backend, long)}). */
    private List<GradientPartial> partialsWithWatermarks(List<TrainingStep> steps, int batchKeys, Backend backend,
            long heldRingBytes) throws Exception {
        try (var h = harness(batchKeys, backend, heldRingBytes)) {
            h.open();
            long bucket = 0;
            for (TrainingStep t : steps) {
                if (t.bucket() > bucket) {
                    h.processWatermark(t.bucket() * BUCKET_MS - 1);
                    bucket = t.bucket();
                }
                h.processElement(t, t.time());
            }
            h.processWatermark(Long.MAX_VALUE);
            h.endInput();
            return partials(h);
        }
    }
}

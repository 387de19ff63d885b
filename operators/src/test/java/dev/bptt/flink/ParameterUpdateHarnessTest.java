package dev.bptt.flink;

import static dev.bptt.flink.HarnessFixtures.BUCKET_MS;
import static dev.bptt.flink.HarnessFixtures.SHAPE;
import static dev.bptt.flink.HarnessFixtures.exactly;
import static dev.bptt.flink.HarnessFixtures.values;
import static dev.bptt.flink.HarnessFixtures.initial;
import static dev.bptt.flink.HarnessFixtures.watermarks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bptt.model.Loss;
import dev.bptt.model.OptimizerKind;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.model.Reduction;
import dev.bptt.model.TrainingOptions;
import dev.bptt.model.UpdateRule;
import dev.bptt.records.GradientPartial;
import dev.bptt.records.ParameterVersion;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * ParameterUpdate at parallelism 1, fed the partial sums of two backward subtasks: each update is
 * checked to be exactly {@link UpdateRule} applied to the subtask-ordered sum of its bucket.
 */
@SuppressWarnings("try") // the harnesses' close() declares InterruptedException
class ParameterUpdateHarnessTest {

    /** Adam with clipping, so both the optimizer's moments and the clip factor matter. */
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 2, 3, OptimizerKind.ADAM, 0.01, 0.0,
            0.5, Reduction.MEAN, BUCKET_MS, 0);

    private static OneInputStreamOperatorTestHarness<GradientPartial, ParameterVersion> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ParameterUpdate(initial(), OPTIONS));
    }

    /** A partial with a gradient drawn from (bucket, subtask). */
    private static GradientPartial partial(long bucket, int subtask, long lossTerms, long minVersion) {
        double[] gradient = ParameterInit.uniform(SHAPE, bucket * 7 + subtask).toFlat();
        return new GradientPartial(bucket, subtask, gradient, 0.25 * lossTerms + subtask, lossTerms, 1 + subtask,
                3 + subtask, minVersion);
    }

    /** The updates computed directly: UpdateRule on the subtask-ordered sum of each bucket. */
    private static final class DirectUpdates {
        private final UpdateRule rule = OPTIONS.newUpdateRule();
        private final Parameters params = initial();
        private long version;

        /** The message of a bucket's update, or null when it has no loss terms. */
        ParameterVersion apply(long bucket, long completedThrough, List<GradientPartial> partials) {
            List<GradientPartial> ordered = partials.stream()
                    .sorted(Comparator.comparingInt(GradientPartial::subtask)).toList();
            Parameters sum = Parameters.zeros(SHAPE);
            double lossSum = 0;
            long terms = 0;
            long steps = 0;
            for (GradientPartial p : ordered) {
                sum.addInPlace(Parameters.fromFlat(SHAPE, p.gradient()));
                lossSum += p.lossSum();
                terms += p.lossTerms();
                steps += p.steps();
            }
            if (!UpdateRule.makesStep(terms)) {
                return null;
            }
            double norm = rule.apply(params, sum, terms);
            // Staleness: how far the oldest version a step of the bucket ran with is behind (0: no steps).
            long minVersion = ordered.stream().mapToLong(GradientPartial::minVersion).filter(v -> v >= 0).min()
                    .orElse(version);
            long staleness = version - minVersion;
            version++;
            return new ParameterVersion(version, completedThrough, bucket, params.toFlat(), lossSum, terms, norm,
                    steps, staleness);
        }
    }

    /** Every message sent into the loop, in order. */
    private static List<ParameterVersion> loop(OneInputStreamOperatorTestHarness<?, ParameterVersion> h) {
        return values(h.getSideOutput(ParameterUpdate.LOOP));
    }

    /** The new versions; the main output (for sinks) holds exactly the loop's updates, nothing else. */
    private static List<ParameterVersion> updates(OneInputStreamOperatorTestHarness<?, ParameterVersion> h) {
        List<ParameterVersion> updates = loop(h).stream().filter(ParameterVersion::isUpdate).toList();
        assertThat(h.extractOutputValues()).as("sinks get each new version once, nothing else")
                .usingRecursiveComparison(exactly()).isEqualTo(updates);
        return updates;
    }

    private static List<ParameterVersion> progress(OneInputStreamOperatorTestHarness<?, ParameterVersion> h) {
        return loop(h).stream().filter(m -> !m.isUpdate()).toList();
    }

    private static void send(OneInputStreamOperatorTestHarness<GradientPartial, ParameterVersion> h,
            GradientPartial... partials) throws Exception {
        for (GradientPartial p : partials) {
            h.processElement(p, 0);
        }
    }

    @Test
    void bucketIsUpdatedWhenTheWatermarkPassesItsEndWithTheSubtaskOrderedSum() throws Exception {
        GradientPartial b0s0 = partial(0, 0, 4, 0);
        GradientPartial b0s1 = partial(0, 1, 3, 0);
        GradientPartial b1s0 = partial(1, 0, 2, 1);
        GradientPartial b1s1 = partial(1, 1, 5, 0);
        DirectUpdates direct = new DirectUpdates();
        try (var h = harness()) {
            h.open();
            send(h, b0s1, b1s0, b0s0, b1s1);
            h.processWatermark(98);
            assertThat(updates(h)).isEmpty();

            h.processWatermark(99);
            ParameterVersion v1 = direct.apply(0, 0, List.of(b0s1, b0s0));
            assertThat(updates(h)).usingRecursiveComparison(exactly()).isEqualTo(List.of(v1));

            h.processWatermark(150);
            assertThat(updates(h)).hasSize(1);
            h.processWatermark(199);
            ParameterVersion v2 = direct.apply(1, 1, List.of(b1s0, b1s1));
            assertThat(updates(h)).usingRecursiveComparison(exactly()).isEqualTo(List.of(v1, v2));
            assertThat(v2.staleness()).as("bucket 1 ran a step with version 0, one behind").isEqualTo(1);

            assertThat(loop(h)).extracting(ParameterVersion::version, ParameterVersion::completedThrough)
                    .as("each update, and progress whenever the watermark completes more buckets")
                    .containsExactly(tuple(0L, -1L), tuple(1L, 0L), tuple(1L, 0L), tuple(2L, 1L), tuple(2L, 1L));
            assertThat(watermarks(h)).containsExactly(98L, 99L, 150L, 199L);
        }
    }

    /**
     * A diverged model (a non-finite gradient) still makes its version, as torch.optim steps with
     * it: the loop must not skip a version number while the parameters have changed (a skipped
     * update once made a long benchmark run drop every later update without an error).
     */
    @Test
    void nonFiniteGradientStillMakesAVersionAndLaterBucketsGoOn() throws Exception {
        GradientPartial b0 = partial(0, 0, 4, 0);
        double[] nan = b0.gradient().clone();
        nan[0] = Double.NaN;
        GradientPartial diverged = new GradientPartial(0, 0, nan, b0.lossSum(), b0.lossTerms(), b0.windows(),
                b0.steps(), b0.minVersion());
        GradientPartial b1 = partial(1, 0, 2, 1);
        try (var h = harness()) {
            h.open();
            send(h, diverged, b1);
            h.processWatermark(199);
            assertThat(updates(h)).extracting(ParameterVersion::version, ParameterVersion::bucket)
                    .containsExactly(tuple(1L, 0L), tuple(2L, 1L));
            assertThat(updates(h).get(0).gradNorm()).isNaN();
            assertThat(updates(h).get(1).params()).as("NaN spreads as in torch: nothing is hidden").contains(Double.NaN);
        }
    }

    @Test
    void bucketWithoutLossTermsMakesNoVersionButItsCompletionIsReported() throws Exception {
        GradientPartial b0s0 = partial(0, 0, 0, 0);
        GradientPartial b0s1 = partial(0, 1, 0, 0);
        GradientPartial b1s0 = partial(1, 0, 2, 0);
        try (var h = harness()) {
            h.open();
            send(h, b0s0, b0s1, b1s0);
            h.processWatermark(99);

            assertThat(updates(h)).isEmpty();
            assertThat(loop(h)).singleElement().satisfies(m -> {
                assertThat(m.params()).isNull();
                assertThat(m.version()).isZero();
                assertThat(m.completedThrough()).isZero();
                assertThat(m.bucket()).isEqualTo(-1);
            });

            h.processWatermark(199);
            DirectUpdates direct = new DirectUpdates();
            assertThat(direct.apply(0, 0, List.of(b0s0, b0s1))).isNull();
            assertThat(updates(h)).usingRecursiveComparison(exactly()).isEqualTo(List.of(direct.apply(1, 1, List.of(b1s0))));
            assertThat(progress(h)).extracting(ParameterVersion::completedThrough).containsExactly(0L, 1L);
        }
    }

    @Test
    void endOfInputPartialsMakeTheLastUpdateAfterEveryBucket() throws Exception {
        GradientPartial b0s0 = partial(0, 0, 2, 0);
        GradientPartial b1s1 = partial(1, 1, 3, 1);
        GradientPartial end0 = partial(GradientPartial.END_OF_INPUT, 0, 1, -1);
        GradientPartial end1 = partial(GradientPartial.END_OF_INPUT, 1, 2, -1);
        DirectUpdates direct = new DirectUpdates();
        try (var h = harness()) {
            h.open();
            send(h, end1, b0s0, b1s1, end0);
            h.processWatermark(Long.MAX_VALUE);

            ParameterVersion v1 = direct.apply(0, 0, List.of(b0s0));
            ParameterVersion v2 = direct.apply(1, 1, List.of(b1s1));
            assertThat(updates(h)).usingRecursiveComparison(exactly()).isEqualTo(List.of(v1, v2));
            assertThat(progress(h)).extracting(ParameterVersion::completedThrough)
                    .containsExactly(GradientPartial.END_OF_INPUT - 1);

            h.endInput();

            ParameterVersion last = direct.apply(GradientPartial.END_OF_INPUT, GradientPartial.END_OF_INPUT,
                    List.of(end1, end0));
            assertThat(updates(h)).usingRecursiveComparison(exactly()).isEqualTo(List.of(v1, v2, last));
            assertThat(last.version()).isEqualTo(3);
        }
    }

    /** Partials and watermarks up to the checkpoint: bucket 0 applied (Adam has moments), bucket 1 half in. */
    private static void beforeCheckpoint(OneInputStreamOperatorTestHarness<GradientPartial, ParameterVersion> h)
            throws Exception {
        send(h, partial(0, 1, 3, 0), partial(0, 0, 2, 0), partial(1, 1, 4, 0));
        h.processWatermark(99);
        send(h, partial(2, 0, 1, 1));
    }

    private static void afterCheckpoint(OneInputStreamOperatorTestHarness<GradientPartial, ParameterVersion> h)
            throws Exception {
        send(h, partial(1, 0, 2, 1), partial(2, 1, 5, 1));
        h.processWatermark(199);
        send(h, partial(GradientPartial.END_OF_INPUT, 0, 2, -1), partial(3, 1, 0, 2));
        h.processWatermark(299);
        h.processWatermark(Long.MAX_VALUE);
        h.endInput();
    }

    @Test
    void restoredOperatorResendsWhatTheLoopMayHaveMissedAndMakesTheSameVersions() throws Exception {
        List<ParameterVersion> uninterrupted;
        List<ParameterVersion> uninterruptedSinks;
        int before;
        int beforeSinks;
        try (var h = harness()) {
            h.open();
            beforeCheckpoint(h);
            before = loop(h).size();
            beforeSinks = h.extractOutputValues().size();
            afterCheckpoint(h);
            uninterrupted = loop(h);
            uninterruptedSinks = h.extractOutputValues();
        }
        assertThat(uninterrupted).filteredOn(ParameterVersion::isUpdate).extracting(ParameterVersion::bucket)
                .containsExactly(0L, 1L, 2L, GradientPartial.END_OF_INPUT);

        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            beforeCheckpoint(h);
            assertThat(loop(h)).usingRecursiveComparison(exactly()).isEqualTo(uninterrupted.subList(0, before));
            snapshot = h.snapshot(1L, 1L);
        }
        // what was sent before the checkpoint (no checkpoint completed in the harness, so all of it)
        List<ParameterVersion> resend = uninterrupted.subList(0, before);
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            assertThat(loop(h)).as("re-sent on restore").usingRecursiveComparison(exactly()).isEqualTo(resend);
            afterCheckpoint(h);
            List<ParameterVersion> after = loop(h);
            // and once more at the first watermark after the restore (forward subtasks skip old news)
            assertThat(after.subList(resend.size(), 2 * resend.size())).usingRecursiveComparison(exactly())
                    .isEqualTo(resend);
            assertThat(after.subList(2 * resend.size(), after.size())).usingRecursiveComparison(exactly())
                    .isEqualTo(uninterrupted.subList(before, uninterrupted.size()));
            assertThat(h.extractOutputValues()).as("sinks get no re-sent version").usingRecursiveComparison(exactly())
                    .isEqualTo(uninterruptedSinks.subList(beforeSinks, uninterruptedSinks.size()));
        }
    }
}

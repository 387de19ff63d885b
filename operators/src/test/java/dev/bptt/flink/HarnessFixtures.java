package dev.bptt.flink;

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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * What the operator harness tests share: a small GRU, buckets of 100 ms, deterministic steps and
 * parameter versions, and access to a harness's job id, mailbox, watermarks and records.
 */
final class HarnessFixtures {

    /** GRU, 2 inputs, 3 hidden units, 2 outputs (state size 3). */
    static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 2, 3, 2);
    static final long BUCKET_MS = 100;

    private HarnessFixtures() {}

    /** Version 0. */
    static Parameters initial() {
        return ParameterInit.uniform(SHAPE, 7);
    }

    /** The parameters of version {@code v} in these tests (version 0: {@link #initial()}). */
    static Parameters paramsOf(long version) {
        return version == 0 ? initial() : ParameterInit.uniform(SHAPE, 1000 + version);
    }

    /** mse, TBPTT(2, 3), SGD lr 0.1, mean, 100 ms buckets, the given staleness. */
    static TrainingOptions options(int staleness) {
        return new TrainingOptions(Loss.MSE, 2, 3, OptimizerKind.SGD, 0.1, 0.0, 0.0, Reduction.MEAN, BUCKET_MS,
                staleness);
    }

    /**
     * Step {@code step} of {@code key} at {@code time}: input and mse target drawn from a seed of
     * (key, step), every third step without a target.
     */
    static SequenceStep step(String key, long step, long time, boolean last) {
        SplittableRandom random = new SplittableRandom(key.hashCode() * 31L + step);
        double[] x = {random.nextDouble(-1.5, 1.5), random.nextDouble(-1.5, 1.5)};
        double[] target = step % 3 == 2 ? null : new double[] {random.nextDouble(-1, 1), random.nextDouble(-1, 1)};
        return new SequenceStep(key, step, time, x, target, SequenceStep.NO_CLASS, last);
    }

    static SequenceStep step(String key, long step, long time) {
        return step(key, step, time, false);
    }

    /** An update message: version {@code v} (parameters {@link #paramsOf}) holds buckets <= completedThrough. */
    static ParameterVersion update(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, completedThrough, paramsOf(version).toFlat(), 0, 1,
                1.0, 1, 0);
    }

    /** A progress message: buckets <= completedThrough are done and version {@code v} is still current. */
    static ParameterVersion progress(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0);
    }

    static String jobId(AbstractStreamOperatorTestHarness<?> harness) {
        return harness.getEnvironment().getJobID().toString();
    }

    /** Runs every mail waiting in the harness's task mailbox (the test thread is the mailbox thread). */
    static int runMails(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
        int ran = 0;
        Optional<Mail> mail;
        while ((mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
            ran++;
        }
        return ran;
    }

    /**
     * A recursive comparison that compares doubles exactly (also inside arrays; NaN equals NaN).
     * AssertJ's default compares them to within 1e-15.
     */
    static RecursiveComparisonConfiguration exactly() {
        return RecursiveComparisonConfiguration.builder().withComparatorForType(Double::compare, Double.class).build();
    }

    /** Timestamps of the watermarks a harness emitted, in order. */
    static List<Long> watermarks(AbstractStreamOperatorTestHarness<?> harness) {
        List<Long> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                out.add(w.getTimestamp());
            }
        }
        return out;
    }

    /** The values of a record queue (null: none emitted yet). */
    static <T> List<T> values(Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}

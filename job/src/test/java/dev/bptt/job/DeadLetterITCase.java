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
import dev.bptt.records.DeadLetter;
import dev.bptt.records.Prediction;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CONTRACT.md §4, bad input: a valid input with bad records of every kind inserted among its
 * records trains exactly as the valid input alone, and each bad record leaves through the dead
 * letters once, with its reason and its record text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadLetterITCase extends TrainingJobTestBase {

    private static final ModelShape SHAPE = new ModelShape(CellKind.GRU, 3, 4, 2);
    private static final long BUCKET_MS = 700;
    private static final TrainingOptions OPTIONS = new TrainingOptions(Loss.MSE, 3, 5, OptimizerKind.ADAM, 0.02, 0,
            1.0, Reduction.MEAN, BUCKET_MS, 1);

    /** A bad record and the reason code its dead letter must start with. */
    private record Bad(String line, String code) {}

    /** Input lines: the valid steps in order with the bad records among them. */
    private record Dirty(List<String> lines, List<Bad> bad) {}

    @Test
    void everyBadRecordIsDeadLetteredOnceAndTheValidRunIsUnchanged() throws Exception {
        Parameters initial = ParameterInit.uniform(SHAPE, 3);
        List<SequenceStep> valid = TrainingInputs.mixed(SHAPE, Loss.MSE, 8, 21);
        Dirty dirty = withBadRecords(valid);
        assertThat(dirty.bad()).hasSizeGreaterThanOrEqualTo(20);

        JobOutput clean = run(valid, initial, OPTIONS, 2);
        JobOutput out = runLines(dirty.lines(), initial, OPTIONS, 2);

        assertThat(clean.deadLetters()).isEmpty();
        assertThat(out.deadLetters()).as("dead letters").hasSameSizeAs(dirty.bad());
        for (Bad bad : dirty.bad()) {
            List<DeadLetter> letters = out.deadLetters().stream().filter(d -> d.record().equals(bad.line())).toList();
            assertThat(letters).as("dead letters of %s", bad.line()).hasSize(1);
            assertThat(letters.get(0).reason()).as("reason of %s", bad.line()).startsWith(bad.code() + ": ");
        }

        assertTrainsLikeTheReference(out, valid, initial, OPTIONS);
        assertSameParameters(out.finalParams(initial), clean.finalParams(initial), "final parameters vs the clean run");
        assertThat(out.updates()).hasSameSizeAs(clean.updates());
        List<Prediction> got = sorted(out.predictions());
        List<Prediction> want = sorted(clean.predictions());
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i).version()).as("version of prediction %s", id(want.get(i))).isEqualTo(want.get(i).version());
            assertSameParameters(got.get(i).prediction(), want.get(i).prediction(), "prediction " + id(want.get(i)));
        }
    }

    /**
     * Inserts bad records among {@code valid}. Each kind waits for the first point after a
     * fraction of the input where it fits (e.g. a duplicate right after a step that did not end
     * its sequence). Records rejected per key carry a time no later than the latest so far, so
     * they never move the watermark, and (except the late ones) a time after it, so the order
     * check, not the late check, rejects them. The valid sequence of every key is untouched:
     * a rejected record changes no key's progress.
     */
    private static Dirty withBadRecords(List<SequenceStep> valid) {
        long first = valid.get(0).time();
        List<Kind> kinds = List.of(
                new Kind(0.05, "wrong_dimension", (s, wm) -> Optional.of(StepJson.write(new SequenceStep(s.key(),
                        s.step() + 1, s.time(), new double[SHAPE.inputSize() + 1], s.target(), s.targetClass(), false)))),
                new Kind(0.10, "wrong_dimension", (s, wm) -> Optional.of(StepJson.write(new SequenceStep(s.key(),
                        s.step() + 1, s.time(), s.input(), new double[SHAPE.outputSize() + 1], SequenceStep.NO_CLASS,
                        false)))),
                new Kind(0.15, "non_finite", (s, wm) -> Optional.of(record(s.key(), s.step() + 1, s.time(),
                        "[NaN,0.5,0.25]", "[0.1,0.2]"))),
                new Kind(0.18, "non_finite", (s, wm) -> Optional.of(record(s.key(), s.step() + 1, s.time(),
                        "[0.1,-Infinity,0.25]", "[0.1,0.2]"))),
                new Kind(0.20, "non_finite", (s, wm) -> Optional.of(record(s.key(), s.step() + 1, s.time(),
                        "[0.1,0.5,0.25]", "[Infinity,0.2]"))),
                new Kind(0.25, "bad_target", (s, wm) -> Optional.of(record(s.key(), s.step() + 1, s.time(),
                        "[0.1,0.5,0.25]", "1"))),
                new Kind(0.28, "missing_field", (s, wm) -> Optional.of(
                        "{\"step\":" + (s.step() + 1) + ",\"time\":" + s.time() + ",\"input\":[0.1,0.5,0.25]}")),
                new Kind(0.30, "missing_field", (s, wm) -> Optional.of(
                        "{\"key\":\"" + s.key() + "\",\"step\":" + (s.step() + 1) + ",\"input\":[0.1,0.5,0.25]}")),
                new Kind(0.32, "wrong_type", (s, wm) -> Optional.of(
                        "{\"key\":\"" + s.key() + "\",\"step\":\"" + (s.step() + 1) + "\",\"time\":" + s.time()
                                + ",\"input\":[0.1,0.5,0.25]}")),
                new Kind(0.34, "malformed_json", (s, wm) -> Optional.of(
                        "{\"key\":\"" + s.key() + "\",\"step\":" + (s.step() + 1) + ",\"time\":")),
                // per key: a redelivered step, a skip ahead, a restart without last, a step after last
                new Kind(0.36, "duplicate_step", (s, wm) -> s.last() ? Optional.empty() : Optional.of(StepJson.write(s))),
                new Kind(0.40, "step_out_of_order", (s, wm) -> s.last() ? Optional.empty()
                        : Optional.of(StepJson.write(next(s, s.step() + 2, s.time())))),
                new Kind(0.44, "step_out_of_order", (s, wm) -> s.last() || s.step() == 0 ? Optional.empty()
                        : Optional.of(StepJson.write(next(s, 0, s.time())))),
                new Kind(0.46, "step_out_of_order", (s, wm) -> !s.last() ? Optional.empty()
                        : Optional.of(StepJson.write(next(s, s.step() + 1, s.time())))),
                new Kind(0.50, "time_decreasing", (s, wm) -> s.last() || s.time() - 1 <= wm ? Optional.empty()
                        : Optional.of(StepJson.write(next(s, s.step() + 1, s.time() - 1)))),
                // a key that starts with a gap and sends nothing else
                new Kind(0.55, "step_out_of_order", (s, wm) -> Optional.of(StepJson.write(new SequenceStep("gap-key", 2,
                        s.time(), s.input(), s.target(), s.targetClass(), false)))),
                // late: new keys in a closed bucket, at the watermark itself, and the next step of a live key
                new Kind(0.60, "late", (s, wm) -> first > wm ? Optional.empty() : Optional.of(StepJson.write(
                        new SequenceStep("late-key", 0, first, s.input(), s.target(), s.targetClass(), false)))),
                new Kind(0.65, "late", (s, wm) -> wm < first ? Optional.empty() : Optional.of(StepJson.write(
                        new SequenceStep("late-edge", 0, wm, s.input(), s.target(), s.targetClass(), false)))),
                new Kind(0.70, "late", (s, wm) -> s.last() || wm < first ? Optional.empty()
                        : Optional.of(StepJson.write(next(s, s.step() + 1, wm)))),
                new Kind(1.0, "malformed_json", (s, wm) -> Optional.of("not json")));

        List<String> lines = new ArrayList<>();
        List<Bad> bad = new ArrayList<>();
        bad.add(new Bad("{\"key\":\"key-0\",\"step\":0,\"time\":1000000,\"input\":[0.1,0.2,0.3]", "malformed_json"));
        lines.add(bad.get(0).line());
        List<Kind> waiting = new ArrayList<>(kinds);
        for (int i = 0; i < valid.size(); i++) {
            SequenceStep s = valid.get(i);
            lines.add(StepJson.write(s));
            // BucketWatermarks after this record (L = 0): the end of the last bucket before the latest time
            long watermark = Math.floorDiv(s.time(), BUCKET_MS) * BUCKET_MS - 1;
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Kind kind = it.next();
                if (i < Math.min(kind.from() * valid.size(), valid.size() - 1)) {
                    continue;
                }
                Optional<String> line = kind.make().apply(s, watermark);
                if (line.isPresent()) {
                    lines.add(line.get());
                    bad.add(new Bad(line.get(), kind.code()));
                    it.remove();
                }
            }
        }
        assertThat(waiting).as("bad records that found no place").isEmpty();
        return new Dirty(lines, bad);
    }

    /**
     * A kind of bad record: from {@code from} (a fraction of the input; 1 = after the last record)
     * on, {@code make} is asked after each valid step {@code s}, with the watermark after it, for
     * a record placed right there.
     */
    private record Kind(double from, String code, BiFunction<SequenceStep, Long, Optional<String>> make) {}

    private static SequenceStep next(SequenceStep s, long step, long time) {
        double[] input = Arrays.stream(s.input()).map(x -> -x).toArray();
        return new SequenceStep(s.key(), step, time, input, s.target(), s.targetClass(), false);
    }

    private static String record(String key, long step, long time, String input, String target) {
        return "{\"key\":\"" + key + "\",\"step\":" + step + ",\"time\":" + time + ",\"input\":" + input
                + ",\"target\":" + target + ",\"last\":false}";
    }

    private static List<Prediction> sorted(List<Prediction> predictions) {
        return predictions.stream().sorted(Comparator.comparing(TrainingJobTestBase::id)).toList();
    }
}

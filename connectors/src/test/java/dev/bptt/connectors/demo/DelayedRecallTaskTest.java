package dev.bptt.connectors.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.steps.BadStepException;
import dev.bptt.steps.KeyProgress;
import dev.bptt.steps.SequenceStep;
import dev.bptt.steps.StepOrder;
import dev.bptt.steps.StepParser;
import dev.bptt.steps.StepSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo task: a delayed-recall problem whose steps follow the record format and order rules. */
class DelayedRecallTaskTest {

    private static final long START = 1_700_000_000_000L;

    private final DelayedRecallTask task = new DelayedRecallTask(5, 40, 3, 100, START, 42);

    @Test
    void everyWrittenLineParsesBackToTheSameStep(@TempDir Path dir) throws IOException, BadStepException {
        Path file = dir.resolve("steps.jsonl");
        task.writeJsonl(file);

        StepParser parser = new StepParser(new StepSchema(2, 1, false, true));
        List<SequenceStep> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            parsed.add(parser.parse(line));
        }
        assertThat(parsed).containsExactlyElementsOf(task.steps());
        assertThat(Files.readAllLines(file, UTF_8).get(0))
                .isEqualTo("{\"key\":\"seq-0000\",\"step\":0,\"time\":" + START + ",\"input\":["
                        + task.step(0, 0).input()[0] + ",0.0],\"last\":false}");
    }

    @Test
    void targetIsTheInputOfDelayStepsEarlier() {
        for (int k = 0; k < task.keys(); k++) {
            for (int t = task.delay(); t < task.length(); t++) {
                assertThat(task.step(k, t).target()).containsExactly(task.step(k, t - task.delay()).input()[0]);
            }
        }
    }

    @Test
    void stepsBeforeTheDelayHaveNoTargetAndTheCueMarksStepsWithOne() {
        for (SequenceStep s : task.steps()) {
            assertThat(s.hasTarget()).isEqualTo(s.step() >= task.delay());
            assertThat(s.input()).hasSize(DelayedRecallTask.INPUT_SIZE);
            assertThat(s.input()[1]).isEqualTo(s.hasTarget() ? 1.0 : 0.0);
            if (s.hasTarget()) {
                assertThat(s.target()).hasSize(DelayedRecallTask.OUTPUT_SIZE);
            }
        }
    }

    @Test
    void valuesToRememberAreMinusOneOrPlusOneAndBothOccurOften() {
        List<SequenceStep> steps = new DelayedRecallTask(20, 100, 5, 10, 0, 7).steps();
        long plus = steps.stream().filter(s -> s.input()[0] == 1.0).count();
        long minus = steps.stream().filter(s -> s.input()[0] == -1.0).count();

        assertThat(plus + minus).isEqualTo(steps.size());
        assertThat((double) plus / steps.size()).isBetween(0.45, 0.55);
    }

    @Test
    void stepsComeInTimeOrderWithAllKeysSharingOneClock() {
        List<SequenceStep> steps = task.steps();
        assertThat(steps).hasSize(task.keys() * task.length());
        for (int i = 0; i < steps.size(); i++) {
            SequenceStep s = steps.get(i);
            assertThat(s.step()).isEqualTo(i / task.keys());
            assertThat(s.key()).isEqualTo(DelayedRecallTask.keyName(i % task.keys()));
            assertThat(s.time()).isEqualTo(START + s.step() * 100);
            if (i > 0) {
                assertThat(s.time()).isGreaterThanOrEqualTo(steps.get(i - 1).time());
            }
        }
    }

    @Test
    void eachKeyCountsStepsFromZeroWithoutGapsAndIsLastOnlyAtItsEnd() throws BadStepException {
        Map<String, KeyProgress> progress = new HashMap<>();
        for (SequenceStep s : task.steps()) {
            progress.put(s.key(), StepOrder.advance(progress.getOrDefault(s.key(), KeyProgress.NONE), s));
            assertThat(s.last()).isEqualTo(s.step() == task.length() - 1);
        }
        assertThat(progress).containsOnlyKeys("seq-0000", "seq-0001", "seq-0002", "seq-0003", "seq-0004");
        assertThat(progress.values()).allSatisfy(p -> assertThat(p.lastStep()).isEqualTo(task.length() - 1));
    }

    @Test
    void theSameArgumentsGiveTheSameTaskAndAnotherSeedAnotherOne() {
        DelayedRecallTask again = new DelayedRecallTask(5, 40, 3, 100, START, 42);
        DelayedRecallTask other = new DelayedRecallTask(5, 40, 3, 100, START, 43);

        assertThat(again.steps()).isEqualTo(task.steps());
        assertThat(other.steps()).isNotEqualTo(task.steps());
    }

    @Test
    void keysAndSequencesGetDifferentValues() {
        DelayedRecallTask wide = new DelayedRecallTask(2, 200, 1, 1, 0, 1);
        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        for (int t = 0; t < 200; t++) {
            first.add(wide.step(0, t).input()[0]);
            second.add(wide.step(1, t).input()[0]);
        }
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void argumentsThatMakeNoUsableTaskAreRejected() {
        assertThatThrownBy(() -> new DelayedRecallTask(0, 10, 2, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelayedRecallTask(1, 10, 0, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelayedRecallTask(1, 10, 10, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelayedRecallTask(1, 10, 2, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DelayedRecallTask(1, 10, 2, Long.MAX_VALUE, 0, 1))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> task.step(5, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}

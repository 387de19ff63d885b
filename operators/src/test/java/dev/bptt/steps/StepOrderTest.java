package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** Per-key order: 0, 1, 2, ... without gaps or repeats, restart after last, time never backwards. */
class StepOrderTest {

    private static SequenceStep step(long n, long time) {
        return new SequenceStep("a", n, time, new double[] {1}, null, SequenceStep.NO_CLASS, false);
    }

    private static SequenceStep lastStep(long n, long time) {
        return new SequenceStep("a", n, time, new double[] {1}, null, SequenceStep.NO_CLASS, true);
    }

    private static BadStepException rejectionOf(KeyProgress previous, SequenceStep next) {
        BadStepException e = catchThrowableOfType(BadStepException.class, () -> StepOrder.advance(previous, next));
        assertThat(e).isNotNull();
        return e;
    }

    @Test
    void aNewKeyStartsAtStepZero() throws BadStepException {
        assertThat(StepOrder.advance(KeyProgress.NONE, step(0, 100))).isEqualTo(new KeyProgress(0, 100, false));
        assertThat(KeyProgress.NONE.expectedStep()).isZero();
    }

    @Test
    void aNullProgressIsANewKey() throws BadStepException {
        assertThat(StepOrder.advance(null, step(0, 100))).isEqualTo(new KeyProgress(0, 100, false));
    }

    @Test
    void aNewKeyNotStartingAtZeroIsOutOfOrder() {
        assertThat(rejectionOf(KeyProgress.NONE, step(3, 100)).getMessage())
                .isEqualTo("step_out_of_order: key \"a\" starts at step 3 (expected 0)");
    }

    @Test
    void consecutiveStepsAdvanceTheProgress() throws BadStepException {
        KeyProgress p = KeyProgress.NONE;
        for (int i = 0; i < 100; i++) {
            p = StepOrder.advance(p, step(i, 1000 + i));
        }

        assertThat(p).isEqualTo(new KeyProgress(99, 1099, false));
        assertThat(p.expectedStep()).isEqualTo(100);
    }

    @Test
    void aGapIsOutOfOrder() {
        BadStepException e = rejectionOf(new KeyProgress(3, 100, false), step(5, 100));

        assertThat(e.kind()).isEqualTo(RejectKind.STEP_OUT_OF_ORDER);
        assertThat(e.getMessage()).isEqualTo("step_out_of_order: key \"a\" step 5 after step 3 (expected 4)");
    }

    @Test
    void theSameStepAgainIsADuplicate() {
        BadStepException e = rejectionOf(new KeyProgress(3, 100, false), step(3, 100));

        assertThat(e.kind()).isEqualTo(RejectKind.DUPLICATE_STEP);
        assertThat(e.getMessage()).isEqualTo("duplicate_step: key \"a\" step 3 seen twice");
    }

    @Test
    void stepZeroAgainRightAfterStepZeroIsADuplicate() {
        assertThat(rejectionOf(new KeyProgress(0, 100, false), step(0, 100)).kind())
                .isEqualTo(RejectKind.DUPLICATE_STEP);
    }

    @Test
    void anOlderStepIsOutOfOrder() {
        assertThat(rejectionOf(new KeyProgress(3, 100, false), step(2, 100)).getMessage())
                .isEqualTo("step_out_of_order: key \"a\" step 2 after step 3 (expected 4)");
    }

    @Test
    void restartingAtZeroWithoutLastIsOutOfOrder() {
        assertThat(rejectionOf(new KeyProgress(3, 100, false), step(0, 200)).getMessage())
                .isEqualTo("step_out_of_order: key \"a\" restarted at step 0 without last"
                        + " (step 3 did not end the sequence, expected 4)");
    }

    @Test
    void lastEndsTheSequenceAndTheKeyRestartsAtZero() throws BadStepException {
        KeyProgress p = StepOrder.advance(KeyProgress.NONE, step(0, 10));
        p = StepOrder.advance(p, lastStep(1, 11));

        assertThat(p).isEqualTo(new KeyProgress(1, 11, true));
        assertThat(p.expectedStep()).isZero();

        p = StepOrder.advance(p, step(0, 12));
        assertThat(p).isEqualTo(new KeyProgress(0, 12, false));
        assertThat(StepOrder.advance(p, step(1, 13))).isEqualTo(new KeyProgress(1, 13, false));
    }

    @Test
    void aSequenceOfOneStepMayEndAtStepZero() throws BadStepException {
        KeyProgress p = StepOrder.advance(KeyProgress.NONE, lastStep(0, 5));
        p = StepOrder.advance(p, lastStep(0, 6));

        assertThat(p).isEqualTo(new KeyProgress(0, 6, true));
    }

    @Test
    void continuingPastLastIsOutOfOrder() {
        assertThat(rejectionOf(new KeyProgress(4, 100, true), step(5, 101)).getMessage())
                .isEqualTo("step_out_of_order: key \"a\" step 5 after step 4 ended the sequence (expected 0)");
    }

    @Test
    void theLastStepDeliveredAgainIsADuplicate() {
        assertThat(rejectionOf(new KeyProgress(4, 100, true), lastStep(4, 100)).getMessage())
                .isEqualTo("duplicate_step: key \"a\" step 4 seen twice");
    }

    @Test
    void timeGoingBackwardsIsRejected() {
        BadStepException e = rejectionOf(new KeyProgress(3, 100, false), step(4, 99));

        assertThat(e.kind()).isEqualTo(RejectKind.TIME_DECREASING);
        assertThat(e.getMessage()).isEqualTo("time_decreasing: key \"a\" step 4 time 99 < 100");
    }

    @Test
    void equalTimesAreAllowed() throws BadStepException {
        assertThat(StepOrder.advance(new KeyProgress(3, 100, false), step(4, 100)).lastTime()).isEqualTo(100);
    }

    @Test
    void aRestartAfterLastMayNotGoBackInTime() {
        assertThat(rejectionOf(new KeyProgress(7, 100, true), step(0, 50)).getMessage())
                .isEqualTo("time_decreasing: key \"a\" step 0 time 50 < 100");
    }

    @Test
    void aStepWithoutTimeKeepsTheLatestTimeForLaterChecks() throws BadStepException {
        KeyProgress p = StepOrder.advance(new KeyProgress(0, 100, false), step(1, SequenceStep.NO_TIME));

        assertThat(p).isEqualTo(new KeyProgress(1, 100, false));
        assertThat(rejectionOf(p, step(2, 90)).getMessage())
                .isEqualTo("time_decreasing: key \"a\" step 2 time 90 < 100");
    }

    @Test
    void stepsWithoutTimesAreOnlyCheckedForOrder() throws BadStepException {
        KeyProgress p = StepOrder.advance(KeyProgress.NONE, step(0, SequenceStep.NO_TIME));
        p = StepOrder.advance(p, step(1, SequenceStep.NO_TIME));

        assertThat(p).isEqualTo(new KeyProgress(1, SequenceStep.NO_TIME, false));
        assertThat(StepOrder.advance(p, step(2, Long.MIN_VALUE + 1)).lastTime()).isEqualTo(Long.MIN_VALUE + 1);
    }

    @Test
    void stepOrderIsCheckedBeforeTime() {
        assertThat(rejectionOf(new KeyProgress(3, 100, false), step(3, 1)).kind()).isEqualTo(RejectKind.DUPLICATE_STEP);
        assertThat(rejectionOf(new KeyProgress(3, 100, false), step(9, 1)).kind())
                .isEqualTo(RejectKind.STEP_OUT_OF_ORDER);
    }

    @Test
    void keysInReasonsAreQuotedOnOneLine() {
        SequenceStep next = new SequenceStep("a\"b\nc", 5, 1, new double[] {1}, null, SequenceStep.NO_CLASS, false);

        BadStepException e = rejectionOf(new KeyProgress(3, 1, false), next);

        assertThat(e.getMessage()).isEqualTo("step_out_of_order: key \"a\\\"b\\nc\" step 5 after step 3 (expected 4)");
    }

    @Test
    void progressBelowNoneIsRejected() {
        assertThatThrownBy(() -> new KeyProgress(-2, 0, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsedRecordsOfTwoSequencesPassTheOrderCheck() throws BadStepException {
        StepParser parser = new StepParser(new StepSchema(1, 1, false, true));
        String[] lines = {
            "{\"key\":\"s\",\"step\":0,\"time\":10,\"input\":[1]}",
            "{\"key\":\"s\",\"step\":1,\"time\":20,\"input\":[2],\"target\":[1],\"last\":true}",
            "{\"key\":\"s\",\"step\":0,\"time\":20,\"input\":[3]}",
            "{\"key\":\"s\",\"step\":1,\"time\":30,\"input\":[4],\"target\":[0]}",
        };
        KeyProgress p = KeyProgress.NONE;
        for (String line : lines) {
            p = StepOrder.advance(p, parser.parse(line));
        }

        assertThat(p).isEqualTo(new KeyProgress(1, 30, false));
    }
}

package dev.bptt.steps;

/**
 * The per-key order rule: steps of a key arrive as 0, 1, 2, ... without gaps or repeats; after a
 * step with {@code last} the key starts again at 0; event times never go backwards for the key,
 * also across a restart (checked only when both times are present).
 *
 * <p>Pure and allocation-light: the accepted path allocates only the returned {@link
 * KeyProgress}; reasons are built only on reject.
 */
public final class StepOrder {

    private StepOrder() {}

    /**
     * Checks {@code next} against what was accepted before for its key and returns the new
     * progress. {@code previous == null} is read as {@link KeyProgress#NONE} (what a Flink value
     * state returns for an unseen key). A step without time keeps the previous latest time, so a
     * later step still may not go back before it.
     *
     * @throws BadStepException {@link RejectKind#DUPLICATE_STEP} when the step equals the last
     *     one, {@link RejectKind#STEP_OUT_OF_ORDER} when it goes back, skips ahead, restarts at 0
     *     without {@code last}, or does not start at 0 after {@code last}/for a new key, {@link
     *     RejectKind#TIME_DECREASING} when its time is below the latest time of the key
     */
    public static KeyProgress advance(KeyProgress previous, SequenceStep next) throws BadStepException {
        KeyProgress prev = previous == null ? KeyProgress.NONE : previous;
        long step = next.step();
        if (step != prev.expectedStep()) {
            throw outOfOrder(prev, next);
        }
        long lastTime = prev.lastTime();
        if (next.hasTime()) {
            if (lastTime != SequenceStep.NO_TIME && next.time() < lastTime) {
                throw new BadStepException(RejectKind.TIME_DECREASING,
                        "key " + ReasonText.quote(next.key()) + " step " + step
                                + " time " + next.time() + " < " + lastTime);
            }
            lastTime = next.time();
        }
        return new KeyProgress(step, lastTime, next.last());
    }

    private static BadStepException outOfOrder(KeyProgress prev, SequenceStep next) {
        String key = "key " + ReasonText.quote(next.key());
        long step = next.step();
        long last = prev.lastStep();
        if (step == last) {
            return new BadStepException(RejectKind.DUPLICATE_STEP, key + " step " + step + " seen twice");
        }
        if (last < 0) {
            return new BadStepException(RejectKind.STEP_OUT_OF_ORDER,
                    key + " starts at step " + step + " (expected 0)");
        }
        if (prev.ended()) {
            return new BadStepException(RejectKind.STEP_OUT_OF_ORDER,
                    key + " step " + step + " after step " + last
                            + " ended the sequence (expected 0)");
        }
        if (step == 0) {
            return new BadStepException(RejectKind.STEP_OUT_OF_ORDER,
                    key + " restarted at step 0 without last (step " + last
                            + " did not end the sequence, expected " + (last + 1) + ")");
        }
        return new BadStepException(RejectKind.STEP_OUT_OF_ORDER,
                key + " step " + step + " after step " + last + " (expected " + (last + 1) + ")");
    }
}

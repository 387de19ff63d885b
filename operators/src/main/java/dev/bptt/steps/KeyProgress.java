package dev.bptt.steps;

/**
 * What has been accepted so far for one key: the last step number, the latest event time seen
 * ({@link SequenceStep#NO_TIME} if none had a time), and whether that last step ended the
 * sequence. {@link #NONE} stands for a key with no accepted step; {@link StepOrder#advance}
 * moves it forward.
 *
 * <p>{@code lastStep} is {@code -1} only for {@link #NONE}-like progress, never below.
 */
public record KeyProgress(long lastStep, long lastTime, boolean ended) {

    /** No step seen yet for this key: the next step must be 0. */
    public static final KeyProgress NONE = new KeyProgress(-1, SequenceStep.NO_TIME, false);

    /** Rejects {@code lastStep < -1}. */
    public KeyProgress {
        if (lastStep < -1) {
            throw new IllegalArgumentException("lastStep must be >= -1, got " + lastStep);
        }
    }

    /** The step number the key must deliver next: 0 after {@link #NONE} or an ended sequence. */
    public long expectedStep() {
        return ended ? 0 : lastStep + 1;
    }
}

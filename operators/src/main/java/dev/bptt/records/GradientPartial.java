package dev.bptt.records;

/**
 * One TbpttBackward subtask's sum for one event-time bucket: the window gradients (flat, in
 * {@code Parameters} order) of the windows that closed in the bucket, their loss, and how many
 * steps of the bucket the subtask trained.
 *
 * @param bucket the bucket, or {@link #END_OF_INPUT} for the windows closed by the end of input
 * @param minVersion the oldest parameter version a step of this bucket ran with (-1: none)
 * @param oldestHeld the oldest version the subtask still holds (what it could still need after a
 *     restore; ParameterUpdate keeps what it sent from there on)
 */
public record GradientPartial(
        long bucket, int subtask, double[] gradient, double lossSum, long lossTerms, long windows, long steps,
        long minVersion, long oldestHeld) {

    /** Bucket id of the end-of-input windows, applied after every bucket. */
    public static final long END_OF_INPUT = Long.MAX_VALUE;

    /** True for a heartbeat: no step and no window, only the report of {@link #oldestHeld}. */
    public boolean isHeartbeat() {
        return steps == 0 && windows == 0;
    }

    /** A partial with nothing in it, only reporting the subtask's oldest held version. */
    public static GradientPartial heartbeat(long bucket, int subtask, double[] zeros, long oldestHeld) {
        return new GradientPartial(bucket, subtask, zeros, 0, 0, 0, 0, -1, oldestHeld);
    }
}

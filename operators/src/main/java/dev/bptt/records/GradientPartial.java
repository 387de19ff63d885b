package dev.bptt.records;

/**
 * One TbpttBackward subtask's sum for one event-time bucket: the window gradients (flat, in
 * {@code Parameters} order) of the windows that closed in the bucket, their loss, and how many
 * steps of the bucket the subtask trained.
 *
 * @param bucket the bucket, or {@link #END_OF_INPUT} for the windows closed by the end of input
 * @param minVersion the oldest parameter version a step of this bucket ran with (-1: none)
 */
public record GradientPartial(
        long bucket, int subtask, double[] gradient, double lossSum, long lossTerms, long windows, long steps,
        long minVersion) {

    /** Bucket id of the end-of-input windows, applied after every bucket. */
    public static final long END_OF_INPUT = Long.MAX_VALUE;


}

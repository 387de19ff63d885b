package dev.bptt.records;

/**
 * What ParameterUpdate tells the forward operators and the sinks: "version {@code version} holds
 * all updates of buckets {@code <= completedThrough}". Sent after each update (with the
 * parameters) and whenever the watermark completes more buckets (parameters null: the version
 * did not change).
 *
 * @param bucket the bucket whose update made this version (-1 for progress-only messages,
 *     {@link GradientPartial#END_OF_INPUT} for the last update)
 * @param params flat parameters in {@code Parameters} order, or null when unchanged
 */
public record ParameterVersion(
        long version, long completedThrough, long bucket, double[] params, double lossSum, long lossTerms,
        double gradNorm, long steps, long staleness) {

    /** True when this message made a new version (carries parameters). */
    public boolean isUpdate() {
        return params != null;
    }
}

package dev.bptt.job.report;

/**
 * What the training job knows about one parameter version: one row of the metrics CSV.
 *
 * @param version the parameter version this update produced (1, 2, ...; 0 is the initial parameters)
 * @param bucketEnd epoch ms of the end of the event-time bucket whose gradients made this version,
 *     or {@link #END_OF_INPUT} for the last update of a bounded input
 * @param lossMean the loss summed over the bucket's loss terms divided by {@link #lossTerms()};
 *     NaN when unknown
 * @param lossTerms number of loss terms (target steps) in the bucket
 * @param gradNorm total 2-norm of the gradient before clipping; NaN when unknown
 * @param stepsPerSecond forward steps per wall-clock second around this update; NaN when unknown
 * @param staleness how many versions behind the newest the forward steps of this bucket were
 */
public record VersionMetrics(
        long version,
        long bucketEnd,
        double lossMean,
        long lossTerms,
        double gradNorm,
        double stepsPerSecond,
        long staleness) {

    /** {@link #bucketEnd()} of the update made at the end of a bounded input. */
    public static final long END_OF_INPUT = -1;
}
